package templates

import (
	"bytes"
	"errors"
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

// failingWriter fails every write, as a full disk or a closed pipe does.
type failingWriter struct{ calls int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.calls++
	return 0, errors.New("no space left on device")
}

// TestTableLayout: the Nemours table prints its header, its row and its
// footer, numbers right-aligned and text left-aligned; without a footer
// the table closes after its rows.
func TestTableLayout(t *testing.T) {
	for _, tc := range []struct {
		tab  Table
		want string
	}{
		{Table{Header: []string{"Code", "Population"}, Rows: [][]string{{"77333", "12889"}}, Footer: []string{"1 commune", "12889"}, Numeric: []bool{false, true}},
			"┌───────────┬────────────┐\n│   Code    │ Population │\n├───────────┼────────────┤\n│ 77333     │      12889 │\n├───────────┼────────────┤\n│ 1 commune │      12889 │\n└───────────┴────────────┘\n"},
		{Table{Header: []string{"Code", "Population"}, Rows: [][]string{{"77333", "12889"}}, Footer: []string{}, Numeric: []bool{false, true}},
			"┌───────┬────────────┐\n│ Code  │ Population │\n├───────┼────────────┤\n│ 77333 │      12889 │\n└───────┴────────────┘\n"},
	} {
		var b bytes.Buffer
		if err := tc.tab.Render(&b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tc.want {
			t.Errorf("table\n%s\nwant\n%s", b.String(), tc.want)
		}
	}
}

// TestTableWriteError: a table that cannot be written reports the
// writer's error (tablewriter itself drops it).
func TestTableWriteError(t *testing.T) {
	w := &failingWriter{}
	err := (&Table{Header: []string{"Code", "Commune"}, Rows: [][]string{{"77333", "Nemours"}}}).Render(w)
	if err == nil || err.Error() != "no space left on device" || w.calls == 0 {
		t.Errorf("render to a failing writer: %v after %d writes, want its error", err, w.calls)
	}
}
