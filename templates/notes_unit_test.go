package templates

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestNotebookRules: one number per distinct reason across the page, listed
// in ascending order in each section; a note added twice to a figure shows
// once; a partial figure keeps its value and is marked partial, an unknown
// one reads n.d.
func TestNotebookRules(t *testing.T) {
	b := newNotebook()
	gaps := []diagnostic.Gap{
		{Field: "a", Status: diagnostic.GapPartial, Reason: "partielle"},
		{Field: "b", Status: diagnostic.GapUnknown, Reason: "inconnue"},
	}
	// Numbers follow the order reasons are first met on the page: b is 1.
	fb := b.cell("s", gaps, "b", "x", true)
	fa := b.cell("s", gaps, "a", "12", false)
	if fb.Text != NA || fb.Partial || len(fb.Notes) != 1 || fb.Notes[0] != 1 {
		t.Errorf("unknown figure %+v", fb)
	}
	if fa.Text != "12" || !fa.Partial || len(fa.Notes) != 1 || fa.Notes[0] != 2 {
		t.Errorf("partial figure %+v", fa)
	}
	b.ref("t", "partielle") // same reason elsewhere: same number
	b.ref("s", "autre")
	if got := b.section("t"); len(got) != 1 || got[0].N != 2 {
		t.Errorf("section t %+v", got)
	}
	got := b.section("s")
	if len(got) != 3 || got[0].N != 1 || got[1].N != 2 || got[2].N != 3 {
		t.Errorf("section s not in ascending order: %+v", got)
	}
	f := b.withNote(plain("5"), "s", "inconnue")
	f = b.withNote(f, "s", "inconnue")
	if len(f.Notes) != 1 || f.Notes[0] != 1 {
		t.Errorf("a note added twice: %+v", f.Notes)
	}
	if c := b.cell("s", nil, "c", "7", false); c.Text != "7" || len(c.Notes) != 0 {
		t.Errorf("complete figure %+v", c)
	}
}

// TestGeoJSONPointWithoutContour: a commune whose contour is missing or
// empty is exported as its point, never as an empty geometry.
func TestGeoJSONPointWithoutContour(t *testing.T) {
	r, contours := testReport(t, "77333")
	for _, cs := range []map[string]json.RawMessage{{}, {"77333": json.RawMessage("")}} {
		var out bytes.Buffer
		if err := WriteGeoJSON(&out, r, cs); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `"type":"Point"`) {
			t.Errorf("no point geometry: %.300s", out.String())
		}
	}
	var out bytes.Buffer
	if err := WriteGeoJSON(&out, r, contours); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), `"type":"Point"`) {
		t.Error("a commune with a contour exported as a point")
	}
}
