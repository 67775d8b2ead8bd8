package templates

import (
	"bytes"
	"encoding/json"
	"html/template"
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

// figTemplate is the sub-template the page called for each figure before
// fig.HTML made it in Go: the oracle fig.HTML must match, byte for byte.
const figTemplate = `{{define "fig"}}{{.Text}}{{if .Notes}}<sup class="fn">{{range $i, $n := .Notes}}{{if $i}},{{end}}<a href="#note-{{$.Sec}}-{{$n}}" aria-label="note {{$n}}">{{$n}}</a>{{end}}</sup>{{end}}{{end}}<td>{{template "fig" .}}</td>`

// TestFigHTML: fig.HTML writes what html/template wrote through the fig
// sub-template, for texts with every ASCII character, non-ASCII and
// invalid UTF-8, in every section, with none, one or several notes.
func TestFigHTML(t *testing.T) {
	oracle := template.Must(template.New("td").Parse(figTemplate))
	var ascii strings.Builder
	for c := 0; c < 128; c++ {
		ascii.WriteByte(byte(c))
	}
	texts := []string{"", "n.d.", "2,45", "1\u00a0234", ascii.String(), "<b>A & B</b> +1 'x' \"y\"", "Saint-Étienne-du-Grès",
		"bad \xff\xfe utf-8", "\ufdd0\uffff\u2028", "a\x00b"}
	notes := [][]int{nil, {1}, {3, 12, 100}}
	for _, sec := range []string{"", secSynthese, secTerritoire, secPros, secAccess, secOffre, secMethode} {
		for _, text := range texts {
			for _, n := range notes {
				f := fig{Text: text, Notes: n, Sec: sec}
				var want strings.Builder
				if err := oracle.Execute(&want, f); err != nil {
					t.Fatal(err)
				}
				if got := "<td>" + string(f.HTML()) + "</td>"; got != want.String() {
					t.Errorf("%+v:\n got %q\nwant %q", f, got, want.String())
				}
			}
		}
	}
}
