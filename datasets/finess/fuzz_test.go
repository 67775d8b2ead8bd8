package finess

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// fuzzRead runs read on b and checks the contract shared by all readers:
// no panic, errors are positioned *parseerr.Error values, records are well
// formed and come in file order.
func fuzzRead(t *testing.T, b []byte, read func(io.Reader, string, func(Establishment) error) error) {
	last := 0
	err := read(bytes.NewReader(b), "fuzz.csv", func(e Establishment) error {
		if !validFiness(e.Finess) {
			t.Fatalf("invalid FINESS accepted: %q", e.Finess)
		}
		if e.Commune != "" {
			if c, ok := textio.CommuneCode(e.Commune); !ok || c != e.Commune {
				t.Fatalf("invalid commune accepted: %q", e.Commune)
			}
		}
		if e.HasPoint != (e.EPSG != 0) || e.HasPoint && !validLonLat(e.Lon, e.Lat) || !e.HasPoint && (e.Lat != 0 || e.Lon != 0) {
			t.Fatalf("inconsistent point: %+v", e)
		}
		if e.Line <= last {
			t.Fatalf("line %d after %d", e.Line, last)
		}
		last = e.Line
		return nil
	})
	if err != nil {
		if pe, ok := parseerr.As(err); !ok || pe.File != "fuzz.csv" {
			t.Fatalf("error %v (%T) is not a positioned parse error", err, err)
		}
	}
}

func seed(f *testing.F, paths ...string) {
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzReadStock fuzzes the etalab stock reader (seed corpus:
// testdata/fuzz/FuzzReadStock and the stock fixtures).
func FuzzReadStock(f *testing.F) {
	seed(f, "testdata/stock_utf8.csv", "testdata/stock_cp1252.csv")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, ReadStock) })
}

// FuzzReadFlat fuzzes the flat 2021 reader.
func FuzzReadFlat(f *testing.F) {
	seed(f, "testdata/flat.csv")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, ReadFlat) })
}

// FuzzReadOccitanie fuzzes the Occitanie reader, including over-long rows.
func FuzzReadOccitanie(f *testing.F) {
	seed(f, "testdata/occitanie.csv")
	f.Fuzz(func(t *testing.T, b []byte) { fuzzRead(t, b, ReadOccitanie) })
}

// FuzzReadPlus fuzzes the FiNESS+ JSON reader (seed corpus:
// testdata/fuzz/FuzzReadPlus, small files: the fuzzer mutates big ones
// slowly): no panic, errors
// are positioned *parseerr.Error values, every record has a valid FINESS
// number, a valid or empty commune, a category, a point in WGS84 range
// exactly when it has a coordinate system (its other readings too), and
// records come in file order.
func FuzzReadPlus(f *testing.F) {
	seed(f, "testdata/plus_array.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		last := 0
		_, err := readPlus(bytes.NewReader(b), "fuzz.json", "2026-05-04", func(e Establishment) error {
			if !validFiness(e.Finess) || e.Category == "" {
				t.Fatalf("invalid FINESS or no category accepted: %q %q", e.Finess, e.Category)
			}
			if e.Commune != "" {
				if c, ok := textio.CommuneCode(e.Commune); !ok || c != e.Commune {
					t.Fatalf("invalid commune accepted: %q", e.Commune)
				}
			}
			if e.HasPoint != (e.EPSG != 0) || e.HasPoint && !validLonLat(e.Lon, e.Lat) || !e.HasPoint && (e.Lat != 0 || e.Lon != 0 || len(e.OtherPoints) > 0) {
				t.Fatalf("inconsistent point: %+v", e)
			}
			for _, p := range e.OtherPoints {
				if p.EPSG == 0 || !validLonLat(p.Lon, p.Lat) {
					t.Fatalf("invalid other reading: %+v", e)
				}
			}
			if e.Line < 1 || e.Line < last {
				t.Fatalf("line %d after %d", e.Line, last)
			}
			last = e.Line
			return nil
		})
		if err != nil {
			if pe, ok := parseerr.As(err); !ok || pe.File != "fuzz.json" || pe.Line < 1 || pe.Column < 0 {
				t.Fatalf("error %v (%T) is not a positioned parse error", err, err)
			}
		}
	})
}
