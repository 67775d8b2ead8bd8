package rpps

import (
	"bytes"
	"os"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func addFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	if pe, ok := parseerr.As(err); !ok || pe.File != "fuzz.txt" {
		t.Fatalf("error %v (%T) is not a positioned parse error", err, err)
	}
}

// FuzzRead checks that the activity reader and the aggregator never panic,
// fail only with positioned errors, and that every accepted line is counted.
func FuzzRead(f *testing.F) {
	addFiles(f, "testdata/activity_52cols_bom_crlf.txt", "testdata/activity_nosf.txt", "testdata/activity_cp1252.txt")
	// The 56-column header of the file data.gouv publishes now
	// (ps-libreacces-personne-activite.txt), with and without savoir-faire.
	for _, noSF := range []bool{false, true} {
		var buf bytes.Buffer
		writeNational(&buf, genOptions{Lines: 4, Seed: 3, NoSF: noSF})
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := NewAggregator()
		persons := map[string]bool{}
		last := 0
		err := Read(bytes.NewReader(b), "fuzz.txt", func(a *Activity) error {
			if a.Line <= last || a.Profession == "" || a.NationalID == "" && a.ID == "" {
				t.Fatalf("bad activity %+v after line %d", a, last)
			}
			if a.Commune != "" {
				if c, ok := textio.CommuneCode(a.Commune); !ok || c != a.Commune {
					t.Fatalf("bad commune %q", a.Commune)
				}
			}
			last = a.Line
			persons[identity(a.NationalID, a.ID)+"\x00"+a.Profession] = true
			g.Add(a)
			return nil
		})
		checkErr(t, err)
		total := 0.0
		for _, c := range g.Counts() {
			total += c.Share
		}
		if d := total - float64(len(persons)); d > 1e-6 || d < -1e-6 {
			t.Fatalf("shares add up to %v for %d professionals", total, len(persons))
		}
	})
}

// FuzzReadSavoirFaire does the same for the companion reader.
func FuzzReadSavoirFaire(f *testing.F) {
	addFiles(f, "testdata/savoirfaire.txt")
	f.Fuzz(func(t *testing.T, b []byte) {
		err := ReadSavoirFaire(bytes.NewReader(b), "fuzz.txt", func(s *SavoirFaire) error {
			if s.NationalID == "" && s.ID == "" {
				t.Fatalf("no identifier: %+v", s)
			}
			return nil
		})
		checkErr(t, err)
	})
}
