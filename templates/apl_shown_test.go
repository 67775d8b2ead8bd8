package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestAPLAboveThresholdShownSo: Digne-les-Bains (04070) is published by
// the DREES at 2,501 for 2023, above the 2,5 threshold. It is classified
// "middle" with its own value (METHOD.md), and every output shows it with
// the three decimals that say so: "2,501" in the commune table with the
// middle colour, in the card and the charts' tips, and a "0.000" format
// in the workbook, whose colour rules compare the value itself.
func TestAPLAboveThresholdShownSo(t *testing.T) {
	rep, _ := testReport(t, "04070")
	c := rep.Communes[0]
	if c.APL2023 == nil || *c.APL2023 != 2.501 || c.APLClass != "middle" {
		t.Fatalf("Digne-les-Bains: APL %v, class %q, want 2.501, middle", c.APL2023, c.APLClass)
	}
	page, _ := renderHTML(t, "04070")
	if !strings.Contains(page, `<td class="apl apl-middle">2,501</td>`) {
		t.Error("commune table: no middle-coloured 2,501")
	}
	if strings.Contains(page, ">2,50<") || strings.Contains(page, "APL 2023 : 2,50\\u003c") {
		t.Error("an APL of 2,501 is shown 2,50 somewhere")
	}
	if n := strings.Count(page, "2,501"); n < 6 {
		t.Errorf("2,501 shown %d times, want the card, the tables and the tips", n)
	}
	// The bar charts of the levels and of the communes label the bar with
	// three decimals too: the item carries its own decimals for report.js.
	for _, id := range []string{"apl-niveaux", "apl-communes"} {
		i := strings.Index(page, `"id":"`+id+`"`)
		if i < 0 {
			i = strings.Index(page, `"chartId":"`+id+`"`)
		}
		if i < 0 || !strings.Contains(page[i:min(len(page), i+4000)], `{"dec":3,`) {
			t.Errorf("chart %s: no item with 3 decimals", id)
		}
	}
	if strings.Count(page, `"dec":3,`) != 2 {
		t.Errorf("%d chart items with 3 decimals, want 2 (Digne's bar in each chart)", strings.Count(page, `"dec":3,`))
	}

	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "04070")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := findRow(t, f, SheetCommunes, "04070")
	assertNumberPrefix(t, f, SheetCommunes, cell(8, row), "2.501", "0.000")
	if v, _ := f.GetCellValue(SheetCommunes, cell(10, row)); v != ClassLabel("middle", rep.Thresholds) {
		t.Errorf("Communes class cell %q, want %q", v, ClassLabel("middle", rep.Thresholds))
	}
	// The territory's mean is that commune's value: the indicators sheet
	// shows it with three decimals too.
	ind := findRow(t, f, SheetIndicators, "APL 2023 (consultations/an/hab.)")
	assertNumberPrefix(t, f, SheetIndicators, cell(2, ind), "2.501", "0.000")
	// APLs away from the thresholds keep two decimals (France: 3,74).
	assertNumberPrefix(t, f, SheetIndicators, cell(5, ind), "3.74", "#,##0.00")
}
