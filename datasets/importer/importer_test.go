package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

var (
	embeddedOnce sync.Once
	embeddedSnap *snapshot.Snapshot
	embeddedErr  error
	contoursOnce sync.Once
	contoursIdx  *ContourIndex
	contoursErr  error
)

// contours loads the commune contours once for all tests (a few seconds).
func contours(t testing.TB) *ContourIndex {
	t.Helper()
	contoursOnce.Do(func() { contoursIdx, contoursErr = LoadContours(embedded(t)) })
	if contoursErr != nil {
		t.Fatal(contoursErr)
	}
	return contoursIdx
}

func embedded(t testing.TB) *snapshot.Snapshot {
	t.Helper()
	embeddedOnce.Do(func() { embeddedSnap, embeddedErr = snapshot.LoadEmbedded() })
	if embeddedErr != nil {
		t.Fatal(embeddedErr)
	}
	return embeddedSnap
}

var importTime = time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)

// importInto imports src into dir over the embedded snapshot (and the local
// one already in dir) and returns the results and the snapshot in use after.
func importInto(t *testing.T, dir string, src Sources) ([]Result, *snapshot.Snapshot) {
	t.Helper()
	res, err := tryImport(t, dir, src)
	if err != nil {
		t.Fatal(err)
	}
	s, local, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !local && slices.ContainsFunc(res, func(r Result) bool { return r.Table != "" }) {
		t.Fatal("no local snapshot after an import")
	}
	return res, s
}

// tryImport imports with AllowShrink: the fixtures are excerpts of a few
// rows per département (guard_test.go checks the refusal without it).
func tryImport(t *testing.T, dir string, src Sources) ([]Result, error) {
	t.Helper()
	current, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	im := &Importer{AllowShrink: true, Embedded: embedded(t), Current: current, Now: func() time.Time { return importTime }, contours: contours(t)}
	return im.Import(t.Context(), dir, src)
}

func fixture(name string) string { return filepath.Join("testdata", name) }

// depsOf returns the département of each code of the embedded COG, with
// one Codes index.
func depsOf(s *snapshot.Snapshot) func(string) string {
	codes := NewCodes(s)
	return func(code string) string {
		cur, _, ok := codes.Current(code)
		if !ok {
			return ""
		}
		return s.Commune(cur).Dep
	}
}

func find[T any](rows []T, match func(T) bool) (T, bool) {
	for _, r := range rows {
		if match(r) {
			return r, true
		}
	}
	var zero T
	return zero, false
}

