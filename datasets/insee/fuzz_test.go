package insee

import (
	"bytes"
	"os"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func checkErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	if pe, ok := parseerr.As(err); !ok || pe.File != "fuzz.csv" {
		t.Fatalf("error %v (%T) is not a positioned parse error", err, err)
	}
}

func validCode(c string) bool {
	n, ok := textio.CommuneCode(c)
	return ok && n == c
}

func addFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadPopulations checks the populations reader never panics, fails
// with positioned errors and returns valid codes and counts.
func FuzzReadPopulations(f *testing.F) {
	addFiles(f, "testdata/pop_2021_bom_crlf.csv", "testdata/pop_old_cp1252.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		err := ReadPopulations(bytes.NewReader(b), "fuzz.csv", func(p Population) error {
			if !validCode(p.Code) || p.PMUN < 0 || p.PTOT < 0 || p.Line < 2 {
				t.Fatalf("bad record %+v", p)
			}
			return nil
		})
		checkErr(t, err)
	})
}

// FuzzReadAgeStructure does the same for the census age files.
func FuzzReadAgeStructure(f *testing.F) {
	addFiles(f, "testdata/age_cc_2021_semicolon.csv", "testdata/age_cc_2021_comma_crlf.csv", "testdata/age_iris.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		err := ReadAgeStructure(bytes.NewReader(b), "fuzz.csv", func(a AgeRecord) error {
			if !validCode(a.Commune) || a.Code == "" || a.Total < 0 || a.Year < 1960 {
				t.Fatalf("bad record %+v", a)
			}
			return nil
		})
		checkErr(t, err)
	})
}
