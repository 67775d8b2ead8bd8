package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func testIndex() *Index {
	apl, low := 2.31, 0.42
	return &Index{Title: "Diagnostics — Lozère (48) par EPCI", By: "epci", Rows: []IndexRow{
		{Key: "244800405", Name: `CC "Cœur" <script>alert(1)</script>`, Dir: "244800405-cc", Status: "written", Communes: 7, Population: 15780, APL2023: &apl, ShareLow: &low, MSP: ptrInt(1)},
		{Key: "244800470", Name: "CC du Gévaudan", Dir: "244800470-cc", Status: "failed", Error: "disk full"},
	}}
}

func TestIndexHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteIndexHTML(&b, testIndex()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>alert") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("unit name not escaped")
	}
	if strings.Count(page, "<script>") != 1 {
		t.Errorf("%d script tags, want the sorting script only", strings.Count(page, "<script>"))
	}
	for _, want := range []string{`href="244800405-cc/diagnostic.html"`, `data-v="2.31"`, "2,31", "15\u00a0780", "<td>échec : disk full</td>", "<td>écrit</td>", "<p>2 diagnostics. "} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, `href="244800470-cc/diagnostic.html"`) {
		t.Error("a failed unit links to a report that does not exist")
	}
}

func TestIndexXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteIndexXLSX(&b, testIndex()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Index", "E2", excelize.Options{RawCellValue: true}); v != "15780" {
		t.Errorf("population E2 = %q", v)
	}
	if typ, _ := f.GetCellType("Index", "F2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("APL cell type %v", typ)
	}
	if v, _ := f.GetCellValue("Index", "F3"); v != "" {
		t.Errorf("APL of a failed unit written as %q", v)
	}
	// A written unit without GP density (H) or centre de santé count (J):
	// n.d., never 0 or blank.
	for _, ref := range []string{"H2", "J2"} {
		if v, _ := f.GetCellValue("Index", ref); v != "n.d." {
			t.Errorf("unknown %s of a written unit = %q, want n.d.", ref, v)
		}
	}
	if link, target, _ := f.GetCellHyperLink("Index", "L2"); !link || target != "244800405-cc/diagnostic.html" {
		t.Errorf("link %v %q", link, target)
	}
	for ref, want := range map[string]string{"C2": "écrit", "C3": "échec"} {
		if v, _ := f.GetCellValue("Index", ref); v != want {
			t.Errorf("status %s = %q, want %q", ref, v, want)
		}
	}
}

// index.csv is French, like the rest of the index, in either convention;
// unknown figures are empty cells, never 0.
func TestIndexCSV(t *testing.T) {
	for _, tc := range []struct {
		loc       CSVLocale
		want      []string
		wantStart string
	}{
		{CSVFrench, []string{
			"\n244800405;\"CC \"\"Cœur\"\" <script>alert(1)</script>\";écrit;7;15780;2,31;0,42;;1;;0;244800405-cc/diagnostic.html\n",
			"\n244800470;CC du Gévaudan;échec;0;0;;;;;;0;\n",
		}, "\ufeffCode;Nom;État;Communes;Population (hab.);APL 2023 (consultations/an/hab.);Part de la population APL ≤ 2,5 (0 à 1);"},
		{CSVEnglish, []string{
			"\n244800405,\"CC \"\"Cœur\"\" <script>alert(1)</script>\",écrit,7,15780,2.31,0.42,,1,,0,244800405-cc/diagnostic.html\n",
		}, "Code,Nom,État,Communes,Population (hab.),APL 2023 (consultations/an/hab.),\"Part de la population APL ≤ 2,5 (0 à 1)\","},
	} {
		var b bytes.Buffer
		if err := WriteIndexCSV(&b, testIndex(), tc.loc); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		if !strings.HasPrefix(s, tc.wantStart) {
			t.Errorf("%s: header %q", tc.loc, s[:min(len(s), 160)])
		}
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("%s: index.csv lacks %q:\n%s", tc.loc, w, s)
			}
		}
	}
}
func ptrInt(n int) *int { return &n }

// TestIndexXLSXLayout: the index sheet has its 12 headers from A1 to L1;
// each figure carries the format of its column (population with a
// thousands separator, APL and GP density with two decimals, the share of
// low APL as a percentage, counts as integers); the filter spans the
// header and every row, and the header is frozen.
func TestIndexXLSXLayout(t *testing.T) {
	ix := testIndex()
	gp, cds := 6.25, 2
	ix.Rows = append(ix.Rows, IndexRow{Key: "200069409", Name: "CC Mont Lozère", Dir: "200069409-cc", Status: StatusUpToDate,
		Communes: 12, Population: 4321, GPDensity: &gp, MSP: ptrInt(0), CDS: &cds, Attention: 3})
	var b bytes.Buffer
	if err := WriteIndexXLSX(&b, ix); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for ref, want := range map[string]string{"A1": "Code", "B1": "Nom", "K1": "Points d'attention", "L1": "Rapport",
		"E2": "15,780", "F2": "2.31", "G2": "42.00%", "I2": "1", "K2": "0",
		"C4": "à jour", "D4": "12", "E4": "4,321", "F4": "n.d.", "G4": "n.d.", "H4": "6.25", "I4": "0", "J4": "2", "K4": "3",
		"G3": "", "H3": "", "I3": ""} {
		if v, _ := f.GetCellValue("Index", ref); v != want {
			t.Errorf("%s = %q, want %q", ref, v, want)
		}
	}
	// Unformatted cells keep the general style; the headers are bold.
	if s, _ := f.GetCellStyle("Index", "A2"); s != 0 {
		t.Errorf("code A2 has style %d, want none", s)
	}
	if s, _ := f.GetCellStyle("Index", "A1"); s == 0 {
		t.Error("header A1 is not bold")
	}
	filter := ""
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && d.Scope == "Index" {
			filter = d.RefersTo
		}
	}
	if filter != "'Index'!$A$1:$L$4" {
		t.Errorf("autofilter over %q, want A1:L4", filter)
	}
	for col, want := range map[string]float64{"A": 12, "B": 40, "E": 14, "I": 8, "L": 40} {
		if w, _ := f.GetColWidth("Index", col); w != want {
			t.Errorf("column %s is %v wide, want %v", col, w, want)
		}
	}
	// The CSV index gives the density with every decimal it has.
	var c bytes.Buffer
	if err := WriteIndexCSV(&c, ix, CSVFrench); err != nil {
		t.Fatal(err)
	}
	if want := "\n200069409;CC Mont Lozère;à jour;12;4321;;;6,25;0;2;3;200069409-cc/diagnostic.html\n"; !strings.Contains(c.String(), want) {
		t.Errorf("index.csv lacks %q:\n%s", want, c.String())
	}
	panes, err := f.GetPanes("Index")
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v %v, want the header row frozen", panes, err)
	}
}
