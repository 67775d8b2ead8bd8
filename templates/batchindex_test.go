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