func TestImportAPL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "local")
	wb := filepath.Join(t.TempDir(), "apl_2023_2024.xlsx")
	rows := []importertest.APLRow{
		{Code: "77333", Name: "Nemours", Value: 1.234, Under65: 1.1, PopStd: 12800, PopTotal: 13100},
		{Code: "01091", Name: "Châtillon-en-Michaille", Value: 3.5, Under65: 3, PopStd: 3000, PopTotal: 3100}, // merged into 01033 since
		{Code: "75101", Name: "Paris 1er Arrondissement", Value: 6, Under65: 5, PopStd: 15000, PopTotal: 16000},
		{Code: "99999", Name: "Nulle part", Value: 1, Under65: 1, PopStd: 10, PopTotal: 10},
	}
	if err := os.WriteFile(wb, importertest.APLWorkbook(t, map[int][]importertest.APLRow{2023: rows, 2024: rows[:1]}), 0o644); err != nil {
		t.Fatal(err)
	}
	res, s := importInto(t, dir, Sources{APL: wb})
	if len(res) != 1 {
		t.Fatalf("results %+v", res)
	}
	r := res[0]
	abs, _ := filepath.Abs(wb)
	if r.Table != "apl" || r.File != abs || r.Read != 5 || r.Unmatched != 1 ||
		r.Vintage != "APL 2023 (populations 2021), APL 2024 (populations 2022)" {
		t.Errorf("result %+v", r)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "no APL 2022 sheet") }) {
		t.Errorf("missing vintage not reported: %q", r.Notes)
	}
	// The workbook covers 01, 75 and 77: their rows are replaced, the rest
	// of France keeps the embedded APL (the row of 99999, of no
	// département, is added).
	emb := embedded(t)
	keptRows, dep := 0, depsOf(emb)
	for _, a := range emb.APL {
		if d := dep(a.Code); d != "01" && d != "75" && d != "77" {
			keptRows++
		}
	}
	if len(s.APL) != keptRows+5 || r.Rows != len(s.APL) {
		t.Fatalf("%d APL rows, want %d kept + 5", len(s.APL), keptRows)
	}
	if a, ok := find(s.APL, func(a snapshot.APL) bool { return a.Code == "48095" && a.Vintage == 2023 }); !ok || a.Value != 3.834 {
		t.Errorf("Mende keeps its embedded APL 2023 (3.834): %+v", a)
	}
	a, ok := find(s.APL, func(a snapshot.APL) bool { return a.Code == "77333" && a.Vintage == 2023 })
	if !ok || a.Value != 1.234 || a.PopYear != 2021 || a.PopTotal != 13100 {
		t.Errorf("Nemours APL 2023: %+v", a)
	}
	// Codes are kept as published, as in the embedded table.
	if _, ok := find(s.APL, func(a snapshot.APL) bool { return a.Code == "01091" }); !ok {
		t.Error("old code 01091 not kept")
	}
	info := s.Manifest.Table("apl")
	if info == nil || info.Origin != abs || info.Imported != "2026-05-06T07:08:09Z" || info.Rows != keptRows+5 || !strings.HasPrefix(info.Vintage, r.Vintage+" (01 75 77) ; ailleurs ") {
		t.Errorf("manifest %+v", info)
	}
	if c, ok := info.Covers("77"); !ok || c.Source != "APL DREES 2023, 2024" || c.Vintage != "2024" {
		t.Errorf("coverage of 77: %+v %v", c, ok)
	}
	if c, ok := info.Covers("48"); !ok || c.Source == "APL DREES 2023, 2024" {
		t.Errorf("coverage of 48: %+v %v", c, ok)
	}
	if s.Manifest.Inputs[abs] == "" {
		t.Error("no sha256 of the imported file in the manifest")
	}
	// Other tables still come from the embedded snapshot.
	if info := s.Manifest.Table("communes"); info == nil || info.Origin != "embedded" || len(s.Communes) != len(embedded(t).Communes) {
		t.Errorf("communes: %+v", info)
	}
}

