package templates

import (
	"bytes"
	"encoding/xml"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeStreamed writes a workbook with one streamed sheet holding cells
// (row → values from column 1) and heights, rendered by rowsXML or, with
// viaExcelize, by excelize's StreamWriter.SetRow; rendered tells whether
// rowsXML rendered the rows.
func writeStreamed(t *testing.T, cells map[int][]any, heights map[int]float64, viaExcelize bool) (parts map[string][]byte, rendered bool) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		t.Fatal(err)
	}
	st.viaExcelize = viaExcelize
	w := newSheet(f, "Sheet1", st)
	w.streamed()
	w.widths(12, 30, 8)
	for row, vs := range cells {
		for i, v := range vs {
			if v != nil {
				w.set(i+1, row, v, st.text)
			}
		}
	}
	for row, h := range heights {
		w.rowHeight(row, h)
	}
	// A cell without a value, and one without a style.
	w.rows[1] = append(w.rows[1], excelize.Cell{StyleID: st.bold}, excelize.Cell{Value: "sans style"})
	w.merges = append(w.merges, [2]string{"A20", "C20"})
	if err := w.flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return unzipParts(t, buf.Bytes()), len(st.rows) > 0
}

// TestRowsXMLAsStreamWriter: the rows rowsXML renders are the bytes
// excelize's SetRow writes, for texts to escape (quotes, markup, blanks at
// either end, control characters, invalid UTF-8, characters outside XML),
// numbers of more than 15 significant digits, and row heights; the cells
// it does not render leave the sheet to SetRow.
func TestRowsXMLAsStreamWriter(t *testing.T) {
	cells := map[int][]any{
		1:  {"Taux d'équipement", `« guillemets » "droits"`, "a<b>&c"},
		2:  {"\tà la tabulation", "ligne 1\nligne 2\n", " blanc devant"},
		3:  {"blanc derrière ", "retour\r chariot", "ctl\x01\x1f fin"},
		4:  {"bad \xff\xfe utf-8", "\uFFFE\uFFFF hors XML", "\uFFFD vrai remplaçant"},
		5:  {"𝄞 clé de sol", "", "x_y (pas d'échappement)"},
		6:  {0.1, 1e-7, 123456789.123456789},
		7:  {1.0000000000000002, 1e21, -0.0},
		8:  {math.MaxFloat64, -2.5, 12345678901234567890.0},
		9:  {0, -5, 1 << 40},
		10: {nil, "trou devant", nil},
		12: {strings.Repeat("é", 20000), 33.333333333333336, 2.0 / 3},
	}
	heights := map[int]float64{2: 30.75, 3: 0, 6: 409, 11: 20}
	got, rendered := writeStreamed(t, cells, heights, false)
	want, _ := writeStreamed(t, cells, heights, true)
	if !rendered {
		t.Fatal("rowsXML did not render the rows: the comparison is void")
	}
	if len(got) != len(want) {
		t.Errorf("%d parts, excelize writes %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("part %s differs from excelize's:\n got %q\nwant %q", name, got[name], w)
		}
	}
	if s := string(want["xl/worksheets/sheet1.xml"]); !strings.Contains(s, `xml:space="preserve"`) || !strings.Contains(s, "&#39;") || !strings.Contains(s, `ht="30.75"`) {
		t.Errorf("the sheet lacks the cases compared: %.2000s", s)
	}

	// Cells excelize rewrites or rejects: the sheet is left to SetRow.
	for _, v := range []any{"_x0041_ échappé", strings.Repeat("é", excelize.TotalCellChars+1), math.NaN(), math.Inf(1), int64(3), true} {
		c := map[int][]any{1: {"a", v}}
		got, rendered := writeStreamed(t, c, nil, false)
		want, _ := writeStreamed(t, c, nil, true)
		if rendered {
			t.Errorf("%.20v: rendered by rowsXML, want SetRow", v)
		}
		if !bytes.Equal(got["xl/worksheets/sheet1.xml"], want["xl/worksheets/sheet1.xml"]) {
			t.Errorf("%.20v: the sheet differs from excelize's", v)
		}
	}
	w := &sheet{rows: map[int][]any{1: {excelize.Cell{Value: "a"}}}, heights: map[int]float64{1: excelize.MaxRowHeight + 1}}
	if _, ok := w.rowsXML(nil, []int{1}); ok {
		t.Error("a row taller than excelize allows: rendered, want SetRow's error")
	}
	w = &sheet{rows: map[int][]any{1: {excelize.Cell{Value: "a", Formula: "1+1"}}}, heights: map[int]float64{}}
	if _, ok := w.rowsXML(nil, []int{1}); ok {
		t.Error("a formula: rendered, want SetRow")
	}
}

// TestAppendXMLTextAsEscapeText: appendXMLText writes what
// xml.EscapeText writes, and appendEscapedText the same but for the line
// feeds, kept, on every byte, invalid UTF-8 and characters outside XML.
func TestAppendXMLTextAsEscapeText(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 256; c++ {
		all.WriteByte(byte(c))
	}
	for _, s := range []string{"", all.String(), "l'accès « x » & <y>\n\r\t", "bad \xff\xfe\xc3", "\uFFFE\uFFFF\uFFFD\U0001F600\u2028", "\x00\x1f"} {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendXMLText([]byte("x"), s); string(got) != "x"+want.String() {
			t.Errorf("appendXMLText(%q) = %q, want %q", s, got[1:], want.String())
		}
		if got, kept := appendEscapedText(nil, s), strings.ReplaceAll(want.String(), "&#xA;", "\n"); string(got) != kept {
			t.Errorf("appendEscapedText(%q) = %q, want %q", s, got, kept)
		}
	}
}

// FuzzAppendXMLText: on any text, appendXMLText writes what
// xml.EscapeText writes.
func FuzzAppendXMLText(f *testing.F) {
	for _, s := range []string{"l'accès « x » & <y>\n\r\t", "bad \xff\xfe\xc3", "\uFFFE\uFFFF\uFFFD\U0001F600\u2028\x00", "\xc3\x28 \xdf\xbf \xe0\x80\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := appendXMLText(nil, s); string(got) != want.String() {
			t.Fatalf("appendXMLText(%q) = %q, want %q", s, got, want.String())
		}
	})
}
