package templates

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// franceItems are the régions of France: every commune.
var franceItems = []string{"reg:01", "reg:02", "reg:03", "reg:04", "reg:06", "reg:11", "reg:24", "reg:27", "reg:28",
	"reg:32", "reg:44", "reg:52", "reg:53", "reg:75", "reg:76", "reg:84", "reg:93", "reg:94"}

var (
	franceOnce sync.Once
	franceRep  *diagnostic.Report
)

// franceReport is the report of all France, built once.
func franceReport(t *testing.T) *diagnostic.Report {
	t.Helper()
	franceOnce.Do(func() { franceRep, _ = testReport(t, franceItems...) })
	if franceRep == nil {
		t.Fatal("France report not built")
	}
	return franceRep
}

// summaryHTML renders the summary form of r, as diagnose does.
func summaryHTML(t *testing.T, r *diagnostic.Report) (string, []Part) {
	t.Helper()
	parts := DepartementParts(r, testEngine)
	var buf bytes.Buffer
	if err := WriteHTMLWith(&buf, r, HTMLOptions{Parts: parts}); err != nil {
		t.Fatal(err)
	}
	return buf.String(), parts
}

func partOf(t *testing.T, parts []Part, dep string) Part {
	t.Helper()
	for _, p := range parts {
		if p.Code == dep {
			return p
		}
	}
	t.Fatalf("no part for département %s", dep)
	return Part{}
}

// All France gets the summary form: a page of about 1 MB (the full form
// was 107 MB, which Chromium could not open), one row per département with
// the engine's figures, the notice, and nothing per commune.
func TestSummaryFormFrance(t *testing.T) {
	r := franceReport(t)
	if len(r.Communes) < 34000 || !Summarised(r) {
		t.Fatalf("France: %d communes, summarised %v", len(r.Communes), Summarised(r))
	}
	page, parts := summaryHTML(t, r)
	if len(page) > 5<<20 {
		t.Errorf("France page is %d bytes, want under 5 MB", len(page))
	}
	if len(parts) != 101 {
		t.Errorf("%d départements, want 101", len(parts))
	}
	total := 0
	for _, p := range parts {
		total += p.Communes
		if !p.Whole {
			t.Errorf("département %s is not whole in a France report", p.Code)
		}
	}
	if total != len(r.Communes) {
		t.Errorf("parts hold %d communes, the report %d", total, len(r.Communes))
	}
	// Pas-de-Calais: the row gives the engine's figures of the département.
	pdc := testEngine.LevelFigures("departement", "62")
	p := partOf(t, parts, "62")
	if p.Population != pdc.Population || *p.APL2023 != *pdc.APL2023 {
		t.Errorf("Pas-de-Calais part %d hab., APL %v; engine %d, %v", p.Population, *p.APL2023, pdc.Population, *pdc.APL2023)
	}
	row := `<th scope="row">Pas-de-Calais (62)</th><td>` + Int(pdc.Communes) + `</td><td>` + Int(pdc.Population) + `</td>`
	for _, want := range []string{
		`class="summary-notice"`, "Rapport de synthèse par département", "feuille « Communes »", "--format csv,geojson",
		`<h3 id="departements">Les départements du territoire</h3>`, "Chiffres par département (101 départements, " + Int(len(r.Communes)) + " communes)",
		row, `<td class="apl">` + Num(*pdc.APL2023, 2), `id="apl-departements"`,
		"Structures par type et par département", "101 départements",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("France page lacks %q", want)
		}
	}
	for _, absent := range []string{`id="carte"`, `id="carte-65-plus"`, `id="apl-communes"`, `class="num communes"`, `class="structures"`, "Ablain-Saint-Nazaire"} {
		if strings.Contains(page, absent) {
			t.Errorf("France page has %q", absent)
		}
	}
	if n := strings.Count(page, `<tr class="lvl-departement">`); n != 101 {
		t.Errorf("%d département rows, want 101", n)
	}
	// Comparison levels: the territory and France only (18 régions).
	if strings.Contains(page, `<tr class="lvl-region">`) {
		t.Error("a région level in the France summary")
	}
}