func TestImportRPPS(t *testing.T) {
	for _, tc := range []struct {
		name, activity, companion, vintage string
	}{
		{"savoir-faire in the activity file", "PS_LibreAcces_Personne_activite_202401151030.txt", "", "2024-01-15"},
		{"savoir-faire in the companion file", "PS_LibreAcces_Personne_activite_202501151030.txt", "PS_LibreAcces_SavoirFaire_202501151030.txt", "2025-01-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := Sources{RPPS: fixture(tc.activity)}
			if tc.companion != "" {
				src.RPPSSavoirFaire = fixture(tc.companion)
			}
			res, s := importInto(t, dir, src)
			if len(res) != 3 || res[0].Table != "professionals" || res[1].Table != "gp_bpe" || res[2].Table != "gp_rpps" {
				t.Fatalf("results %+v", res)
			}
			// 13 lines; one without commune, one with an unknown code.
			if r := res[0]; r.Read != 13 || r.Unmatched != 2 || r.Vintage != "extraction RPPS du "+tc.vintage {
				t.Errorf("professionals result %+v", r)
			}
			type row struct{ count, liberal int }
			got := map[string]row{}
			for _, p := range s.Professionals {
				got[p.Code+" "+p.Profession] = row{p.Count, p.Liberal}
				if p.Vintage != tc.vintage {
					t.Errorf("vintage %q", p.Vintage)
				}
			}
			want := map[string]row{
				// 77333: a GP with two sites there (once), a cardiologist,
				// a salaried GP; a nurse libéral and salaried there (once).
				"77333 10": {3, 2}, "77333 GP": {2, 1}, "77333 60": {1, 1},
				// The first GP's salaried site in Fontainebleau.
				"77186 10": {1, 0}, "77186 GP": {1, 0},
				// A GP with sites in 01091 (merged into 01033) and 01033: once.
				"01033 10": {1, 1}, "01033 GP": {1, 1},
				// The salaried GP's libéral site, on a line without savoir-faire.
				"48095 10": {1, 1}, "48095 GP": {1, 1},
				// An arrondissement counts for Paris.
				"75056 10": {1, 1}, "75056 GP": {1, 1},
			}
			if len(got) != len(want) {
				t.Errorf("%d rows, want %d: %v", len(got), len(want), got)
			}
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: %+v, want %+v", k, got[k], w)
				}
			}
			// gp_rpps: GPs as people, one row per place, libéral or
			// salaried in a centre de santé (SA05); the arrondissement kept.
			var sites []string
			for _, g := range s.GPSites {
				sites = append(sites, g.Person+"@"+g.Code+":"+g.Mode)
				if g.Vintage != tc.vintage {
					t.Errorf("gp_rpps vintage %q", g.Vintage)
				}
			}
			if got := strings.Join(sites, " "); got != "810000000001@77186:cds 810000000001@77333:liberal 810000000003@01033:liberal "+
				"810000000005@48095:liberal 810000000005@77333:cds 810000000008@75101:liberal" {
				t.Errorf("gp_rpps %s", got)
			}
			// gp_bpe: in the file's départements (01 48 75 77), the GPs
			// with a libéral or centre de santé site in each commune; the
			// rest of France keeps the BPE 2017.
			gps, bpeElsewhere, rppsElsewhere := map[string]int{}, 0, 0
			dep := depsOf(s)
			for _, g := range s.GPs {
				switch dep(g.Code) {
				case "01", "48", "75", "77":
					gps[g.Code] = g.Count
					if g.Vintage != 2024 && g.Vintage != 2025 {
						t.Errorf("GP vintage %d in %s", g.Vintage, g.Code)
					}
				default:
					if g.Vintage == 2017 {
						bpeElsewhere += g.Count
					} else {
						rppsElsewhere++
					}
				}
			}
			if len(gps) != 5 || gps["77333"] != 2 || gps["77186"] != 1 || gps["01033"] != 1 || gps["48095"] != 1 || gps["75056"] != 1 {
				t.Errorf("gp_bpe in the file's départements %v", gps)
			}
			wantElsewhere := 0
			for _, g := range embedded(t).GPs {
				if d := dep(g.Code); d != "01" && d != "48" && d != "75" && d != "77" {
					wantElsewhere += g.Count
				}
			}
			if bpeElsewhere != wantElsewhere || rppsElsewhere != 0 {
				t.Errorf("gp_bpe elsewhere: %d BPE GPs, want %d kept; %d RPPS rows", bpeElsewhere, wantElsewhere, rppsElsewhere)
			}
			info := s.Manifest.Table("gp_bpe")
			if info == nil || !strings.Contains(info.Title, "RPPS") || !strings.Contains(info.Vintage, "RPPS") || info.Rows != len(s.GPs) {
				t.Errorf("gp_bpe description %+v", info)
			}
			if c, ok := info.Covers("77"); !ok || c.Source != "RPPS "+tc.vintage || c.Vintage != tc.vintage {
				t.Errorf("gp_bpe coverage of 77: %+v", c)
			}
			if tc.companion != "" && (info == nil || len(info.Files) != 2) {
				t.Errorf("gp_bpe files %v", info.Files)
			}
			for _, name := range []string{"gp_rpps", "professionals"} {
				var deps []string
				for _, c := range s.Manifest.Table(name).Coverage {
					deps = append(deps, c.Dep)
				}
				if strings.Join(deps, " ") != "01 48 75 77" {
					t.Errorf("%s covers %v", name, deps)
				}
			}
		})
	}
}

