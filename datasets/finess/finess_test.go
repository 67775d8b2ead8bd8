package finess

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

func format(e Establishment) string {
	return fmt.Sprintf("%d|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|pt=%v %.6f,%.6f epsg=%d|%s|%s|%s|prox=%v",
		e.Line, e.Finess, e.FinessEJ, e.Name, e.LongName, e.Category, e.CategoryLabel, e.Address, e.Postcode, e.City,
		e.Commune, e.HasPoint, e.Lat, e.Lon, e.EPSG, e.Siret, e.Opened, e.Updated, e.ProximityHospital)
}

func readAll(t *testing.T, path string, read func(io.Reader, string, func(Establishment) error) error) ([]Establishment, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Establishment
	err = read(f, filepath.Base(path), func(e Establishment) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// TestGolden reads every fixture through ReadAny (which must recognise the
// layout) or the stock reader for files that are not stock files at all,
// and compares records and error with testdata/*.golden.
func TestGolden(t *testing.T) {
	golden.Each(t, "*.csv", func(t *testing.T, path string) string {
		recs, err := readAll(t, path, ReadAny)
		if strings.Contains(path, "err_stock") {
			recs, err = readAll(t, path, ReadStock)
		}
		var b strings.Builder
		for _, e := range recs {
			fmt.Fprintln(&b, format(e))
		}
		if strings.Contains(filepath.Base(path), "err_") {
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

func byFiness(recs []Establishment) map[string]Establishment {
	m := map[string]Establishment{}
	for _, e := range recs {
		m[e.Finess] = e
	}
	return m
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestStock(t *testing.T) {
	recs, err := readAll(t, "testdata/stock_utf8.csv", ReadStock)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 {
		t.Fatalf("%d establishments, want 7", len(recs))
	}
	m := byFiness(recs)
	if e := m["010000024"]; e.Commune != "01451" || !e.HasPoint || e.EPSG != 2154 || !near(e.Lon, 5.209181131) || !near(e.Lat, 46.222285715) ||
		e.Postcode != "01440" || e.City != "VIRIAT" || e.Address != "900 RTE DE PARIS | BP 401" || e.Opened != "1979-02-13" || e.Updated != "2020-02-04" || e.Line != 2 {
		t.Errorf("Fleyriat: %s", format(e))
	}
	if e := m["970100012"]; e.Commune != "97101" || e.EPSG != 5490 || !near(e.Lat, 16.234004328) {
		t.Errorf("Guadeloupe: %s", format(e))
	}
	if e := m["2A0000014"]; e.Commune != "2A004" || e.EPSG != 2154 {
		t.Errorf("Corsica (legacy LAMBERT_93 source): %s", format(e))
	}
	if e := m["480000074"]; e.HasPoint || e.Lat != 0 || !e.ProximityHospital {
		t.Errorf("empty coordinates / accented marker: %s", format(e))
	}
	if e := m["770000099"]; e.Name != `MSP "LES SOURCES" ; NEMOURS` || e.Address != "12 B R DE PARIS" || e.ProximityHospital {
		t.Errorf("quoted name: %s", format(e))
	}
	if e := m["770000107"]; e.Category != "999" || e.Commune != "" || e.HasPoint || e.City != "NEMOURS" || e.Postcode != "" {
		t.Errorf("unknown category without geolocalisation: %s", format(e))
	}
	if e := m["975000012"]; e.Commune != "97502" || e.EPSG != 32621 || !near(e.Lon, -56.212831908) {
		t.Errorf("Saint-Pierre: %s", format(e))
	}
}

func TestStockWindows1252(t *testing.T) {
	recs, err := readAll(t, "testdata/stock_cp1252.csv", ReadStock)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].LongName != "Hôpital de proximité de Florac" || recs[0].City != "FLORAC TROIS RIVIÈRES" || !recs[0].ProximityHospital || !recs[0].HasPoint {
		t.Fatalf("got %v", recs)
	}
}

func TestSniff(t *testing.T) {
	for line, want := range map[string]Variant{
		"finess;etalab;93;2026-05-04":           Stock,
		"\ufeffFINESS;ETALAB;93;2026-05-04\r\n": Stock,
		"nofinesset;nofinessej;rs;categetab;libcategetab;categagretab;libcategagretab;codeape;codesph;libsph;siret;adresse;code_postal;ville;telephone;date_ouverture;date_maj;latitude;longitude": Flat,
		"numero_finess_etablissement;numero finess etablissement juridique;raison_sociale;code_insee":                                                                                              Occitanie,
		"structureet;010000024": Unknown,
		"":                      Unknown,
	} {
		if got := Sniff([]byte(line)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", line, got, want)
		}
	}
	if h, ok := ParseStockHeader("finess;etalab;93;2026-05-04\r\n"); !ok || h.Date != "2026-05-04" || h.Count != "93" {
		t.Errorf("ParseStockHeader = %+v, %v", h, ok)
	}
}

func TestReadAnyGzip(t *testing.T) {
	plain, err := os.ReadFile("testdata/flat.csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain)
	zw.Close()
	n := 0
	if err := ReadAny(&buf, "flat.csv.gz", func(e Establishment) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Fatalf("%d establishments from the gzipped flat file, want 6", n)
	}
	err = ReadAny(strings.NewReader("a;b;c\n"), "x.csv", func(Establishment) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "x.csv:1: not a known FINESS layout") {
		t.Fatalf("err = %v", err)
	}
}

func TestFlatAndOccitanie(t *testing.T) {
	flat, err := readAll(t, "testdata/flat.csv", ReadFlat)
	if err != nil {
		t.Fatal(err)
	}
	m := byFiness(flat)
	if e := m["010003978"]; e.Name != `ACCUEIL DE JOUR "AUX  LUCIOLES"` || e.Commune != "" || e.EPSG != 4326 {
		t.Errorf("double-quoted flat name: %s", format(e))
	}
	if e := m["970100012"]; e.HasPoint {
		t.Errorf("blanked overseas point: %s", format(e))
	}
	occ, err := readAll(t, "testdata/occitanie.csv", ReadOccitanie)
	if err != nil {
		t.Fatal(err)
	}
	m = byFiness(occ)
	if e := m["340032390"]; e.Commune != "34147" || e.Address != "9 R DE LA HUPPE | ZONE NORD ; ZAE DE L'AUDACIEUSE" || e.Category != "603" || !near(e.Lat, 43.469513879824234) {
		t.Errorf("quoted ';' row: %s", format(e))
	}
	if e := m["090001629"]; e.Commune != "09254" || !e.ProximityHospital {
		t.Errorf("pandas code: %s", format(e))
	}
	if e := m["310780366"]; e.Commune != "" || !e.HasPoint {
		t.Errorf("empty code_insee: %s", format(e))
	}
	if e := m["660000167"]; e.Commune != "66149" || e.Category != "106" || !near(e.Lon, 2.4215835743158904) || e.Postcode != "66501" {
		t.Errorf("28-field row: %s", format(e))
	}
}

func TestCallbackErrorStops(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	f, _ := os.Open("testdata/stock_utf8.csv")
	defer f.Close()
	if err := ReadStock(f, "s.csv", func(Establishment) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err = %v after %d calls", err, n)
	}
}

func TestCommuneCode(t *testing.T) {
	for in, want := range map[[2]string]string{
		{"01", "451"}: "01451", {"2A", "004"}: "2A004", {"9A", "101"}: "97101", {"9D", "411"}: "97411",
		{"9F", "611"}: "97611", {"9J", "801"}: "98801", {"9Z", "101"}: "", {"01", ""}: "", {"77", "33"}: "", {"AB", "101"}: "",
	} {
		if got := communeCode(in[0], in[1]); got != want {
			t.Errorf("communeCode(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// TestRealOccitanie checks counts documented in SOURCES.md §2.
func TestRealOccitanie(t *testing.T) {
	path := rawdata.Path(t, "finess-occitanie/etablissements_occitanie.csv")
	recs, err := readAll(t, path, ReadAny)
	if err != nil {
		t.Fatal(err)
	}
	cat, prox, lozere, noPoint := map[string]int{}, 0, 0, 0
	for _, e := range recs {
		cat[e.Category]++
		if e.ProximityHospital {
			prox++
		}
		if strings.HasPrefix(e.Commune, "48") {
			lozere++
		}
		if !e.HasPoint {
			noPoint++
		}
	}
	// 34 long names carry the marker; a 35th line mentions
	// "HOPITAL DE PROXIMITE" in complrs (a day centre of the hospital).
	// SOURCES.md counts 371 maisons de santé by splitting on every ';';
	// with the quoted row 340032390 (a 603) read correctly there are 372.
	if len(recs) != 10007 || cat["603"] != 372 || cat["124"] != 280 || cat["604"] != 82 || cat["620"] != 1888 || cat["611"] != 460 || prox != 34 || lozere != 301 {
		t.Errorf("%d rows, 603:%d 124:%d 604:%d 620:%d 611:%d, %d proximity, %d in 48, %d without point",
			len(recs), cat["603"], cat["124"], cat["604"], cat["620"], cat["611"], prox, lozere, noPoint)
	}
}

// TestRealFlat checks counts documented in SOURCES.md §3.
func TestRealFlat(t *testing.T) {
	path := rawdata.Path(t, "finess-fhir-2021/finess_etablissements_20210108_flat.csv.gz")
	recs, err := readAll(t, path, ReadAny)
	if err != nil {
		t.Fatal(err)
	}
	cat, overseasPoints := map[string]int{}, 0
	for _, e := range recs {
		cat[e.Category]++
		if e.HasPoint && (strings.HasPrefix(e.Finess, "97") || strings.HasPrefix(e.Finess, "98")) {
			overseasPoints++
		}
	}
	if len(recs) != 95333 || cat["620"] != 21116 || cat["611"] != 4021 || cat["124"] != 2495 || cat["603"] != 1763 ||
		cat["355"] != 1287 || cat["101"] != 373 || cat["106"] != 214 || cat["127"] != 146 || cat["604"] != 103 || overseasPoints != 0 {
		t.Errorf("%d rows, %v, %d overseas points", len(recs), cat, overseasPoints)
	}
	if e := byFiness(recs)["010000024"]; e.Name != "CH DE FLEYRIAT" || !near(e.Lat, 46.22274479119414) {
		t.Errorf("Fleyriat: %s", format(e))
	}
}
