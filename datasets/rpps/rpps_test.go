package rpps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func TestGolden(t *testing.T) {
	golden.Each(t, "*.txt", func(t *testing.T, path string) string {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b strings.Builder
		name := filepath.Base(path)
		if strings.HasPrefix(name, "savoirfaire") || strings.HasPrefix(name, "err_sf") {
			err = ReadSavoirFaire(f, name, func(s *SavoirFaire) error {
				fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s|%s|%s\n", s.Line, s.IDType, s.ID, s.NationalID, s.Profession, s.Type, s.Code, s.Label)
				return nil
			})
		} else {
			err = Read(f, name, func(a *Activity) error {
				fmt.Fprintf(&b, "%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", a.Line, a.IDType, a.ID, a.NationalID, a.Profession, a.ProfessionLabel,
					a.Category, a.SavoirFaireType, a.SavoirFaire, a.SavoirFaireLabel, a.Mode, a.Sector, a.FinessSite, a.Postcode, a.Commune, a.CommuneLabel)
				return nil
			})
		}
		if strings.HasPrefix(name, "err_") {
			if _, ok := parseerr.As(err); !ok {
				t.Fatalf("want a *parseerr.Error, got %v", err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		if err != nil {
			fmt.Fprintln(&b, "error:", err)
		}
		return b.String()
	})
}

func openT(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func countsString(cs []Count) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s/%s/gp=%v people=%d share=%.4f\n", c.Commune, c.Profession, c.GP, c.People, c.Share)
	}
	return b.String()
}

// TestAggregateFixture: the GP practising twice in Nemours and once in
// Fontainebleau counts once in each, half in each share; the cardiologist
// is a médecin but not a GP; the SM26 doctor is a GP.
func TestAggregateFixture(t *testing.T) {
	want := `/60/gp=false people=1 share=1.0000
2A004/10/gp=false people=1 share=1.0000
75115/91/gp=false people=1 share=1.0000
77186/10/gp=true people=1 share=0.5000
77333/10/gp=true people=1 share=0.5000
97101/10/gp=true people=1 share=1.0000
`
	cs, err := Aggregate(openT(t, "testdata/activity_52cols_bom_crlf.txt"), "a.txt", nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := countsString(cs); got != want {
		t.Errorf("with savoir-faire columns:\n%s\nwant\n%s", got, want)
	}
	// Same people from the newest layout, GPs from the companion file.
	cs, err = Aggregate(openT(t, "testdata/activity_nosf.txt"), "nosf.txt", openT(t, "testdata/savoirfaire.txt"), "sf.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := countsString(cs); got != `2A004/10/gp=false people=1 share=1.0000
77186/10/gp=true people=1 share=0.5000
77333/10/gp=true people=1 share=0.5000
97101/10/gp=true people=1 share=1.0000
` {
		t.Errorf("with companion:\n%s", got)
	}
	// Libéral only.
	cs, err = Aggregate(openT(t, "testdata/activity_52cols_bom_crlf.txt"), "a.txt", nil, "", func(a *Activity) bool { return a.Mode == "L" })
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 4 || cs[3].Commune != "77333" || cs[3].Share != 1 {
		t.Errorf("libéral only:\n%s", countsString(cs))
	}
	_, err = Aggregate(openT(t, "testdata/activity_nosf.txt"), "nosf.txt", nil, "", nil)
	if err == nil || !strings.Contains(err.Error(), "nosf.txt:1: no savoir-faire columns") {
		t.Errorf("missing companion: %v", err)
	}
}

func TestPersonKey(t *testing.T) {
	keys := map[uint64]string{}
	for _, id := range []string{"810001045367", "0759124159", "00759124159", "759124159", "ABC123", "8100010453670000000", ""} {
		k := personKey(id)
		if prev, dup := keys[k]; dup {
			t.Errorf("personKey(%q) = personKey(%q)", id, prev)
		}
		keys[k] = id
	}
}

func TestNationalHeader(t *testing.T) {
	if len(nationalHeader) != 56 {
		t.Fatalf("%d columns", len(nationalHeader))
	}
	var buf bytes.Buffer
	res := writeNational(&buf, genOptions{Lines: 10, Seed: 1})
	line, _, _ := strings.Cut(strings.SplitN(buf.String(), "\n", 3)[1], "\n")
	if n := strings.Count(line, "|"); n != 56 {
		t.Fatalf("data line has %d separators, want 56: %s", n, line)
	}
	if int64(buf.Len()) != res.Bytes || res.Bytes/int64(res.Lines) < 400 {
		t.Fatalf("%d bytes for %d lines (counted %d)", buf.Len(), res.Lines, res.Bytes)
	}
}

// TestAggregateSynthetic checks the reader and the aggregator against the
// generator's own count on a national-shaped file, in both layouts.
func TestAggregateSynthetic(t *testing.T) {
	for _, o := range []genOptions{
		{Lines: 20000, Seed: 7, BOM: true, CRLF: true},
		{Lines: 20000, Seed: 8, NoSF: true},
	} {
		t.Run(fmt.Sprintf("nosf=%v", o.NoSF), func(t *testing.T) {
			var act, sf bytes.Buffer
			var companion io.Reader
			if o.NoSF {
				o.Companion, companion = &sf, &sf
			}
			res := writeNational(&act, o)
			cs, err := Aggregate(&act, "national.txt", companion, "sf.txt", nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != len(res.Expected) {
				t.Fatalf("%d keys, want %d", len(cs), len(res.Expected))
			}
			people, gps := 0, 0
			for _, c := range cs {
				w := res.Expected[c.Key]
				if w == nil || w.People != c.People || math.Abs(w.Share-c.Share) > 1e-9 {
					t.Fatalf("%+v, want %+v", c, w)
				}
				people += c.People
				if c.GP {
					gps += c.People
				}
			}
			if people < res.Persons || gps == 0 {
				t.Fatalf("%d person-communes for %d persons, %d GPs", people, res.Persons, gps)
			}
		})
	}
}

func TestCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Read(openT(t, "testdata/activity_52cols_bom_crlf.txt"), "a.txt", func(*Activity) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err %v after %d calls", err, n)
	}
}

// benchFile returns a national-shaped file: $RPPS_BENCH_FILE when set
// (generated there if missing, so that wc -l can be timed on the same
// file), else a generated file in b.TempDir(). $RPPS_BENCH_LINES sets the
// size (default 2,000,000 lines, about 1 GB).
func benchFile(b *testing.B) (string, int64) {
	lines := 2_000_000
	if s := os.Getenv("RPPS_BENCH_LINES"); s != "" {
		lines, _ = strconv.Atoi(s)
	}
	path := os.Getenv("RPPS_BENCH_FILE")
	if path == "" {
		path = filepath.Join(b.TempDir(), "PS_LibreAcces_Personne_activite_bench.txt")
	}
	if st, err := os.Stat(path); err == nil {
		return path, st.Size()
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	res := writeNational(f, genOptions{Lines: lines, Seed: 42})
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path, res.Bytes
}

// BenchmarkReadNational reads a national-shaped activity file; the MB/s
// column is the throughput target (≥ 100 MB/s).
func BenchmarkReadNational(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := Read(f, path, func(*Activity) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.ReportMetric(float64(n), "lines")
	}
}

// BenchmarkAggregateNational reads and counts people per commune.
func BenchmarkAggregateNational(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		cs, err := Aggregate(f, path, nil, "", nil)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.ReportMetric(float64(len(cs)), "keys")
	}
}

// TestGPPersonsSynthetic counts GPs as people per département, as the
// gp_rpps table lets a territory do, on a national-shaped file: a GP with
// two counted sites in a département counts once there, a GP salaried in a
// centre de santé (mode S, secteur SA05) counts, a hospital-salaried GP
// does not, and arrondissement codes come through as given. The
// generator's own count is the reference.
func TestGPPersonsSynthetic(t *testing.T) {
	for _, o := range []genOptions{{Lines: 20000, Seed: 11}, {Lines: 20000, Seed: 12, NoSF: true}} {
		t.Run(fmt.Sprintf("nosf=%v", o.NoSF), func(t *testing.T) {
			var act, sf bytes.Buffer
			if o.NoSF {
				o.Companion = &sf
			}
			res := writeNational(&act, o)
			if res.MultiSiteGPs == 0 || res.CentreGPs == 0 || res.HospitalGPs == 0 || res.ArrondissementLines == 0 {
				t.Fatalf("the file does not exercise every rule: %+v", res)
			}
			gps := map[uint64]bool{}
			if o.NoSF {
				if err := ReadSavoirFaire(&sf, "sf.txt", func(s *SavoirFaire) error {
					if IsGPSavoirFaire(s.Code) {
						gps[PersonKey(s.NationalID, s.ID)] = true
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			type site struct {
				person uint64
				dep    string
			}
			sites := map[site]bool{}
			arr, centre, hospital := 0, map[uint64]bool{}, map[uint64]bool{}
			err := Read(&act, "national.txt", func(a *Activity) error {
				p := PersonKey(a.NationalID, a.ID)
				if a.Profession != Medecin || !(gps[p] || IsGPSavoirFaire(a.SavoirFaire)) || a.Commune == "" {
					return nil
				}
				if strings.HasPrefix(a.Commune, "751") && a.Commune[3:] <= "20" && a.Commune[3:] >= "01" {
					arr++
				}
				switch APLMode(a) {
				case APLCentre:
					centre[p] = true
				case "":
					hospital[p] = true
					return nil
				}
				sites[site{p, a.Commune[:2]}] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			byDep := map[string]int{}
			for s := range sites {
				byDep[s.dep]++
			}
			if len(byDep) != len(res.GPsByDep) {
				t.Fatalf("%d départements with GPs, want %d", len(byDep), len(res.GPsByDep))
			}
			total := 0
			for d, n := range res.GPsByDep {
				if byDep[d] != n {
					t.Errorf("dep %s: %d GPs, want %d", d, byDep[d], n)
				}
				total += n
			}
			if total == 0 || len(centre) == 0 || len(hospital) == 0 || arr == 0 {
				t.Errorf("%d GP-départements, %d CDS GPs, %d hospital GPs, %d arrondissement lines of GPs", total, len(centre), len(hospital), arr)
			}
			for p := range hospital {
				for s := range sites {
					if s.person == p {
						t.Fatalf("hospital-salaried GP %d counted in %s", p, s.dep)
					}
				}
			}
		})
	}
}

func TestAPLMode(t *testing.T) {
	for _, tc := range []struct{ mode, sector, want string }{
		{"L", "SA07", APLLiberal}, {"L", "SA05", APLLiberal}, {"S", "SA05", APLCentre},
		{"S", "SA01", ""}, {"S", "", ""}, {"B", "SA05", ""}, {"", "SA05", ""},
	} {
		if got := APLMode(&Activity{Mode: tc.mode, Sector: tc.sector}); got != tc.want {
			t.Errorf("APLMode(%s, %s) = %q, want %q", tc.mode, tc.sector, got, tc.want)
		}
	}
}