func TestImportRPPSNeedsSavoirFaire(t *testing.T) {
	dir := t.TempDir()
	_, err := tryImport(t, dir, Sources{RPPS: fixture("PS_LibreAcces_Personne_activite_202501151030.txt")})
	pe, ok := parseerr.As(err)
	if !ok || pe.Line != 1 || !strings.Contains(err.Error(), "--rpps-savoir-faire") {
		t.Fatalf("error %v", err)
	}
	if snapshot.HasLocal(dir) {
		t.Error("a failed import wrote a local snapshot")
	}
}

func TestImportFINESSStock(t *testing.T) {
	res, s := importInto(t, t.TempDir(), Sources{FINESS: fixture("etalab-cs1100507-stock-20260504-0336.csv")})
	r := res[0]
	// 9 structures: a category 999 and a polyclinique 365 (not SAE) are
	// dropped; the pharmacy of an unknown commune without point is placed
	// by its postcode and city (77140 NEMOURS), as the generator would.
	if r.Table != "establishments" || r.Read != 9 || r.Rows != len(s.Establishments) || r.Unmatched != 0 || r.Vintage != "FINESS 2026-05-04" {
		t.Errorf("result %+v", r)
	}
	// The file covers 01 2A 48 77 975: their establishments are the
	// file's 8, the other départements keep the embedded ones.
	emb := embedded(t)
	covered := map[string]bool{"01": true, "2A": true, "48": true, "77": true, "975": true}
	kept := 0
	for i := range emb.Establishments {
		if !covered[establishmentRows.dep(&Importer{codes: NewCodes(emb)}, &emb.Establishments[i])] {
			kept++
		}
	}
	// The SAE sites of those départements that the file lacks stay too
	// (KeptOverNewer): their emergency departments and maternities keep
	// their place.
	sae := saeSitesIn(t, emb, s, covered)
	if sae < 10 || len(s.Establishments) != kept+8+sae {
		t.Fatalf("%d establishments, want %d kept + the file's 8 + %d SAE sites", len(s.Establishments), kept, sae)
	}
	want := map[string]string{
		"010000024": "01451 insee",    // Viriat
		"010000032": "01033 insee",    // old code 01091 → Valserhône
		"2A0000014": "2A004 insee",    // Ajaccio
		"480000074": "48080 insee",    // Langogne
		"770000099": "77333 insee",    // the code wins over a wrong point
		"770000115": "77333 polygon",  // no code: placed by its point
		"770000123": "77333 postcode", // 77999 is no commune, no point: postcode + city
		"975000012": "97502 insee",    // Saint-Pierre-et-Miquelon (9E)
	}
	for _, e := range s.Establishments {
		if e.Source == "finess-2021" || e.Source == "finess-occitanie-2026" {
			continue // kept from the embedded snapshot
		}
		if got := e.Commune + " " + e.Placement; got != want[e.Finess] {
			t.Errorf("%s: %q, want %q", e.Finess, got, want[e.Finess])
		}
		if e.Source != "finess-2026-05-04" {
			t.Errorf("%s: source %q", e.Finess, e.Source)
		}
	}
	if e, _ := find(s.Establishments, func(e snapshot.Establishment) bool { return e.Finess == "480000074" }); !e.ProximityHospital {
		t.Error("Langogne lost its hôpital de proximité marker")
	}
	if e, _ := find(s.Establishments, func(e snapshot.Establishment) bool { return e.Finess == "010000024" }); e.Lat != 46.222286 || e.Lon != 5.209181 {
		t.Errorf("Viriat point %v %v", e.Lat, e.Lon)
	}
}

