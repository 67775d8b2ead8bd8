package templates

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// unzipParts reads every part of a workbook.
func unzipParts(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = body
	}
	return parts
}

// TestXLSXPartsAsExcelize: the workbook whose comment parts are rendered
// by xlsx_comments.go, and whose column widths are inserted by
// xlsx_cols.go, has the parts, byte for byte, of the workbook where
// excelize adds every comment and sets every width, for territories with
// few and many notes (Paris has no GP counts by commune, Mayotte no APL),
// with and without the travel-time figures, with streamed sheets (a
// région); and in the same order.
func TestXLSXPartsAsExcelize(t *testing.T) {
	total := 0
	for _, c := range []struct {
		items  []string
		access bool
		min    int // comments at least
	}{
		{[]string{"epci:200023240"}, false, 150},
		{[]string{"epci:200023240"}, true, 150},
		{[]string{"75108"}, false, 20},
		{[]string{"77333"}, false, 20},
		{[]string{"dep:976"}, false, 20},
		{[]string{"13055"}, true, 20},
		{[]string{"cpts:La Seyne Toulon ouest"}, false, 20},
		{[]string{"dep:48"}, false, 20},
		{[]string{"reg:24"}, false, 20}, // streamed sheets (1,700 communes)
	} {
		rep, _ := testReport(t, c.items...)
		if c.access {
			withAccess(rep)
		}
		var fast, ref bytes.Buffer
		if err := WriteXLSX(&fast, rep); err != nil {
			t.Fatal(err)
		}
		if err := writeXLSX(&ref, rep, true); err != nil {
			t.Fatal(err)
		}
		got, want := unzipParts(t, fast.Bytes()), unzipParts(t, ref.Bytes())
		if len(got) != len(want) {
			t.Errorf("%v: %d parts, excelize writes %d", c.items, len(got), len(want))
		}
		comments := 0
		for name, w := range want {
			if !bytes.Equal(got[name], w) {
				t.Errorf("%v: part %s differs from excelize's:\n got %.300q\nwant %.300q", c.items, name, got[name], w)
			}
			if strings.HasPrefix(name, "xl/comments") {
				comments += bytes.Count(w, []byte("<comment "))
			}
		}
		if comments < c.min {
			t.Errorf("%v: %d comments, want at least %d", c.items, comments, c.min)
		}
		total += comments
		for name, w := range want {
			if strings.HasPrefix(name, "xl/worksheets/sheet") && !bytes.Contains(w, []byte("<cols>")) {
				t.Errorf("%v: %s has no column widths", c.items, name)
			}
		}
		// Same parts in the same order: the same file.
		if !bytes.Equal(fast.Bytes(), ref.Bytes()) {
			t.Errorf("%v: the workbook differs from excelize's way (%d and %d bytes)", c.items, fast.Len(), ref.Len())
		}
		// Again, with the parts kept from the first time (stylesParts).
		var again bytes.Buffer
		if err := WriteXLSX(&again, rep); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again.Bytes(), ref.Bytes()) {
			t.Errorf("%v: the workbook written again differs from excelize's way", c.items)
		}
	}
	t.Logf("%d comments compared", total)
}

// TestTruncateUTF16 cuts as excelize does: at most n UTF-16 units, on a
// rune boundary (𝄞 takes two units, é one).
func TestTruncateUTF16(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"}, {"abcd", 3, "abc"}, {"ééé", 2, "éé"}, {"ééé", 3, "ééé"},
		{"a𝄞b", 2, "a"}, {"a𝄞b", 3, "a𝄞"}, {"𝄞𝄞", 3, "𝄞"}, {"", 0, ""},
	} {
		if got := truncateUTF16(c.s, c.n); got != c.want {
			t.Errorf("truncateUTF16(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// TestCommentAnchorsAsExcelize: on a sheet with set widths and heights
// (columns of exactly 160 pixels, rows of exactly 55, so that a box ends
// on a cell's edge), comments up to the last set column and past it are
// anchored as excelize anchors them.
func TestCommentAnchorsAsExcelize(t *testing.T) {
	write := func(viaExcelize bool) map[string][]byte {
		f := excelize.NewFile()
		defer f.Close()
		st, err := newStyles(f)
		if err != nil {
			t.Fatal(err)
		}
		st.viaExcelize = viaExcelize
		w := newSheet(f, "Sheet1", st)
		w.mirrored()
		w.widths(20, 20, 9, 30, 20)
		for _, r := range []int{3, 4, 8} {
			w.rowHeight(r, 46.75)
		}
		for _, c := range [][2]int{{1, 1}, {1, 3}, {2, 3}, {4, 4}, {5, 2}, {6, 7}, {9, 9}, {3, 8}} {
			w.set(c[0], c[1], 1, st.int)
			w.note(c[0], c[1], fmt.Sprintf("raison %d-%d", c[0], c[1]))
		}
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return unzipParts(t, buf.Bytes())
	}
	got, want := write(false), write(true)
	if len(got) != len(want) {
		t.Errorf("%d parts, excelize writes %d", len(got), len(want))
	}
	for name, w := range want {
		if !bytes.Equal(got[name], w) {
			t.Errorf("part %s differs from excelize's:\n got %.600q\nwant %.600q", name, got[name], w)
		}
	}
	if vml := string(want["xl/drawings/vmlDrawing1.vml"]); !strings.Contains(vml, "<x:Anchor>0, 23, 0, 0, 2, 0, ") || strings.Count(vml, "<v:shape ") != 8 {
		t.Errorf("the boxes do not end on the 160-pixel columns' edge:\n%.2000s", vml)
	}
}
