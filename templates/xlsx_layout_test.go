package templates

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
)

// TestXLSXFrozenPanesAndFilterRanges: in the Nemours workbook the tables
// scroll under their frozen header (the first scrolling cell is A2, A6
// under the five header rows of Synthèse and Indicateurs), and each
// autofilter spans the header row, every data row and the Notes column
// (Communes: the 21 communes on rows 2-22, columns A to BA; Structures:
// the 20 structures of the territory).
func TestXLSXFrozenPanesAndFilterRanges(t *testing.T) {
	f := nemoursWorkbook(t)
	for _, sheet := range f.GetSheetList() {
		p, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		want := "A2"
		if sheet == SheetSynthese || sheet == SheetIndicators {
			want = "A6"
		}
		if p.TopLeftCell != want || len(p.Selection) != 1 || p.Selection[0].ActiveCell != want || p.ActivePane != "bottomLeft" {
			t.Errorf("%s: panes %+v, want the scrolling part from %s", sheet, p, want)
		}
		if want == "A6" {
			// The frozen header row has room for two lines.
			if h, _ := f.GetRowHeight(sheet, 5); h != 32 {
				t.Errorf("%s: header row 5 is %v high, want 32", sheet, h)
			}
		}
	}
	filters := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			filters[d.Scope] = d.RefersTo
		}
	}
	for sheet, want := range map[string]string{
		SheetCommunes:      "'Communes'!$A$1:$BA$22",
		SheetProfessionals: "'Professionnels'!$A$1:$H$12",
		SheetStructures:    "'Structures'!$A$1:$K$21",
		SheetAccess:        "'Accessibilité'!$A$1:$M$5",
		SheetReferences:    "'Références'!$A$1:$AQ$5",
		SheetSources:       "'Sources'!$A$1:$H$20",
	} {
		if filters[sheet] != want {
			t.Errorf("%s: filter on %q, want %q", sheet, filters[sheet], want)
		}
	}
	if rep, _ := testReport(t, "epci:200023240"); len(rep.Communes) != 21 || len(rep.Structures) != 20 {
		t.Errorf("Nemours: %d communes, %d structures", len(rep.Communes), len(rep.Structures))
	}
	if v, _ := f.GetCellValue(SheetCommunes, "BA1"); v != "Notes" {
		t.Errorf("Communes!BA1 = %q, want the Notes column", v)
	}
}

// TestXLSXEmptyStructuresTable: Amponville (77003, 349 inhabitants) has
// no structure of the kinds followed. Its Structures sheet says so, and the
// filter still spans the header and one (empty) row, as spreadsheets need.
func TestXLSXEmptyStructuresTable(t *testing.T) {
	rep, _ := testReport(t, "77003")
	if len(rep.Structures) != 0 || len(rep.Communes) != 1 {
		t.Fatalf("Amponville: %d structures, %d communes", len(rep.Structures), len(rep.Communes))
	}
	f := reportWorkbook(t, rep)
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == SheetStructures && d.RefersTo != "'Structures'!$A$1:$K$2" {
			t.Errorf("Structures filter on %q, want A1:K2", d.RefersTo)
		}
	}
	if v, _ := f.GetCellValue(SheetStructures, "A3"); v != "Aucune structure des types suivis n'est enregistrée dans le territoire." {
		t.Errorf("Structures!A3 = %q", v)
	}
}