// A territory over the threshold with part of a département: that row
// covers the territory's communes there only, and says so.
func TestSummaryFormPartialDepartement(t *testing.T) {
	r, _ := testReport(t, "reg:84", "77333")
	page, parts := summaryHTML(t, r)
	p := partOf(t, parts, "77")
	nemours := communeOf(t, r, "77333")
	if p.Whole || p.Communes != 1 || p.Population != nemours.Population || p.DepCommunes < 500 {
		t.Fatalf("Seine-et-Marne part: whole %v, %d communes, %d hab., of %d; want Nemours alone (%d hab.)",
			p.Whole, p.Communes, p.Population, p.DepCommunes, nemours.Population)
	}
	if p.APL2023 == nil || nemours.APL2023 == nil || Num(*p.APL2023, 2) != Num(*nemours.APL2023, 2) {
		t.Errorf("Seine-et-Marne part APL %v, Nemours %v", p.APL2023, nemours.APL2023)
	}
	if want := "<td>1 sur " + Int(p.DepCommunes) + "</td>"; !strings.Contains(page, want) {
		t.Errorf("page lacks %q", want)
	}
	if !partOf(t, parts, "69").Whole {
		t.Error("Rhône should be whole")
	}
	// Two régions: only the territory and France are compared.
	if strings.Contains(page, `<tr class="lvl-region">`) {
		t.Error("région levels in a two-région summary")
	}
}

// A région compares with itself and France; the workbook keeps every
// commune (streamed sheet) with its figures.
func TestSummaryFormRegion(t *testing.T) {
	r, _ := testReport(t, "reg:84")
	page, parts := summaryHTML(t, r)
	if len(parts) != 12 || !strings.Contains(page, `<tr class="lvl-region"><th scope="row">Auvergne-Rhône-Alpes</th>`) {
		t.Errorf("%d parts; région row present: %v", len(parts), strings.Contains(page, `lvl-region`))
	}
	if len(page) > 2<<20 {
		t.Errorf("région page is %d bytes", len(page))
	}
}

// Up to the threshold the page keeps its full form: Pas-de-Calais, the
// département with the most communes, has its maps and communes table.
func TestFullFormUnderThreshold(t *testing.T) {
	r, contours := testReport(t, "dep:62")
	if len(r.Communes) < 850 || Summarised(r) {
		t.Fatalf("dep:62: %d communes, summarised %v", len(r.Communes), Summarised(r))
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{`id="carte"`, `id="carte-65-plus"`, `id="apl-communes"`, `class="num communes"`, "Ablain-Saint-Nazaire",
		// Its structures, too many to list by name, are counted by commune.
		"Structures par commune", `<table class="num structures-communes">`} {
		if !strings.Contains(page, want) {
			t.Errorf("dep:62 page lacks %q", want)
		}
	}
	for _, absent := range []string{`class="summary-notice"`, `id="departements"`, `id="apl-departements"`} {
		if strings.Contains(page, absent) {
			t.Errorf("dep:62 page has %q", absent)
		}
	}
}

// The summary form needs its parts: WriteHTML alone refuses a large
// territory rather than write a page no browser opens.
func TestSummaryNeedsParts(t *testing.T) {
	r, contours := testReport(t, "reg:84")
	var buf bytes.Buffer
	err := WriteHTML(&buf, r, contours)
	if err == nil || !strings.Contains(err.Error(), "summary form") || buf.Len() != 0 {
		t.Errorf("WriteHTML of reg:84 without parts: %v, %d bytes", err, buf.Len())
	}
}

// The workbook of a large territory keeps every commune and structure
// (sheets written by the stream writer), numbers as numbers, with the
// frozen header, filter and APL colours of the small ones.
func TestWorkbookLargeTerritory(t *testing.T) {
	r, _ := testReport(t, "reg:84")
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	var lyon []string
	data := 0
	for _, row := range rows[1:] {
		if len(row) > 0 && len(row[0]) == 5 && strings.Trim(row[0], "0123456789AB") == "" {
			data++
		}
		if len(row) > 0 && row[0] == "69123" {
			lyon = row
		}
	}
	if data != len(r.Communes) {
		t.Errorf("Communes sheet: %d commune rows, want %d", data, len(r.Communes))
	}
	c := communeOf(t, r, "69123")
	if lyon == nil || lyon[1] != c.Name {
		t.Fatalf("Lyon row: %v", lyon)
	}
	if typ, _ := f.GetCellType(SheetCommunes, "H"+strconv.Itoa(rowOf(rows, "69123"))); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("Lyon APL cell type %v, want a number", typ)
	}
	v, _ := f.GetCellValue(SheetCommunes, "H"+strconv.Itoa(rowOf(rows, "69123")), excelize.Options{RawCellValue: true})
	if x, err := strconv.ParseFloat(v, 64); err != nil || c.APL2023 == nil || math.Abs(x-*c.APL2023) > 1e-9 {
		t.Errorf("Lyon APL 2023 cell %q, want %v", v, *c.APL2023)
	}
	panes, err := f.GetPanes(SheetCommunes)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("Communes panes %+v, %v", panes, err)
	}
	if cf, err := f.GetConditionalFormats(SheetCommunes); err != nil || len(cf) != 4 {
		t.Errorf("Communes conditional formats: %d, %v", len(cf), err)
	}
	if layout, err := f.GetPageLayout(SheetCommunes); err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" {
		t.Errorf("Communes page layout %+v, %v", layout, err)
	}
	srows, err := f.GetRows(SheetStructures)
	if err != nil {
		t.Fatal(err)
	}
	if len(srows) < len(r.Structures)+1 {
		t.Errorf("Structures sheet: %d rows for %d structures", len(srows), len(r.Structures))
	}
}

