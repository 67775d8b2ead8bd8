package finess

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func formatPlus(e Establishment) string {
	s := format(e)
	for _, p := range e.OtherPoints {
		s += fmt.Sprintf(" other=%.6f,%.6f epsg=%d", p.Lat, p.Lon, p.EPSG)
	}
	return s
}

// readFile reads a fixture through Open and File.Read, as `datasets
// import` does (gunzip, layout sniffing).
func readFile(t *testing.T, path string) (*File, []Establishment, error) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	f, err := Open(fh, filepath.Base(path))
	if err != nil {
		return nil, nil, err
	}
	var out []Establishment
	err = f.Read(func(e Establishment) error {
		out = append(out, e)
		return nil
	})
	return f, out, err
}

// TestPlusGolden reads the FiNESS+ fixtures (plus_*: valid; err_plus_*:
// each with one defect) and compares records and error with
// testdata/*.golden.
func TestPlusGolden(t *testing.T) {
	for _, pattern := range []string{"plus_*.json", "plus_*.json.gz", "err_plus_*.json"} {
		golden.Each(t, pattern, func(t *testing.T, path string) string {
			f, recs, err := readFile(t, path)
			if f != nil && f.Variant != Plus {
				t.Fatalf("sniffed as %v, want FiNESS+", f.Variant)
			}
			var b strings.Builder
			for _, e := range recs {
				fmt.Fprintln(&b, formatPlus(e))
			}
			if strings.HasPrefix(filepath.Base(path), "err_") {
				if _, ok := parseerr.As(err); !ok {
					t.Fatalf("want a *parseerr.Error, got %v", err)
				}
				fmt.Fprintln(&b, "error:", err)
			} else if err != nil {
				t.Fatal(err)
			}
			return b.String()
		})
	}
}

// TestPlusEquivalence reads the same seven establishments written as an
// etalab stock file, as a FiNESS+ file that follows the schema to the
// letter and as a FiNESS+ file laid out as the published ones are, and
// wants the same records but for their lines. The FiNESS+ files also hold
// closed establishments, which must not come out.
func TestPlusEquivalence(t *testing.T) {
	stock, err := readAll(t, "testdata/stock_equiv.csv", ReadStock)
	if err != nil {
		t.Fatal(err)
	}
	if len(stock) != 7 {
		t.Fatalf("%d stock records, want 7", len(stock))
	}
	for _, path := range []string{"testdata/plus_schema.json", "testdata/plus_real.json.gz"} {
		_, plus, err := readFile(t, path)
		if err != nil {
			t.Fatal(err)
		}
		got := byFiness(plus)
		for _, want := range stock {
			e, ok := got[want.Finess]
			if !ok {
				t.Errorf("%s: %s missing", path, want.Finess)
				continue
			}
			e.Line, want.Line = 0, 0
			if a, b := formatPlus(e), formatPlus(want); a != b {
				t.Errorf("%s:\n got %s\nwant %s", path, a, b)
			}
		}
		for _, closed := range []string{"480000025", "010000024", "770022366"} {
			if _, ok := got[closed]; ok {
				t.Errorf("%s: closed establishment %s read", path, closed)
			}
		}
	}
}

func TestPlusVariants(t *testing.T) {
	f, recs, err := readFile(t, "testdata/plus_real.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	if f.Date != "2026-05-04" {
		t.Errorf("file date %q, want generatedAt 2026-05-04", f.Date)
	}
	m := byFiness(recs)
	if len(recs) != 9 {
		t.Errorf("%d records, want 9 (7 shared, the annex closing in 2099, La Réunion)", len(recs))
	}
	if e := m["970409272"]; !e.HasPoint || e.EPSG != 2975 || !near(e.Lat, -20.8821) || !near(e.Lon, 55.4504) || e.Commune != "97411" {
		t.Errorf("Réunion, UTM 40S northing first: %s", formatPlus(e))
	}
	if e := m["480000017"]; e.Address != "AV DU HUIT MAI 1945" || e.Postcode != "48000" || e.Name != "HOPITAL LOZERE SITE VALLEE DU LOT" {
		t.Errorf("geographic address over the head office, trimmed name: %s", formatPlus(e))
	}
	if e := m["480000074"]; !e.ProximityHospital || e.Category != "106" || e.Updated != "2025-06-01" {
		t.Errorf("Langogne: %s", formatPlus(e))
	}
	if e := m["770022358"]; e.Opened != "2020-01-06" || e.Line < 2 {
		t.Errorf("closing date to come: %s", formatPlus(e))
	}

	_, recs, err = readFile(t, "testdata/plus_array.json")
	if err != nil {
		t.Fatal(err)
	}
	m = byFiness(recs)
	if e := m["770022341"]; e.FinessEJ != "770022333" || e.Address != "11 R DU DOCTEUR CHOPY" || e.Postcode != "77140" || e.City != "NEMOURS" ||
		e.Opened != "2018-06-11" || e.CategoryLabel != "Maison de santé pluriprofessionnelle" || e.EPSG != 4326 || !near(e.Lat, 48.265144) || e.Line != 3 {
		t.Errorf("upper-case keys, coded number, decimal commas: %s", formatPlus(e))
	}
	if e := m["770022358"]; e.EPSG != 2154 || !near(e.Lon, 2.694279) || len(e.OtherPoints) != 1 || e.OtherPoints[0].EPSG != 4326 || !near(e.OtherPoints[0].Lat, 48.271) || e.Line != 3 {
		t.Errorf("two readings of the coordinates: %s", formatPlus(e))
	}
}

