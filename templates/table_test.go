package templates

import (
	"bytes"
	"strings"
	"testing"
)

// A table ends its last line whatever it holds, so that a note or a path
// printed after it starts a line of its own ("┘note: …" otherwise).
func TestTableEndsWithNewline(t *testing.T) {
	for name, tab := range map[string]Table{
		"header only": {Header: []string{"Code", "Commune"}},
		"rows":        {Header: []string{"Code", "Commune"}, Rows: [][]string{{"77333", "Nemours"}}},
		"footer": {Header: []string{"Code", "Population"}, Rows: [][]string{{"77333", "12889"}},
			Footer: []string{"1 commune", "12889"}, Numeric: []bool{false, true}},
	} {
		var b bytes.Buffer
		if err := tab.Render(&b); err != nil {
			t.Fatal(err)
		}
		if out := b.String(); !strings.HasSuffix(out, "┘\n") || strings.HasSuffix(out, "\n\n") {
			t.Errorf("%s: table ends with %q", name, out[max(0, len(out)-12):])
		}
	}
}