func TestImportFINESSRegional(t *testing.T) {
	// The Occitanie layout covers one région: only its départements are replaced.
	_, s := importInto(t, t.TempDir(), Sources{FINESS: filepath.Join("..", "finess", "testdata", "occitanie.csv")})
	emb := embedded(t)
	// The départements of its rows, 31 included (a row without INSEE code
	// placed there by its point).
	covered := map[string]bool{"09": true, "12": true, "30": true, "31": true, "34": true, "48": true, "65": true, "66": true}
	var before, after [2]int // [other départements, départements of the file]
	count := func(s *snapshot.Snapshot, n *[2]int) {
		for _, e := range s.Establishments {
			switch c := s.Commune(e.Commune); {
			case c == nil:
			case covered[c.Dep]:
				n[1]++
			default:
				n[0]++
			}
		}
	}
	count(emb, &before)
	count(s, &after)
	// The fixture has 8 establishments, 5 of kept categories and the
	// hôpital de proximité of Villefranche-de-Lauragais (category 129, kept
	// for its label).
	// Plus the SAE sites of its départements, which it lacks.
	sae := saeSitesIn(t, emb, s, covered)
	if after[0] != before[0] || sae < 20 || after[1] != 6+sae {
		t.Errorf("establishments elsewhere %d → %d (want kept), in the file's départements %d → %d (want the file's 6 + %d SAE sites)", before[0], after[0], before[1], after[1], sae)
	}
	if e, ok := find(s.Establishments, func(e snapshot.Establishment) bool { return e.Finess == "340032390" }); !ok || e.Commune != "34147" {
		t.Errorf("MSP of Magalas: %+v", e)
	}
}

func TestImportPopulation(t *testing.T) {
	res, s := importInto(t, t.TempDir(), Sources{Population: fixture("donnees_communes_2023.csv")})
	r := res[0]
	if r.Table != "communes" || r.Read != 7 || r.Unmatched != 1 || r.Vintage != "populations de référence 2023" || r.Rows != len(embedded(t).Communes) {
		t.Errorf("result %+v", r)
	}
	for code, want := range map[string]int{
		"77333": 13000,   // updated
		"01033": 4500,    // 01091 + 01205, merged since
		"48095": 12500,   // updated
		"75056": 2100000, // the commune wins over its arrondissement
		"13055": 886040,  // absent from the file: embedded value kept
	} {
		if c := s.Commune(code); c == nil || c.Population != want || !c.HasPop {
			t.Errorf("%s: %+v, want population %d", code, c, want)
		}
	}
	if c := s.Commune("77333"); c.Name != "Nemours" || c.EPCI != "200023240" || c.PointSource != "laposte" {
		t.Errorf("other columns changed: %+v", c)
	}
}

func TestImportCPTSAndAges(t *testing.T) {
	dir := t.TempDir()
	ages := filepath.Join("..", "insee", "testdata", "age_cc_2021_semicolon.csv")
	res, s := importInto(t, dir, Sources{CPTS: fixture("cpts_test_2026-03.csv"), Ages: ages})
	if len(res) != 2 {
		t.Fatalf("results %+v", res)
	}
	// The list covers 01 and 77, where no perimeter was known: the
	// embedded PACA perimeters stay.
	if r := res[0]; r.Table != "cpts" || r.Read != 4 || r.Rows != len(embedded(t).CPTS)+3 || r.Unmatched != 1 || r.Vintage != "2026-03" {
		t.Errorf("cpts result %+v", r)
	}
	if r := res[1]; r.Table != "" || r.Read == 0 || r.Vintage != "recensement 2021" || !strings.Contains(strings.Join(r.Notes, " "), "NOT stored") {
		t.Errorf("ages result %+v", r)
	}
	var codes []string
	for _, m := range s.CPTS {
		if m.CPTS == "CPTS du Pays de Nemours" {
			codes = append(codes, m.Commune+"<"+m.SourceCode)
		}
	}
	if strings.Join(codes, " ") != "01033<01091 77333<77333 77431<77431" {
		t.Errorf("CPTS members %v", codes)
	}
	m, _, _ := ReadLocalManifest(dir)
	if len(m.Tables) != 1 {
		t.Errorf("ages wrote a table: %+v", m.Tables)
	}
}