// TestXLSXOneRowAPLColours: the APL rows of the comparison tables are one
// row each and still get the class colours across the four levels (the
// Nemours APL 2023 row of Synthèse: B to E), like the one-commune table of
// Amponville.
func TestXLSXOneRowAPLColours(t *testing.T) {
	f := nemoursWorkbook(t)
	row := findRow(t, f, SheetSynthese, "APL 2023 (consultations/an/hab.)")
	cf, err := f.GetConditionalFormats(SheetSynthese)
	if err != nil {
		t.Fatal(err)
	}
	ref := cell(2, row) + ":" + cell(5, row)
	if rules := cf[ref]; len(rules) != 3 || rules[0].Criteria != "AND(ISNUMBER("+cell(2, row)+"),"+cell(2, row)+"<=2.5)" {
		t.Errorf("Synthèse %s conditional formats %+v (all: %v)", ref, rules, cf)
	}

	rep, _ := testReport(t, "77003")
	g := reportWorkbook(t, rep)
	cf, err = g.GetConditionalFormats(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	if rules := cf["H2:H2"]; len(rules) != 3 || rules[2].Criteria != "AND(ISNUMBER(H2),H2>4)" {
		t.Errorf("Amponville Communes!H2 conditional formats %+v", rules)
	}
}

// TestXLSXColoursUseExactThresholds: the colour formulas carry the
// thresholds as given, every decimal kept: with thresholds of 2.25 and
// 4.5 (Engine.Thresholds may differ from the national 2.5 and 4) the
// Communes APL cells are red up to 2.25, not 2.3.
func TestXLSXColoursUseExactThresholds(t *testing.T) {
	rep, _ := testReport(t, "77003")
	r2 := *rep
	r2.Thresholds.Low, r2.Thresholds.Middle = 2.25, 4.5
	f := reportWorkbook(t, &r2)
	cf, err := f.GetConditionalFormats(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	rules := cf["H2:H2"]
	if len(rules) != 3 || rules[0].Criteria != "AND(ISNUMBER(H2),H2<=2.25)" || rules[1].Criteria != "AND(ISNUMBER(H2),H2<=4.5)" {
		t.Errorf("Communes!H2 conditional formats %+v", rules)
	}
}

// TestXLSXSyntheseHeadersAndGPCounts: the Synthèse table of the CC Pays de
// Nemours heads its columns with the territory's title then each level's
// name, and gives the GP counts (BPE 2017) as numbers: 20, Seine-et-Marne
// 1,034, Île-de-France 7,050, France 58,034 (the total the snapshot tests
// check against the BPE).
func TestXLSXSyntheseHeadersAndGPCounts(t *testing.T) {
	f := nemoursWorkbook(t)
	rows, err := f.GetRows(SheetSynthese)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[4], " | "); got != "Chiffres clés | CC Pays de Nemours | Seine-et-Marne (77) | Île-de-France | France | Notes" {
		t.Errorf("Synthèse header row %q", got)
	}
	row := findRow(t, f, SheetSynthese, "Médecins généralistes, BPE 2017 (nb)")
	for i, want := range []string{"20", "1034", "7050", "58034"} {
		assertNumber(t, f, SheetSynthese, cell(2+i, row), want, 3, "")
	}
}

// TestDataDateIsLatestYearOfAnyVintage: the workbook's fixed date is 1
// January of the latest year named anywhere in the vintages, also when it
// is not the first year of its vintage ("APL 2022 … et APL 2023", "FINESS 8
// janvier 2021 ; Occitanie mars 2026").
func TestDataDateIsLatestYearOfAnyVintage(t *testing.T) {
	for _, tc := range []struct {
		vintages []string
		want     string
	}{
		{[]string{"APL 2022 (populations 2020) et APL 2023 (populations 2021)"}, "2023-01-01T00:00:00Z"},
		{[]string{"SAE 2020", "FINESS 8 janvier 2021 ; Occitanie mars 2026"}, "2026-01-01T00:00:00Z"},
		{[]string{"fin 2021", "≈2020 ; COG 2026", "janvier 2026"}, "2026-01-01T00:00:00Z"},
		{nil, "2000-01-01T00:00:00Z"},
	} {
		r := &diagnostic.Report{}
		for _, v := range tc.vintages {
			r.Sources = append(r.Sources, snapshot.TableInfo{Vintage: v})
		}
		if got := DataDate(r); got != tc.want {
			t.Errorf("DataDate(%q) = %s, want %s", tc.vintages, got, tc.want)
		}
	}
}

// TestXLSXSyntheseEmergencyLine: with travel times, the Synthèse states
// the mean time to the emergency services and the share beyond 30
// minutes, and, for modelled times, the model's measured error (3.7
// minutes on the Alpes-Maritimes trips); without the error statement (times
// from a full matrix) the line has no such remark.
func TestXLSXSyntheseEmergencyLine(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	r2 := *rep
	withAccess(&r2)
	if r2.TravelTimeError == "" {
		t.Fatal("the engine's report states no travel-time error")
	}
	const base = "Temps d'accès moyen aux urgences : 17 minutes ; 5\u00a0% de la population à plus de 30 minutes"
	for _, tc := range []struct {
		err, want string
	}{
		{r2.TravelTimeError, base + " (temps estimés par un modèle, écart moyen mesuré de 3,7\u00a0min : feuille « Accessibilité »)."},
		{"", base + "."},
	} {
		r2.TravelTimeError = tc.err
		f := reportWorkbook(t, &r2)
		findRow(t, f, SheetSynthese, tc.want)
	}
}

// syntheseFindings returns column A of the Synthèse from "Points
// d'attention" down to the row before the reading line that follows the
// levers.
func syntheseFindings(t *testing.T, r *diagnostic.Report) []string {
	t.Helper()
	f := reportWorkbook(t, r)
	rows, err := f.GetRows(SheetSynthese)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	in := false
	for _, row := range rows {
		a := ""
		if len(row) > 0 {
			a = row[0]
		}
		if a == "Points d'attention" {
			in = true
		}
		if strings.HasPrefix(a, "Le détail des indicateurs") {
			break
		}
		if in {
			out = append(out, a)
		}
	}
	return out
}

// TestXLSXSyntheseFindingsAndLevers: the Synthèse lists the points of
// attention with their severity, a blank row, then the levers numbered
// from 1 and, on one line, the questions to check with the ARS; a report
// without any says so under each title.
func TestXLSXSyntheseFindingsAndLevers(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	want := []string{"Points d'attention"}
	for _, a := range rep.Attention {
		want = append(want, "["+a.Severity+"] "+a.Title)
	}
	want = append(want, "", "Leviers mobilisables")
	var checks []string
	n := 0
	for _, l := range rep.Levers {
		if l.Check {
			checks = append(checks, trimCheck(l.Title))
			continue
		}
		n++
		want = append(want, strconv.Itoa(n)+". "+l.Title)
	}
	if len(rep.Attention) == 0 || n == 0 || len(checks) == 0 {
		t.Fatalf("Nemours: %d points of attention, %d levers, %d checks; the test needs some of each", len(rep.Attention), n, len(checks))
	}
	want = append(want, "[À vérifier] "+checksCount(len(checks))+" auprès de l'ARS : "+strings.Join(checks, " ; ")+".", "")
	if got := syntheseFindings(t, rep); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Nemours Synthèse findings:\n%q\nwant\n%q", got, want)
	}

	r2 := *rep
	r2.Attention, r2.Levers = nil, nil
	want = []string{"Points d'attention", "Aucun point d'attention relevé à partir des indicateurs disponibles.", "",
		"Leviers mobilisables", "Aucun levier suggéré par les constats disponibles.", ""}
	if got := syntheseFindings(t, &r2); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Synthèse without findings:\n%q\nwant\n%q", got, want)
	}
}

