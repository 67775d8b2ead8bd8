package templates

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/xuri/excelize/v2"
)

// excelizeCols is the <cols> element excelize's stream writer writes for a
// worksheet whose widths were set by these SetColWidth calls.
func excelizeCols(t *testing.T, calls []colRange) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for _, c := range calls {
		from, _ := excelize.ColumnNumberToName(c.min)
		to, _ := excelize.ColumnNumberToName(c.max)
		if err := f.SetColWidth("Sheet1", from, to, c.width); err != nil {
			t.Fatal(err)
		}
	}
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{1}); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sheet := unzipParts(t, buf.Bytes())["xl/worksheets/sheet1.xml"]
	i, j := bytes.Index(sheet, []byte("<cols>")), bytes.Index(sheet, []byte("</cols>"))
	if i < 0 || j < i {
		t.Fatalf("no <cols> in %s", sheet)
	}
	return sheet[i : j+len("</cols>")]
}

// TestSetColWidthAsExcelize: setColWidth keeps the columns as excelize's
// SetColWidth does, for any sequence of ranges (overlapping ones too).
func TestSetColWidthAsExcelize(t *testing.T) {
	cases := [][]colRange{
		{{1, 3, 10}},
		{{3, 5, 10}, {1, 2, 12}},
		{{1, 5, 10}, {2, 3, 20}},
		{{2, 2, 9}, {1, 4, 11.5}},
		{{4, 4, 8.43}, {3, 3, 12}, {1, 2, 40}},
	}
	rng := rand.New(rand.NewPCG(14, 2026))
	for range 100 {
		var calls []colRange
		for range 1 + rng.IntN(5) {
			lo := 1 + rng.IntN(8)
			calls = append(calls, colRange{lo, lo + rng.IntN(4), float64(5 + rng.IntN(60))})
		}
		cases = append(cases, calls)
	}
	for _, calls := range cases {
		var cols []colRange
		for _, c := range calls {
			cols = setColWidth(cols, c.min, c.max, c.width)
		}
		if got, want := colsElement(cols), excelizeCols(t, calls); !bytes.Equal(got, want) {
			t.Errorf("%v:\n got %s\nwant %s", calls, got, want)
		}
	}
}

func TestInsertCols(t *testing.T) {
	cols := []byte(`<cols><col min="1" max="1" width="9" customWidth="1"/></cols>`)
	got, err := insertCols([]byte(`<worksheet><sheetViews/><sheetData><row r="1"/></sheetData></worksheet>`), cols)
	if want := `<worksheet><sheetViews/>` + string(cols) + `<sheetData><row r="1"/></sheetData></worksheet>`; err != nil || string(got) != want {
		t.Errorf("got %s, %v; want %s", got, err, want)
	}
	for _, bad := range []string{`<worksheet><sheetData/></worksheet>`, `<worksheet>` + string(cols) + `<sheetData></sheetData></worksheet>`} {
		if _, err := insertCols([]byte(bad), cols); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
