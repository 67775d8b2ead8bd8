package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestTerritoryProfessionColumn: after an RPPS import the professions carry
// a territory column first; both renderers show it.
func TestTerritoryProfessionColumn(t *testing.T) {
	r, contours := testReport(t, "epci:200023240")
	n, d := 17, 5.75
	for i := range r.Professions {
		r.Professions[i].Levels = append([]diagnostic.ProfessionLevel{{Kind: "territory", Name: r.Title}}, r.Professions[i].Levels...)
	}
	r.Professions[0].Levels[0].Count, r.Professions[0].Levels[0].Density = &n, &d
	var h bytes.Buffer
	if err := WriteHTML(&h, r, contours); err != nil {
		t.Fatal(err)
	}
	// The GP row of the professions table holds the territory's count and
	// density first (5,8 also appears elsewhere on the page).
	page := h.String()
	label := professionLabel(r.Professions[0])
	i := strings.Index(page, ">"+label+"<")
	if i < 0 {
		t.Fatalf("row %q missing", label)
	}
	row := page[i:]
	row = row[:strings.Index(row, "</tr>")]
	c, d2 := strings.Index(row, ">17<"), strings.Index(row, ">5,8<")
	if c < 0 || d2 < c {
		t.Errorf("territory count 17 then density 5,8 missing from the row: %s", row)
	}
	var x bytes.Buffer
	if err := WriteXLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetProfessionals, excelize.Options{RawCellValue: true})
	found := false
	for _, row := range rows {
		if len(row) > 2 && row[0] == professionLabel(r.Professions[0]) && row[1] == "17" {
			found = true
		}
	}
	if !found {
		t.Errorf("territory count 17 is not the first value of the %q row", r.Professions[0].Label)
	}
}
