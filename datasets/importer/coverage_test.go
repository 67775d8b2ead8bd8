package importer

import (
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Fixtures of one département (Lozère, 48) in the official layouts: an
// Annuaire Santé activity extraction and a FINESS etalab stock file.
const (
	lozereRPPS   = "PS_LibreAcces_Personne_activite_202603010800.txt"
	lozereFINESS = "etalab-cs1100507-stock-20260311-0343-lozere.csv"
)

// importWith imports src with or without --replace-national.
func importWith(t *testing.T, src Sources, national bool) ([]Result, *snapshot.Snapshot) {
	t.Helper()
	dir := t.TempDir()
	im := &Importer{AllowShrink: true, Embedded: embedded(t), Current: embedded(t), Now: func() time.Time { return importTime }, contours: contours(t), ReplaceNational: national}
	res, err := im.Import(t.Context(), dir, src)
	if err != nil {
		t.Fatal(err)
	}
	s, local, err := snapshot.LoadWithLocal(dir)
	if err != nil || !local {
		t.Fatalf("local snapshot: %v %v", local, err)
	}
	return res, s
}

// coverageDeps lists the départements whose coverage has this source.
func coverageDeps(info *snapshot.TableInfo, source string) string {
	var deps []string
	for _, c := range info.Coverage {
		if c.Source == source {
			deps = append(deps, c.Dep)
		}
	}
	return strings.Join(deps, " ")
}

// TestImportOneDepartementRPPS: a Lozère RPPS extraction replaces the GPs
// of Lozère only. France's GP count changes by Lozère's delta; the other
// départements keep the embedded BPE rows; Coverage names the extraction
// for 48 only; gp_rpps counts people (a GP with sites in Mende and
// Langogne is one person of dep:48), centre de santé salaried GPs count,
// hospital-salaried ones do not.
func TestImportOneDepartementRPPS(t *testing.T) {
	emb := embedded(t)
	dep := depsOf(emb)
	sum := func(gps []snapshot.GPCount) (france, lozere int, other map[string]int) {
		other = map[string]int{}
		for _, g := range gps {
			france += g.Count
			if dep(g.Code) == "48" {
				lozere += g.Count
			} else {
				other[g.Code] = g.Count
			}
		}
		return
	}
	franceBefore, lozereBefore, otherBefore := sum(emb.GPs)
	if lozereBefore != 71 {
		t.Fatalf("embedded BPE 2017 GPs of Lozère: %d, want 71", lozereBefore)
	}

	res, s := importWith(t, Sources{RPPS: fixture(lozereRPPS)}, false)
	if len(res) != 3 {
		t.Fatalf("results %+v", res)
	}
	franceAfter, lozereAfter, otherAfter := sum(s.GPs)
	// Mende: GP A (libéral) and GP B (centre de santé); Langogne: GP A and
	// GP D (libéral and CDS there: one site). GP C, hospital-salaried, is
	// not counted.
	if lozereAfter != 4 || franceAfter != franceBefore-lozereBefore+4 {
		t.Errorf("GPs: France %d → %d, Lozère %d → %d (want 4, France by the delta)", franceBefore, franceAfter, lozereBefore, lozereAfter)
	}
	if len(otherAfter) != len(otherBefore) {
		t.Errorf("communes outside Lozère: %d → %d", len(otherBefore), len(otherAfter))
	}
	for code, n := range otherBefore {
		if otherAfter[code] != n {
			t.Errorf("%s: %d → %d", code, n, otherAfter[code])
			break
		}
	}
	for _, g := range s.GPs {
		if dep(g.Code) == "48" && (g.Vintage != 2026 || (g.Code == "48095" || g.Code == "48080") && g.Count != 2) {
			t.Errorf("Lozère row %+v", g)
		}
	}

	var sites []string
	for _, g := range s.GPSites {
		sites = append(sites, g.Person+"@"+g.Code+":"+g.Mode)
	}
	if got := strings.Join(sites, " "); got != "810000000101@48080:liberal 810000000101@48095:liberal 810000000102@48095:cds 810000000104@48080:liberal" {
		t.Errorf("gp_rpps %s", got)
	}
	persons := map[string]bool{}
	for _, g := range s.GPSites {
		persons[g.Person] = true
	}
	if len(persons) != 3 {
		t.Errorf("%d GPs in dep:48, want 3 (A with two sites, B in a centre de santé, D)", len(persons))
	}
	// professionals: the hospital-salaried GP C is a médecin and a GP of
	// Mende there (this table counts every activity).
	for _, p := range s.Professionals {
		if p.Code == "48095" && p.Profession == "GP" && (p.Count != 3 || p.Liberal != 1) {
			t.Errorf("professionals GP Mende %+v", p)
		}
	}

	for _, name := range []string{"gp_bpe", "gp_rpps", "professionals"} {
		info := s.Manifest.Table(name)
		if got := coverageDeps(info, "RPPS 2026-03-01"); got != "48" {
			t.Errorf("%s: RPPS 2026-03-01 covers %q, want 48", name, got)
		}
		if c, ok := info.Covers("48"); !ok || c.Vintage != "2026-03-01" {
			t.Errorf("%s coverage of 48: %+v", name, c)
		}
	}
	// gp_bpe elsewhere: the embedded source, as the embedded table says.
	info := s.Manifest.Table("gp_bpe")
	embInfo := emb.Manifest.Table("gp_bpe")
	want, _ := embInfo.Covers("77")
	if c, ok := info.Covers("77"); !ok || want.Source == "" || c.Source != cmpOr(want.Source, embInfo.Vintage) {
		t.Errorf("gp_bpe coverage of 77: %+v, want the embedded %+v", c, want)
	}
	if !strings.Contains(info.Vintage, "(48) ; ailleurs ") {
		t.Errorf("gp_bpe vintage %q", info.Vintage)
	}
	// gp_rpps and professionals did not exist: they cover Lozère only.
	if _, ok := s.Manifest.Table("gp_rpps").Covers("77"); ok {
		t.Error("gp_rpps covers 77")
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestImportOneDepartementRPPSReplaceNational: with --replace-national the
// Lozère extraction is the whole GP table.
func TestImportOneDepartementRPPSReplaceNational(t *testing.T) {
	res, s := importWith(t, Sources{RPPS: fixture(lozereRPPS)}, true)
	if len(s.GPs) != 2 || res[1].Rows != 2 {
		t.Fatalf("gp_bpe %+v", s.GPs)
	}
	info := s.Manifest.Table("gp_bpe")
	if len(info.Coverage) != 1 || info.Coverage[0].Dep != "48" {
		t.Errorf("coverage %+v", info.Coverage)
	}
	if _, ok := info.Covers("77"); ok {
		t.Error("gp_bpe still covers 77")
	}
}

// TestImportOneDepartementFINESS: a Lozère FINESS stock file replaces the
// establishments of Lozère only: France's MSP count changes by Lozère's
// delta (the bug was: France shows the file's MSP only).
func TestImportOneDepartementFINESS(t *testing.T) {
	emb := embedded(t)
	im := &Importer{codes: NewCodes(emb)}
	count := func(s *snapshot.Snapshot) (msp, mspLozere, other int) {
		for i, e := range s.Establishments {
			d := establishmentRows.dep(im, &s.Establishments[i])
			if e.Category == "603" {
				msp++
				if d == "48" {
					mspLozere++
				}
			}
			if d != "48" {
				other++
			}
		}
		return
	}
	mspBefore, lozereBefore, otherBefore := count(emb)
	_, s := importWith(t, Sources{FINESS: fixture(lozereFINESS)}, false)
	mspAfter, lozereAfter, otherAfter := count(s)
	if lozereAfter != 1 || mspAfter != mspBefore-lozereBefore+1 || otherAfter != otherBefore {
		t.Errorf("MSP France %d → %d, Lozère %d → %d (want 1); establishments elsewhere %d → %d",
			mspBefore, mspAfter, lozereBefore, lozereAfter, otherBefore, otherAfter)
	}
	if mspBefore < 1000 {
		t.Errorf("embedded MSP %d", mspBefore)
	}
	// The three kept structures of the file are Lozère's establishments
	// now, with the CH de Mende (480000017), which the SAE tables name and
	// the file lacks (KeptOverNewer).
	var lozere []string
	for i, e := range s.Establishments {
		if establishmentRows.dep(im, &s.Establishments[i]) == "48" {
			lozere = append(lozere, e.Finess)
		}
	}
	if got := strings.Join(lozere, " "); got != "480000017 480000074 480000199 480000207" {
		t.Errorf("Lozère establishments %s", got)
	}
	info := s.Manifest.Table("establishments")
	var fileDeps []string
	for _, c := range info.Coverage {
		if c.Vintage == "2026-03-11" {
			fileDeps = append(fileDeps, c.Dep)
		}
	}
	if strings.Join(fileDeps, " ") != "48" {
		t.Errorf("FINESS 2026-03-11 covers %v, want 48", fileDeps)
	}
	if c, ok := info.Covers("77"); !ok || c.Vintage == "2026-03-11" {
		t.Errorf("coverage of 77 %+v", c)
	}

	// --replace-national: the table is the file's.
	_, s = importWith(t, Sources{FINESS: fixture(lozereFINESS)}, true)
	if msp, _, other := count(s); msp != 1 || other != 0 || len(s.Establishments) != 4 {
		t.Errorf("replace national: %d MSP, %d establishments elsewhere, %d in all", msp, other, len(s.Establishments))
	}
	if info := s.Manifest.Table("establishments"); len(info.Coverage) != 1 || info.Coverage[0].Dep != "48" {
		t.Errorf("replace national coverage %+v", info.Coverage)
	}
}

// TestImportOneDepartementKeepsEarlierImport: a département's file
// imported after a wider one replaces that département only, over the
// table in use (the local snapshot), not the embedded one.
func TestImportOneDepartementKeepsEarlierImport(t *testing.T) {
	dir := t.TempDir()
	importInto(t, dir, Sources{RPPS: fixture("PS_LibreAcces_Personne_activite_202401151030.txt")})
	_, s := importInto(t, dir, Sources{RPPS: fixture(lozereRPPS)})
	info := s.Manifest.Table("gp_rpps")
	if got := coverageDeps(info, "RPPS 2024-01-15"); got != "01 75 77" {
		t.Errorf("first import covers %q after the second", got)
	}
	if got := coverageDeps(info, "RPPS 2026-03-01"); got != "48" {
		t.Errorf("second import covers %q", got)
	}
	var sites []string
	for _, g := range s.GPSites {
		sites = append(sites, g.Person+"@"+g.Code)
	}
	// The first file's GP 5 had a site in Mende: gone with Lozère's rows;
	// its site in Nemours stays.
	if got := strings.Join(sites, " "); got != "810000000001@77186 810000000001@77333 810000000003@01033 810000000005@77333 810000000008@75101 "+
		"810000000101@48080 810000000101@48095 810000000102@48095 810000000104@48080" {
		t.Errorf("gp_rpps %s", got)
	}
}

func TestCoverageSummary(t *testing.T) {
	var cov []snapshot.Coverage
	for _, d := range []string{"01", "02", "03", "04"} {
		cov = append(cov, snapshot.Coverage{Dep: d, Source: "FINESS 2021-01-08", Vintage: "2021-01-08"})
	}
	for _, d := range []string{"09", "11", "12"} {
		cov = append(cov, snapshot.Coverage{Dep: d, Source: "FINESS Occitanie", Vintage: "2026"})
	}
	got := strings.Join(CoverageSummary(cov, 3), " | ")
	if got != "FINESS 2021-01-08: 4 départements | FINESS Occitanie 2026: 09 11 12" {
		t.Errorf("summary %q", got)
	}
	for n, want := range map[string]string{"970100228": "971", "970211207": "972", "975000012": "975", "2A0000014": "2A", "480000074": "48", "9": ""} {
		if got := finessDep(n); got != want {
			t.Errorf("finessDep(%s) = %q, want %q", n, got, want)
		}
	}
}
