package cpts

import (
	"bytes"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// FuzzRead checks that Read never panics, that it fails only with a
// positioned *parseerr.Error, and that accepted members are well formed.
// The seed corpus is testdata/fuzz/FuzzRead (copies of the fixtures).
func FuzzRead(f *testing.F) {
	f.Add([]byte("cpts_nom;code_commune_insee;statut\nCPTS A;77333;en projet\n\"B;C\";1001;\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		last := 0
		err := Read(bytes.NewReader(b), "fuzz.csv", func(m Member) error {
			if c, ok := textio.CommuneCode(m.Commune); !ok || c != m.Commune {
				t.Fatalf("bad commune %q", m.Commune)
			}
			if m.CPTS == "" || m.Line <= last {
				t.Fatalf("bad member %+v after line %d", m, last)
			}
			last = m.Line
			return nil
		})
		if err != nil {
			if pe, ok := parseerr.As(err); !ok || pe.File != "fuzz.csv" {
				t.Fatalf("error %v (%T) is not a positioned parse error", err, err)
			}
		}
	})
}
