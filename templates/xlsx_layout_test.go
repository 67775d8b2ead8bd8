package templates

import (
	"testing"
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