func TestPlusClosingDate(t *testing.T) {
	doc := func(etat, closing string) string {
		return `{"pmej":[{"ege":[{"informationsGeneralesEGE":{"numFinessEge":"770022341","dateFermeture":"` + closing +
			`"},"etatObjet":"` + etat + `","categorieentiteGeographiqueExercice":"603"}]}]}`
	}
	for _, c := range []struct {
		etat, closing string
		open          bool
	}{
		{"A", "", true}, {"A", "2026-05-05", true}, {"A", "2026-05-04", false}, {"A", "2026-05-03 00:00:00", false},
		{"I", "", false}, {"i", "", false}, {"", "", true}, {"X", "", true}, {"INACTIF", "2099-01-01", false},
	} {
		n := 0
		if _, err := readPlus(strings.NewReader(doc(c.etat, c.closing)), "c.json", "2026-05-04", func(Establishment) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if open := n == 1; open != c.open {
			t.Errorf("etatObjet %q, dateFermeture %q on 2026-05-04: open %v, want %v", c.etat, c.closing, open, c.open)
		}
	}
}

func TestPlusPoints(t *testing.T) {
	raw := func(kv ...string) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = json.RawMessage(`"` + kv[i+1] + `"`)
		}
		return m
	}
	for _, c := range []struct {
		name     string
		coords   map[string]json.RawMessage
		commune  string
		lat, lon float64
		epsg     int
		others   int
		err      string
	}{
		{"ANS sample: northing in X", raw("coordonneeX", "6796133.55", "coordonneeY", "677313.59"), "77333", 48.265144, 2.694279, 2154, 0, ""},
		{"September 2026: lon/lat in X/Y, Lambert in direction*", raw("coordonneeX", "2.694279", "coordonneeY", "48.265144", "directionLatitude", "6796133.55", "directionLongitude", "677313.59"), "77333", 48.265144, 2.694279, 2154, 0, ""},
		{"degrees only, swapped", raw("directionLatitude", "2.694279", "directionLongitude", "48.265144"), "77333", 48.265144, 2.694279, 4326, 0, ""},
		{"Guadeloupe UTM from the commune", raw("coordonneeX", "657242.9", "coordonneeY", "1795384.4"), "97101", 16.234004, -61.528737, 5490, 0, ""},
		{"Guyane degrees, lon first", raw("coordonneeX", "-52.3", "coordonneeY", "4.93"), "97302", 4.93, -52.3, 4326, 0, ""},
		{"system given as a number", map[string]json.RawMessage{"coordonneeX": json.RawMessage(`338811.03`), "coordonneeY": json.RawMessage(`7690123.5`), "epsg": json.RawMessage(`2975`)}, "", -20.8821, 55.4504, 2975, 0, ""},
		{"zeros are no point", raw("coordonneeX", "0", "coordonneeY", "0"), "77333", 0, 0, 0, 0, ""},
		{"empty strings are no point", raw("coordonneeX", "", "coordonneeY", "", "directionLatitude", "", "directionLongitude", ""), "77333", 0, 0, 0, 0, ""},
		{"degrees outside the territory", raw("coordonneeX", "12.5", "coordonneeY", "1.2"), "77333", 0, 0, 0, 0, "fit no reading in metropolitan France"},
		{"metres outside the territory", raw("coordonneeX", "6796133.55", "coordonneeY", "677313.59"), "97411", 0, 0, 0, 0, "fit no reading in La Réunion"},
		{"one value", raw("coordonneeX", "6796133.55"), "77333", 0, 0, 0, 0, "fit no reading"},
		{"not a number", raw("coordonneeX", "abc", "coordonneeY", "def"), "77333", 0, 0, 0, 0, "fit no reading"},
		{"unknown system", raw("coordonneeX", "6796133.55", "coordonneeY", "677313.59", "systemeProjection", "EPSG:27572"), "77333", 0, 0, 0, 0, "unsupported coordinate system EPSG:27572"},
		{"object where a string is expected", map[string]json.RawMessage{"coordonneeX": json.RawMessage(`{}`)}, "77333", 0, 0, 0, 0, "coordonneesGeographique.coordonneeX is \"{}\", want a string"},
	} {
		pts, err := plusPoints(c.coords, c.commune, "770022341")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if c.epsg == 0 {
			if len(pts) != 0 {
				t.Errorf("%s: %v, want no point", c.name, pts)
			}
			continue
		}
		if len(pts) != 1+c.others || !near(pts[0].Lat, c.lat) || !near(pts[0].Lon, c.lon) || pts[0].EPSG != c.epsg {
			t.Errorf("%s: %v, want %.6f,%.6f EPSG:%d", c.name, pts, c.lat, c.lon, c.epsg)
		}
	}
}