func rowOf(rows [][]string, code string) int {
	for i, row := range rows {
		if len(row) > 0 && row[0] == code {
			return i + 1
		}
	}
	return 0
}

// TestSummaryThresholdBoundary: a territory of exactly 1,000 communes keeps
// the full form, one of 1,001 takes the summary form (the communes of
// Lozère repeated make the sizes); a département part whose size is not
// known shows its commune count alone, never "sur 0".
func TestSummaryThresholdBoundary(t *testing.T) {
	lozere, _ := testReport(t, "dep:48")
	for n, want := range map[int]bool{SummaryThreshold: false, SummaryThreshold + 1: true} {
		r := *lozere
		r.Communes = nil
		for len(r.Communes) < n {
			r.Communes = append(r.Communes, lozere.Communes[len(r.Communes)%len(lozere.Communes)])
		}
		if Summarised(&r) != want {
			t.Errorf("%d communes: summarised %v, want %v", n, !want, want)
		}
	}
	parts := DepartementParts(lozere, testEngine)
	if len(parts) != 1 || !parts[0].Whole || parts[0].Communes != len(lozere.Communes) || parts[0].DepCommunes != len(lozere.Communes) {
		t.Fatalf("Lozère parts %+v", parts)
	}
	for _, tc := range []struct {
		whole bool
		dep   int
		want  string
	}{{true, 152, "152"}, {false, 0, "152"}, {false, 500, "152 sur 500"}} {
		p := parts[0]
		p.Whole, p.DepCommunes = tc.whole, tc.dep
		v := &view{}
		v.summaryParts(lozere, []Part{p}, newNotebook())
		if len(v.Parts) != 1 || v.Parts[0].Communes != tc.want || v.Parts[0].Name != "Lozère (48)" {
			t.Errorf("whole %v of %d: row %q %q, want Lozère (48) %q", tc.whole, tc.dep, v.Parts[0].Name, v.Parts[0].Communes, tc.want)
		}
	}
}

// TestPartsAPLChart: the summary chart of Auvergne-Rhône-Alpes and Nemours
// has one bar per département (12 whole, Seine-et-Marne a part), from the
// lowest APL to the highest, and is 20 px higher per bar than its 70 px
// frame.
func TestPartsAPLChart(t *testing.T) {
	r, _ := testReport(t, "reg:84", "77333")
	parts := DepartementParts(r, testEngine)
	spec := partsAPLChart(r, parts)
	data := spec.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	if len(parts) != 13 || len(data) != 13 || spec.Height != 70+20*13 {
		t.Fatalf("%d parts, %d bars, height %d, want 13 bars and 330 px", len(parts), len(data), spec.Height)
	}
	partial := 0
	prev := 0.0
	for i, d := range data {
		name, v := d.(map[string]any)["name"].(string), d.(map[string]any)["value"].(float64)
		if v < prev || v <= 0 {
			t.Errorf("bar %d (%s, %v) below the bar before (%v)", i, name, v, prev)
		}
		prev = v
		if strings.HasSuffix(name, ", partie") {
			partial++
			if name != "Seine-et-Marne (77), partie" {
				t.Errorf("partial bar %q", name)
			}
		}
	}
	if partial != 1 {
		t.Errorf("%d partial bars, want Seine-et-Marne only", partial)
	}
}
