package insee

import (
	"fmt"
	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func readPops(t *testing.T, path string) ([]Population, error) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Population
	err = ReadPopulations(f, filepath.Base(path), func(p Population) error { out = append(out, p); return nil })
	return out, err
}

func readAges(t *testing.T, path string) ([]AgeRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []AgeRecord
	err = ReadAgeStructure(f, filepath.Base(path), func(a AgeRecord) error { out = append(out, a); return nil })
	return out, err
}

func errLine(t *testing.T, path string, err error) string {
	if strings.Contains(filepath.Base(path), "err_") {
		if _, ok := parseerr.As(err); !ok {
			t.Fatalf("want a *parseerr.Error, got %v", err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	if err != nil {
		return fmt.Sprintln("error:", err)
	}
	return ""
}

func TestGoldenPopulations(t *testing.T) {
	golden.Each(t, "*pop_*.csv", func(t *testing.T, path string) string {
		recs, err := readPops(t, path)
		var b strings.Builder
		for _, p := range recs {
			fmt.Fprintf(&b, "%d %s %q pmun=%d ptot=%d\n", p.Line, p.Code, p.Name, p.PMUN, p.PTOT)
		}
		return b.String() + errLine(t, path, err)
	})
}

func TestGoldenAges(t *testing.T) {
	golden.Each(t, "*age_*.csv", func(t *testing.T, path string) string {
		recs, err := readAges(t, path)
		var b strings.Builder
		for _, a := range recs {
			fmt.Fprintf(&b, "%d %s %s %d total=%g bands=%g split75=%v\n", a.Line, a.Code, a.Commune, a.Year, a.Total, a.Bands, a.Split75)
		}
		return b.String() + errLine(t, path, err)
	})
}

func TestPopulations(t *testing.T) {
	recs, err := readPops(t, "testdata/pop_old_cp1252.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Population{
		{"48095", "Mende", 12316, 12930, 2},
		{"97101", "Les Abymes", 53514, 54215, 3},
		{"97411", "Saint-Denis", 153810, 155820, 4},
		{"01001", "Hameau créé", 10, 10, 5},
	}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Fatalf("got  %v\nwant %v", recs, want)
	}
	recs, err = readPops(t, "testdata/pop_2021_bom_crlf.csv")
	if err != nil || len(recs) != 4 || recs[1].Code != "2A004" || recs[3].PMUN != 2133111 || recs[2].Name != "Les Abymes" {
		t.Fatalf("got %v, %v", recs, err)
	}
}

func TestAgeStructure(t *testing.T) {
	for _, path := range []string{"testdata/age_cc_2021_semicolon.csv", "testdata/age_cc_2021_comma_crlf.csv"} {
		recs, err := readAges(t, path)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 3 {
			t.Fatalf("%s: %d records", path, len(recs))
		}
		a := recs[0]
		// P15 columns must be ignored: 2021 is the most recent year.
		if a.Code != "01001" || a.Year != 2021 || a.Total != 832 || a.Bands[Band0014] != 150.25 || a.Bands[Band90P] != 11 || !a.Split75 || a.P75() != 91.75 {
			t.Errorf("%s: %+v", path, a)
		}
		if recs[2].Code != "01002" {
			t.Errorf("%s: code not left-padded: %q", path, recs[2].Code)
		}
	}
	recs, err := readAges(t, "testdata/age_iris.csv")
	if err != nil {
		t.Fatal(err)
	}
	if a := recs[0]; a.Code != "060010000" || a.Commune != "06001" || a.Year != 2019 || a.Split75 || a.Total != 94 || math.Abs(a.P75()-9.09677419354839) > 1e-12 {
		t.Errorf("IRIS: %+v", a)
	}
}

// TestRealAlpesMaritimes reads the per-commune sums of the INSEE IRIS file
// for the Alpes-Maritimes: 163 communes, 1,094,283 inhabitants (RP 2019).
func TestRealAlpesMaritimes(t *testing.T) {
	path := rawdata.Path(t, "insee-pop-age-iris-06/pop_age_communes_06_2019.csv")
	recs, err := readAges(t, path)
	if err != nil {
		t.Fatal(err)
	}
	total, p75 := 0.0, 0.0
	for _, a := range recs {
		total += a.Total
		p75 += a.P75()
	}
	if len(recs) != 163 || math.Round(total) != 1094283 || p75/total < 0.10 || p75/total > 0.16 {
		t.Errorf("%d communes, total %.1f, share 75+ %.3f", len(recs), total, p75/total)
	}
}