func TestPlusSniff(t *testing.T) {
	for line, want := range map[string]Variant{"{": Plus, "  [": Plus, "\ufeff{\"pmej\":[]}": Plus, "\t{ \"schemaVersion\" : \"v1.0.0\",": Plus} {
		if got := Sniff([]byte(line)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", line, got, want)
		}
	}
	// A JSON file opening with blank lines: Open looks past them.
	f, err := Open(strings.NewReader("\r\n\n  {\"pmej\": []}"), "x.json")
	if err != nil || f.Variant != Plus {
		t.Fatalf("Open: %v, %v", f, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("\n\n{\"pmej\": []}\n"))
	zw.Close()
	if f, err := Open(&buf, "x.json.gz"); err != nil || f.Variant != Plus || f.Read(func(Establishment) error { return nil }) != nil {
		t.Fatalf("gzipped: %v, %v", f, err)
	}
}

// plusStream generates a FiNESS+ file of n legal entities of two
// establishments each, one per line, without holding it.
type plusStream struct {
	n, i int
	buf  []byte
}

func (s *plusStream) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		switch {
		case s.i == 0:
			s.buf = []byte("{\"schemaVersion\": \"v1.0.0\",\n\"pmej\": [\n")
		case s.i <= s.n:
			sep := ","
			if s.i == s.n {
				sep = ""
			}
			s.buf = fmt.Appendf(nil, `{"informationsGeneralesPMEJ": {"numFinessPm": "77%07d"}, "ege": [`+"\n"+
				`{"informationsGeneralesEGE": {"numFinessEge": "48%07d", "nomEgeCourt": "MSP %d"}, "categorieentiteGeographiqueExercice": "603", "etatObjet": "A", "adresse": [{"cogCommune": "48095", "coordonneesGeographique": {"coordonneeX": "6381178.92", "coordonneeY": "738831.79"}}]},`+"\n"+
				`{"informationsGeneralesEGE": {"numFinessEge": "77%07d", "dateFermeture": "2001-01-01"}, "categorieentiteGeographiqueExercice": "620", "etatObjet": "I"}]}%s`+"\n", s.i, s.i, s.i, s.i, sep)
		case s.i == s.n+1:
			s.buf = []byte("],\n\"gcc\": []}\n")
		default:
			return 0, io.EOF
		}
		s.i++
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// TestPlusStreams reads a 30 MB file (100,000 legal entities) and checks
// that the heap stays far below the file's size: the reader holds one
// pmej at a time and forgets the lines it has passed.
func TestPlusStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 30 MB")
	}
	const n = 100000
	var ms runtime.MemStats
	count, peak := 0, uint64(0)
	err := ReadPlus(&plusStream{n: n}, "big.json", func(e Establishment) error {
		count++
		if e.Line != 3*count+1 || e.Finess != fmt.Sprintf("48%07d", count) {
			t.Fatalf("record %d: %s", count, formatPlus(e))
		}
		if count%25000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("%d establishments, want %d", count, n)
	}
	t.Logf("heap after GC: at most %d KB", peak>>10)
	if peak > 8<<20 {
		t.Errorf("heap reached %d MB reading a 30 MB stream", peak>>20)
	}
}

// TestPlusErrorsNameTheRecord checks that errors inside an establishment
// point at the key at fault and name the FINESS number.
func TestPlusErrorsNameTheRecord(t *testing.T) {
	doc := "{\"pmej\": [{\"ege\": [\n  {\"informationsGeneralesEGE\": {\"numFinessEge\": \"480000074\",\n    \"dateOuverture\": \"1904-13-04\"}, \"categorieentiteGeographiqueExercice\": \"106\"}]}]}"
	err := ReadPlus(strings.NewReader(doc), "f.json", func(Establishment) error { return nil })
	if err == nil || err.Error() != `f.json:3:5: FINESS 480000074: dateOuverture: invalid date "1904-13-04" (want YYYY-MM-DD)` {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkReadPlus(b *testing.B) {
	for b.Loop() {
		if err := ReadPlus(&plusStream{n: 10000}, "big.json", func(Establishment) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