func TestImportKeepsEarlierTablesAndFailsAtomically(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "local")
	importInto(t, dir, Sources{CPTS: fixture("cpts_test_2026-03.csv")})
	_, s := importInto(t, dir, Sources{Population: fixture("donnees_communes_2023.csv")})
	if s.Manifest.Table("cpts").Origin == "embedded" || s.Manifest.Table("communes").Origin == "embedded" || len(s.CPTS) != len(embedded(t).CPTS)+3 {
		t.Fatal("the second import lost the first one's table")
	}
	before, err := os.ReadFile(filepath.Join(dir, snapshot.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	// A broken file among good ones: nothing changes.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("cpts_nom;code_commune_insee\nCPTS A;77333\nCPTS B;7733X\n"), 0o644)
	_, err = tryImport(t, dir, Sources{CPTS: bad, Population: fixture("donnees_communes_2023.csv")})
	pe, ok := parseerr.As(err)
	if !ok || pe.File == "" || !strings.HasSuffix(pe.File, "bad.csv") || pe.Line != 3 || pe.Column != 2 {
		t.Fatalf("error %v, want bad.csv:3:2", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, snapshot.ManifestFile))
	if !bytes.Equal(before, after) {
		t.Error("a failed import changed the local snapshot")
	}
	// Only the snapshot and its lock file remain (the lock file is kept:
	// removing it would race with an import waiting on it).
	entries, _ := os.ReadDir(parent)
	if len(entries) != 2 || entries[0].Name() != ".local.lock" {
		t.Errorf("temporary folders left beside the snapshot: %v", entries)
	}
	// A missing file is an input error.
	var ie *InputError
	if _, err := tryImport(t, dir, Sources{APL: filepath.Join(parent, "missing.xlsx")}); !errors.As(err, &ie) {
		t.Errorf("missing file: %v", err)
	}
}

func TestImportRefusesForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	if _, err := tryImport(t, dir, Sources{CPTS: fixture("cpts_test_2026-03.csv")}); err == nil || !strings.Contains(err.Error(), "not a diagsante local snapshot") {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Error("the user's file was touched")
	}
}

func TestVintageFromNames(t *testing.T) {
	for name, want := range map[string]string{
		"PS_LibreAcces_Personne_activite_202401151030.txt": "2024-01-15",
		"etalab-cs1100507-stock-20260504-0336.csv":         "2026-05-04",
		"cpts_paca_2026-01_communes.csv":                   "2026-01",
		"liste_2026-13.csv":                                "",
		"cpts.csv":                                         "",
	} {
		if got := dateFromName("/x/" + name); got != want {
			t.Errorf("dateFromName(%s) = %q, want %q", name, got, want)
		}
	}
	for path, want := range map[string]string{
		"/data/ensemble_2021/donnees_communes.csv": "2021",
		"/data/2019/pop_2020_v2.csv":               "2020",
		"/2024/data/donnees_communes.csv":          "",
	} {
		if got := yearFromPath(path); got != want {
			t.Errorf("yearFromPath(%s) = %q, want %q", path, got, want)
		}
	}
}

// saeSitesIn counts the establishments of the embedded snapshot in the
// given départements that the SAE tables name and the imported file
// (the rows of imported whose source is not an embedded one) lacks.
func saeSitesIn(t *testing.T, emb, imported *snapshot.Snapshot, deps map[string]bool) int {
	t.Helper()
	inFile := map[string]bool{}
	for _, e := range imported.Establishments {
		if e.Source != "finess-2021" && e.Source != "finess-occitanie-2026" {
			inFile[e.Finess] = true
		}
	}
	sae := SAESites(emb.Emergency, emb.Maternities)
	im := &Importer{codes: NewCodes(emb)}
	n := 0
	for i, e := range emb.Establishments {
		if sae[e.Finess] && !inFile[e.Finess] && deps[establishmentRows.dep(im, &emb.Establishments[i])] {
			n++
		}
	}
	return n
}
