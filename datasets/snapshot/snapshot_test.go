package snapshot

import (
	"bytes"
	"compress/gzip"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The embedded snapshot is loaded once for all tests.
func mustLoad(t testing.TB) *Snapshot {
	t.Helper()
	s, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEmbeddedCounts(t *testing.T) {
	s := mustLoad(t)
	checks := []struct {
		name      string
		got, want int
	}{
		{"communes (COG 2026 communes actuelles)", len(s.Communes), 34969},
		{"arrondissements municipaux", len(s.Arrondissements), 45},
		{"EPCI", len(s.EPCIs), 1255},
		{"régions (18) and collectivités d'outre-mer (8)", len(s.Regions), 26},
		{"APL rows (2022: 34,964 + 2023: 34,954)", len(s.APL), 34964 + 34954},
		{"SAE 2020 emergency departments", len(s.Emergency), 622},
		{"SAE 2020 maternities type 1-3 with births (481 authorised, 2 without a birth left out)", len(s.Maternities), 479},
		{"département × age rows, 2023", len(s.PopAge), 101},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %d, want %d", c.name, c.got, c.want)
		}
	}
	for _, tab := range s.Manifest.Tables {
		if tab.Rows == 0 || tab.Source == "" || tab.Licence == "" || tab.Vintage == "" || tab.Publisher == "" {
			t.Errorf("table %s: incomplete description %+v", tab.Name, tab)
		}
	}
}

func TestLozere(t *testing.T) {
	s := mustLoad(t)
	n, pop := 0, 0
	for _, c := range s.Communes {
		if c.Dep == "48" {
			n++
			pop += c.Population
		}
	}
	// Populations de référence in force in 2026 (INSEE).
	if n != 152 || pop != 76486 {
		t.Errorf("Lozère: %d communes, population %d; want 152 and 76,486", n, pop)
	}
	mende := s.Commune("48095")
	if mende == nil || mende.Name != "Mende" || mende.Reg != "76" || mende.PointSource != "laposte" {
		t.Fatalf("Mende: %+v", mende)
	}
	if mende.Lat < 44.4 || mende.Lat > 44.6 || mende.Lon < 3.4 || mende.Lon > 3.6 {
		t.Errorf("Mende point %v,%v is not in Mende", mende.Lat, mende.Lon)
	}
}

func TestMergedCommuneJoins(t *testing.T) {
	s := mustLoad(t)
	// Valserhône (01033) absorbed Châtillon-en-Michaille (01091) and Lancrans
	// (01205) in 2019: its COG population is the merged one, its old codes
	// map onto it, and its BPE 2017 GPs are 11 (01033) + 2 (01091).
	v := s.Commune("01033")
	if v == nil || v.Name != "Valserhône" || v.Population != 16712 {
		t.Fatalf("Valserhône: %+v", v)
	}
	for _, old := range []string{"01091", "01205"} {
		o := s.OldCode(old)
		if o == nil || o.Current != "01033" {
			t.Errorf("old code %s: %+v, want current 01033", old, o)
		}
	}
	gps := 0
	for _, g := range s.GPs {
		if g.Code == "01033" {
			gps = g.Count
		}
		if s.Commune(g.Code) == nil {
			t.Errorf("GP count under %s, not a current commune", g.Code)
		}
	}
	if gps != 13 {
		t.Errorf("Valserhône BPE 2017 GPs: %d, want 13", gps)
	}
	total := 0
	for _, g := range s.GPs {
		total += g.Count
	}
	lost := s.Manifest.Unmatched["BPE 2017 GPs lost (commune unknown to COG 2026)"]
	if total+lost != 58034 {
		t.Errorf("BPE GPs: %d kept + %d lost, want 58,034 in all", total, lost)
	}
}

func TestParisArrondissements(t *testing.T) {
	s := mustLoad(t)
	pop := map[string]int{}
	for _, a := range s.Arrondissements {
		pop[a.Commune] += a.Population
		if a.Lat == 0 {
			t.Errorf("arrondissement %s has no point", a.Code)
		}
	}
	for code, want := range map[string]int{"75056": 2103778, "69123": 519127, "13055": 886040} {
		if c := s.Commune(code); c == nil || c.Population != want || pop[code] != want {
			t.Errorf("%s: commune %+v, arrondissements sum %d, want %d", code, c, pop[code], want)
		}
	}
	g, err := s.Contours("75")
	if err != nil {
		t.Fatal(err)
	}
	// The 2018 contours have Paris as one commune, not its arrondissements.
	if _, ok := g["75056"]; len(g) != 1 || !ok {
		t.Errorf("Paris contours: %d geometries, want 75056 only", len(g))
	}
	g, err = s.Contours("48")
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != 152 {
		t.Errorf("Lozère contours: %d, want 152", len(g))
	}
}

func TestEstablishmentsPlaced(t *testing.T) {
	s := mustLoad(t)
	placed, byPlacement := 0, map[string]int{}
	for _, e := range s.Establishments {
		byPlacement[e.Placement]++
		if e.Commune != "" {
			placed++
			if s.Commune(e.Commune) == nil {
				t.Errorf("FINESS %s placed in %s, not a current commune", e.Finess, e.Commune)
			}
		}
	}
	for p, n := range byPlacement {
		if s.Manifest.Unmatched["FINESS placed: "+placementLabel(p)] != n {
			t.Errorf("placement %q: %d establishments, manifest says %d", p, n, s.Manifest.Unmatched["FINESS placed: "+placementLabel(p)])
		}
	}
	if frac := float64(placed) / float64(len(s.Establishments)); frac < 0.99 {
		t.Errorf("only %.2f%% of establishments placed in a commune", 100*frac)
	}
	// CH de Fleyriat (Viriat, 01451) is placed by its point in the Viriat contour.
	for _, e := range s.Establishments {
		if e.Finess == "010000024" && (e.Commune != "01451" || e.Placement != "polygon" || e.Category != "355") {
			t.Errorf("CH de Fleyriat: %+v", e)
		}
	}
	// Lozère comes from the 2026 Occitanie file, with its INSEE codes.
	msp48 := 0
	for _, e := range s.Establishments {
		if e.Category == "603" && s.Commune(e.Commune) != nil && s.Commune(e.Commune).Dep == "48" {
			msp48++
			if e.Source != "finess-occitanie-2026" {
				t.Errorf("MSP %s in Lozère from %s", e.Finess, e.Source)
			}
		}
	}
	if msp48 == 0 {
		t.Error("no MSP in Lozère")
	}
}

func placementLabel(p string) string {
	if p == "" {
		return "not placed"
	}
	return p
}

func TestTableReaderErrors(t *testing.T) {
	var buf bytes.Buffer
	tw, _ := NewTableWriter(&buf, "code", "name")
	tw.Write("01001", "L'Abergement\tClémenciat")
	tw.Close()
	r, err := newTableReader("t.tsv.gz", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	code, name := r.col("code"), r.col("name")
	if !r.next() || r.str(code) != "01001" || r.str(name) != "L'Abergement Clémenciat" {
		t.Fatalf("round trip: %q %q", r.str(code), r.str(name))
	}
	r.col("population")
	if r.err == nil || !strings.Contains(r.err.Error(), `missing column "population"`) {
		t.Errorf("missing column: %v", r.err)
	}
	if _, err := newTableReader("bad.gz", []byte("not gzip")); err == nil {
		t.Error("non-gzip input accepted")
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadEmbedded(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestUnmatched pins what the generator could not join. A change in these
// counts means the inputs or the joins changed: look at the generator's log
// before updating them.
func TestUnmatched(t *testing.T) {
	s := mustLoad(t)
	want := map[string]int{
		"APL 2022 codes of communes merged since (kept under their code)": 81,
		"APL 2023 codes of communes merged since (kept under their code)": 68,
		"BPE 2017 GP communes merged since (mapped to current)":           48,
		"CPTS communes given by an old code (mapped to current)":          1, // 05120 Ristolas
		"FINESS 2021 rows of Occitanie superseded by the 2026 file":       187,
		"FINESS Occitanie: old commune codes mapped to current":           1,
		"FINESS placed: insee":                                                  4511, // + 3 hôpitaux de proximité of categories 128, 129, 697
		"FINESS placed: not placed":                                             0,    // the 28 overseas CEDEX sites are placed by FINESS département + city
		"FINESS placed: finess-dep-name":                                        28,
		"FINESS placed: polygon":                                                36891,
		"FINESS placed: polygon+arrondissement-nearest":                         60, // CEDEX postcodes of Paris, Lyon, Marseille
		"FINESS placed in an arrondissement of Paris, Lyon, Marseille":          2572,
		"FINESS placed: postcode":                                               985,
		"FINESS placed: postcode-unique":                                        2,
		"SAE emergency departments without FINESS establishment":                1,
		"SAE maternities without FINESS establishment":                          1,
		"commune points from contour centroid":                                  7,
		"communes outside any EPCI (COG: islands, overseas collectivités)":      98,
		"communes without contour":                                              101,
		"communes without point":                                                100,
		"communes without population (COG)":                                     6,
		"old codes claimed by two current communes (delegated/associated kept)": 2,
	}
	for k, v := range want {
		if got := s.Manifest.Unmatched[k]; got != v {
			t.Errorf("%s: %d, want %d", k, got, v)
		}
	}
	for k := range s.Manifest.Unmatched {
		if _, ok := want[k]; !ok {
			t.Errorf("new unmatched kind %q: %d", k, s.Manifest.Unmatched[k])
		}
	}
	// Counted in the data, not only in the manifest.
	noPoint := 0
	for _, c := range s.Communes {
		if !c.HasPoint() {
			noPoint++
		}
	}
	if noPoint != want["communes without point"] {
		t.Errorf("communes without point: %d in the table", noPoint)
	}
}

// FuzzTableReader feeds arbitrary decompressed tables to the decoder used
// to load a local snapshot (communes and establishments): it must return
// an error, never panic, and what it accepts must come back unchanged from
// a write and a second decode (the written form of the decoded rows is a
// fixed point).
func FuzzTableReader(f *testing.F) {
	for _, s := range []string{"code\tname\n01001\tA\n", "code\tname\n01001\n", "code\n", "", "a\tb\n1\t2\n3\t4", "code\tpopulation\n01001\tx\n",
		"code\tname\tdep\treg\tepci\tpopulation\thas_pop\tlat\tlon\tpoint_source\n01001\tL'Abergement\t01\t84\t200069193\t832\t1\t46.15\t4.92\tlaposte\n2A004\tAjaccio\t2A\t94\t\t+7\tx\t1e1\tNaN\t\n"} {
		f.Add([]byte(s))
	}
	for _, rows := range [][]Establishment{{{Finess: "770000214", Commune: "77333", Category: "603", Lat: 48.27, Lon: 2.7, HasPoint: true, ProximityHospital: true, Source: "finess-2021"}}} {
		var buf bytes.Buffer
		if _, err := WriteEstablishments(&buf, rows); err != nil {
			f.Fatal(err)
		}
		zr, err := gzip.NewReader(&buf)
		if err != nil {
			f.Fatal(err)
		}
		var raw bytes.Buffer
		raw.ReadFrom(zr)
		f.Add(raw.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		for _, c := range []struct {
			file  string
			write func(*Snapshot, io.Writer) (int, error)
		}{
			{CommunesFile, func(s *Snapshot, w io.Writer) (int, error) { return WriteCommunes(w, s.Communes) }},
			{EstablishmentsFile, func(s *Snapshot, w io.Writer) (int, error) { return WriteEstablishments(w, s.Establishments) }},
		} {
			s, err := DecodeTable(c.file, buf.Bytes())
			if err != nil {
				continue
			}
			var once, twice bytes.Buffer
			n, err := c.write(s, &once)
			if err != nil {
				t.Fatalf("%s: writing the decoded rows: %v", c.file, err)
			}
			s2, err := DecodeTable(c.file, once.Bytes())
			if err != nil {
				t.Fatalf("%s: decoding what was written: %v", c.file, err)
			}
			n2, err := c.write(s2, &twice)
			if err != nil {
				t.Fatal(err)
			}
			if n != n2 || !bytes.Equal(once.Bytes(), twice.Bytes()) {
				t.Fatalf("%s: %d rows written, %d after a round trip, or other bytes", c.file, n, n2)
			}
		}
	})
}

// TestLoadAPLOf: the APL rows of a few places, read without the rest of
// France, are exactly those of the whole table that roll up to them: Paris
// (its 20 arrondissements' rows), Pays-de-Montbenoît (25390, with the rows of the
// communes merged into it since the APL's geography, Hauterive-la-Fresse among them)
// and Nemours.
func TestLoadAPLOf(t *testing.T) {
	full, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadLayersOnly([]string{CommunesFile, ArrondissementsFile, OldCodesFile}, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.APL) != 0 {
		t.Fatalf("APL loaded with the other tables: %d rows", len(s.APL))
	}
	want := map[string]bool{"75056": true, "25390": true, "77333": true}
	if err := s.LoadAPLOf([]string{"75056", "25390", "77333"}); err != nil {
		t.Fatal(err)
	}
	var expect []APL
	perPlace := map[string]int{}
	for _, a := range full.APL {
		p := full.PlaceOf(a.Code)
		if city := full.CityOf(p); city != "" {
			p = city
		}
		if want[p] {
			expect = append(expect, a)
			perPlace[p]++
		}
	}
	if !slices.Equal(s.APL, expect) {
		t.Errorf("LoadAPLOf: %d rows, want the %d rows of the whole table that roll up to these places", len(s.APL), len(expect))
	}
	vintages := map[int]bool{}
	for _, a := range full.APL {
		vintages[a.Vintage] = true
	}
	v := len(vintages)
	if perPlace["75056"] != 20*v || perPlace["77333"] != v || perPlace["25390"] <= v {
		t.Errorf("rows per place %v for %d vintages: want 20 per vintage for Paris, 1 for Nemours, several for Pays-de-Montbenoît", perPlace, v)
	}
	old := false
	for _, a := range s.APL {
		old = old || a.Code == "25303" // Hauterive-la-Fresse
	}
	if !old {
		t.Errorf("Hauterive-la-Fresse (25303), merged into Pays-de-Montbenoît, has no row")
	}
}

// TestReportFiles: the report commands' tables are every table but the
// postcodes: a snapshot loaded with them has every other table whole.
func TestReportFiles(t *testing.T) {
	full, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadLayersOnly(ReportFiles(), Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Postcodes) != 0 || len(full.Postcodes) == 0 {
		t.Errorf("postcodes: %d rows loaded for the reports, %d in all", len(s.Postcodes), len(full.Postcodes))
	}
	// The tables of an RPPS import are empty in the embedded snapshot: named.
	for _, f := range []string{ProfessionalsFile, GPSitesFile} {
		if !slices.Contains(ReportFiles(), f) {
			t.Errorf("the reports do not read %s, which an RPPS import writes", f)
		}
	}
	fv, sv := reflect.ValueOf(full).Elem(), reflect.ValueOf(s).Elem()
	for i := range fv.NumField() {
		f := fv.Type().Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Slice || f.Name == "Postcodes" || f.Name == "LocalProblems" {
			continue
		}
		if fv.Field(i).Len() != sv.Field(i).Len() {
			t.Errorf("%s: %d rows loaded for the reports, %d in the whole snapshot", f.Name, sv.Field(i).Len(), fv.Field(i).Len())
		}
	}
}