// TestXLSXSyntheseTwoDepartements: a territory over two départements
// (Nemours, 77, and Marseille 14e, 13) keeps the départements off the
// Synthèse columns (they are on Indicateurs) and its reading line says so;
// the Nemours EPCI, in one département, keeps its département column.
func TestXLSXSyntheseTwoDepartements(t *testing.T) {
	read := func(r *diagnostic.Report) (head []string, reading string) {
		f := reportWorkbook(t, r)
		rows, _ := f.GetRows(SheetSynthese)
		for _, row := range rows {
			if len(row) > 0 && strings.HasPrefix(row[0], "Le détail des indicateurs") {
				reading = row[0]
			}
		}
		return rows[4], reading
	}
	const prefix = "Le détail des indicateurs, de chaque constat et de chaque levier (avec ses raisons) est dans la feuille « Indicateurs » ; "
	rep, _ := testReport(t, "epci:200023240")
	head, reading := read(rep)
	if reading != prefix+"commune par commune, dans la feuille « Communes »." || !slices.Contains(head, "Seine-et-Marne (77)") {
		t.Errorf("Nemours: reading line %q, heads %q", reading, head)
	}
	rep, _ = testReport(t, "77333", "13214")
	head, reading = read(rep)
	if reading != prefix+"département par département, dans la feuille « Indicateurs » ; commune par commune, dans la feuille « Communes »." {
		t.Errorf("two départements: reading line %q", reading)
	}
	if got := strings.Join(head, " | "); got != "Chiffres clés | Nemours + Marseille 14e Arrondissement | Île-de-France | Provence-Alpes-Côte d'Azur | France | Notes" {
		t.Errorf("two départements: Synthèse columns %q", got)
	}
}

// TestXLSXIndicatorsFindingsInFull: the Indicateurs sheet gives each
// point of attention with its detail, each lever with what to do and,
// under it, why; then, after a blank row, the questions to check with the
// ARS with their text (Nemours: the CPTS, whose perimeters are unknown).
func TestXLSXIndicatorsFindingsInFull(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	f := reportWorkbook(t, rep)
	rows, err := f.GetRows(SheetIndicators)
	if err != nil {
		t.Fatal(err)
	}
	at := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == "Points d'attention" {
			at = i
		}
	}
	if at < 0 {
		t.Fatal("no Points d'attention in Indicateurs")
	}
	var want [][2]string
	want = append(want, [2]string{"Points d'attention", ""})
	for _, a := range rep.Attention {
		want = append(want, [2]string{"[" + a.Severity + "] " + a.Title, a.Detail})
	}
	want = append(want, [2]string{}, [2]string{"Leviers mobilisables", ""})
	checks := 0
	for _, check := range []bool{false, true} {
		if check {
			want = append(want, [2]string{}, [2]string{"À vérifier auprès de l'ARS (donnée non disponible : aucun constat n'en est tiré)", ""})
		}
		for _, l := range rep.Levers {
			if l.Check != check {
				continue
			}
			title := l.Title
			if check {
				title = "[À vérifier] " + trimCheck(l.Title)
				checks++
			}
			want = append(want, [2]string{title, l.What})
			if len(l.Why) > 0 {
				want = append(want, [2]string{"", "Pourquoi : " + strings.Join(l.Why, " ; ")})
			}
		}
	}
	if checks == 0 || len(rep.Attention) == 0 {
		t.Fatalf("Nemours: %d checks, %d points of attention", checks, len(rep.Attention))
	}
	want = append(want, [2]string{}, [2]string{"Notes", ""})
	for i, w := range want {
		var got [2]string
		if at+i < len(rows) {
			for j := 0; j < 2 && j < len(rows[at+i]); j++ {
				got[j] = rows[at+i][j]
			}
		}
		if got != w {
			t.Errorf("Indicateurs row %d: %q, want %q", at+i+1, got, w)
		}
	}
}

// TestXLSXIndicatorsPrintsItsCharts: the Indicateurs charts reach past
// the table (the second one starts at column C and is 470 pixels wide), so
// the print area of Nemours runs one column past the Notes column F, to G.
func TestXLSXIndicatorsPrintsItsCharts(t *testing.T) {
	f := nemoursWorkbook(t)
	if v, _ := f.GetCellValue(SheetIndicators, "F5"); v != "Notes" {
		t.Fatalf("Indicateurs!F5 = %q, want the Notes column", v)
	}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Area" && d.Scope == SheetIndicators && !strings.HasPrefix(d.RefersTo, "'Indicateurs'!$A$1:$G$") {
			t.Errorf("Indicateurs print area %q, want columns A to G", d.RefersTo)
		}
	}
}

// TestXLSXLeverWithoutReasons: a lever with no reasons has no "Pourquoi"
// line under it in the Indicateurs sheet.
func TestXLSXLeverWithoutReasons(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	r2 := *rep
	r2.Levers = append([]diagnostic.Lever(nil), rep.Levers...)
	i := slices.IndexFunc(r2.Levers, func(l diagnostic.Lever) bool { return !l.Check && len(l.Why) > 0 })
	if i < 0 {
		t.Fatal("Nemours has no lever with reasons")
	}
	r2.Levers[i].Why = nil
	f := reportWorkbook(t, &r2)
	row := findRow(t, f, SheetIndicators, r2.Levers[i].Title)
	if v, _ := f.GetCellValue(SheetIndicators, cell(2, row+1)); strings.HasPrefix(v, "Pourquoi") {
		t.Errorf("lever without reasons followed by %q", v)
	}
}
