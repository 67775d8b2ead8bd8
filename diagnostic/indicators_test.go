package diagnostic

import (
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

var (
	engineOnce sync.Once
	engine     *Engine
	engineErr  error
)

func realEngine(t testing.TB) *Engine {
	t.Helper()
	engineOnce.Do(func() {
		var s *snapshot.Snapshot
		s, engineErr = snapshot.LoadEmbedded()
		if engineErr == nil {
			engine = NewEngine(s)
			engine.Date = testDate
		}
	})
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// testDate is the fixed day of the test reports: the golden files do not
// change with the day they are checked, and the embedded FINESS 2021, BPE
// 2017 and APL 2023 are more than two years older.
var testDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func buildReport(t testing.TB, items ...string) *Report {
	t.Helper()
	e := realEngine(t)
	terr, err := NewResolver(e.Snap).Resolve(items...)
	if err != nil {
		t.Fatal(err)
	}
	return e.Build(terr, "")
}

func near(got *float64, want, tol float64) bool { return got != nil && math.Abs(*got-want) <= tol }

// Expected values below were computed from the raw files with a separate
// script (python over drees-apl/apl_mg_2023_communes.csv, BPE doctor.csv,
// the COG and the Occitanie FINESS file), not with this code.

func TestIndicatorsNemoursEPCI(t *testing.T) {
	r := buildReport(t, "epci:200023240")
	f := r.Levels[0].Figures
	if f.Communes != 21 || f.Population != 29583 {
		t.Errorf("communes %d population %d, want 21 and 29,583", f.Communes, f.Population)
	}
	if f.GPs == nil || *f.GPs != 20 {
		t.Errorf("BPE 2017 GPs %v, want 20", f.GPs)
	}
	// testdata/golden_raw.json: mean weighted by the standardised
	// population (2.667383 with total population).
	if !near(f.APL2023, 2.666624, 1e-6) || !near(f.ShareLow, 0.351571, 1e-6) {
		t.Errorf("APL 2023 %v, share ≤2.5 %v; want 2.666624 and 0.351571", *f.APL2023, *f.ShareLow)
	}
	if cnt(f, "msp") != 1 || cnt(f, "emergency") != 1 || cnt(f, "pharmacy") != 10 {
		t.Errorf("structures %v", f.Structures)
	}
	if f.CPTSPopulationShare != nil {
		t.Errorf("CPTS coverage outside PACA must be unknown, got %v", *f.CPTSPopulationShare)
	}
	kinds := []string{}
	for _, l := range r.Levels {
		kinds = append(kinds, l.Kind+":"+l.Code)
	}
	if len(kinds) != 4 || kinds[1] != "departement:77" || kinds[2] != "region:11" || kinds[3] != "france:FR" {
		t.Errorf("levels %v", kinds)
	}
	if !hasFinding(r, "population_sous_seuil") || !hasFinding(r, "apl_intermediaire") {
		t.Errorf("findings %+v", r.Attention)
	}
}

func TestIndicatorsLozere(t *testing.T) {
	r := buildReport(t, "dep:48")
	f := r.Levels[0].Figures
	if f.Communes != 152 || f.Population != 76486 {
		t.Errorf("communes %d population %d", f.Communes, f.Population)
	}
	if !near(f.APL2023, 2.900027, 1e-6) || !near(f.ShareLow, 0.4221435199100877, 1e-9) {
		t.Errorf("APL %v share low %v", *f.APL2023, *f.ShareLow)
	}
	// Occitanie FINESS 2026: 8 MSP and 33 pharmacies in Lozère.
	if cnt(f, "msp") != 8 || cnt(f, "pharmacy") != 33 {
		t.Errorf("structures %v", f.Structures)
	}
	// The territory is the département: both columns agree.
	if d := r.Levels[1]; d.Kind != "departement" || d.Population != f.Population || *d.APL2023 != *f.APL2023 {
		t.Errorf("département level %+v", d)
	}
	if len(r.Structures) == 0 || r.Structures[0].Kind != "msp" {
		t.Errorf("structures list should start with MSP: %+v", r.Structures[:1])
	}
}

func TestIndicatorsCPTSCoverage(t *testing.T) {
	// CA Cannes Pays de Lérins: 3 of 5 communes, 136,070 of 159,187
	// inhabitants inside a CPTS perimeter (ARS PACA 01/2026).
	r := buildReport(t, "epci:200039915")
	f := r.Levels[0].Figures
	if !near(f.CPTSCommuneShare, 3.0/5, 1e-12) || !near(f.CPTSPopulationShare, 136070.0/159187, 1e-12) {
		t.Errorf("CPTS coverage %v %v", f.CPTSCommuneShare, f.CPTSPopulationShare)
	}
	if !hasFinding(r, "cpts_couverture") {
		t.Error("partial CPTS coverage not flagged")
	}
	if len(r.CPTS) == 0 {
		t.Error("no CPTS listed")
	}
}

func TestParisAPLRollsUp(t *testing.T) {
	e := realEngine(t)
	a, ok := e.APL.Get("75056", 2023)
	// 20 arrondissements, weighted by their standardised population
	// (testdata/golden_raw.json: 4.957; 4.963 by total population).
	if !ok || a.Parts() != 20 || a.PopTotal != 2133111 || math.Abs(a.Value-4.957) > 5e-4 {
		t.Errorf("Paris APL %+v", a)
	}
	if _, ok := e.GPs("75056"); ok {
		t.Error("Paris must have no BPE GP data, not zero")
	}
}

func TestFindingsRules(t *testing.T) {
	low, mid, prev := 2.1, 0.6, 2.6
	r := &Report{Thresholds: DefaultThresholds, Levels: []Level{
		{Kind: "territory", Figures: Figures{Population: 12000, APL2023: &low, APL2022: &prev, ShareLow: &mid, Structures: map[string]*int{"msp": new(int), "cds": new(int)}}},
		{Kind: "france", Figures: Figures{}},
	}}
	att, lev := Findings(r)
	for _, k := range []string{"apl_prioritaire", "population_sous_seuil", "apl_baisse", "sans_msp"} {
		if !hasKey(att, k) {
			t.Errorf("finding %s missing: %+v", k, att)
		}
	}
	// CPTS perimeters unknown: no finding, a question to check.
	if hasKey(att, "cpts_couverture") {
		t.Error("a finding fired on unknown CPTS perimeters")
	}
	if !slices.ContainsFunc(lev, func(l Lever) bool { return l.Key == "cpts" && l.Check }) {
		t.Errorf("no CPTS lever to check: %+v", lev)
	}
	if hasKey(att, "apl_intermediaire") {
		t.Error("APL 2.1 is not intermediate")
	}
	if len(lev) == 0 || lev[0].Key != "zonage" || len(lev[0].Why) == 0 || !slices.ContainsFunc(lev, func(l Lever) bool { return l.Key == "cls" }) {
		t.Errorf("levers %+v", lev)
	}
}

func hasFinding(r *Report, key string) bool { return hasKey(r.Attention, key) }

func hasKey(fs []Finding, key string) bool {
	for _, f := range fs {
		if f.Key == key {
			return true
		}
	}
	return false
}

func BenchmarkBuildEPCI(b *testing.B) {
	e := realEngine(b)
	terr, err := NewResolver(e.Snap).Resolve("epci:200023240")
	if err != nil {
		b.Fatal(err)
	}
	e.Build(terr, "") // warm the comparison-level cache, as a batch would
	b.ResetTimer()
	for b.Loop() {
		e.Build(terr, "")
	}
}

// TestGPSourceAfterImport: with a gp_bpe table imported from an RPPS
// extraction, labels and limits name the RPPS, and Paris and the overseas
// départements have GP data (the BPE lacks them).
func TestGPSourceAfterImport(t *testing.T) {
	s, err := snapshot.LoadEmbedded() // a copy of its own, to alter
	if err != nil {
		t.Fatal(err)
	}
	tab := s.Manifest.Table("gp_bpe")
	tab.Origin, tab.Vintage = "/data/PS_LibreAcces_Personne_activite_202506120000.txt", "2025-06-12"
	tab.Coverage = nil
	for _, d := range s.Departements {
		tab.Coverage = append(tab.Coverage, snapshot.Coverage{Dep: d.Code, Source: "RPPS 2025-06-12", Vintage: "2025-06-12"})
	}
	e := NewEngine(s)
	if _, ok := e.GPs("75056"); !ok {
		t.Error("Paris has no GP data after an RPPS import")
	}
	terr, _ := NewResolver(s).Resolve("77333")
	r := e.Build(terr, "")
	if !r.GPFromRPPS || r.GPSource != "RPPS 2025-06-12" || !strings.Contains(r.Limits[1], "RPPS") {
		t.Errorf("GP source %q (%v), limit %q", r.GPSource, r.GPFromRPPS, r.Limits[1])
	}
	if r0 := realEngine(t).Build(terr, ""); r0.GPSource != "BPE 2017" || r0.GPFromRPPS {
		t.Errorf("embedded GP source %q", r0.GPSource)
	}
}

// TestTerritoryProfessionsFromRPPS: an imported per-commune RPPS table adds
// the territory's column to the professions, libéral counts.
func TestTerritoryProfessionsFromRPPS(t *testing.T) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	s.Professionals = []snapshot.ProfessionalCount{
		{Code: "77333", Profession: "GP", Count: 11, Liberal: 9, Vintage: "2025-06-12"},
		{Code: "77333", Profession: "60", Count: 30, Liberal: 21, Vintage: "2025-06-12"},
		{Code: "77431", Profession: "60", Count: 4, Liberal: 4, Vintage: "2025-06-12"},
		{Code: "48095", Profession: "60", Count: 50, Liberal: 40, Vintage: "2025-06-12"},
	}
	e := NewEngine(s)
	terr, _ := NewResolver(s).Resolve("77333", "77431")
	r := e.Build(terr, "")
	byKey := map[string]ProfessionFigures{}
	for _, p := range r.Professions {
		byKey[p.Key] = p
		if len(p.Levels) != len(r.Levels) || p.Levels[0].Kind != "territory" {
			t.Fatalf("%s: levels %+v", p.Key, p.Levels)
		}
	}
	pop := float64(12889 + 5401)
	if l := byKey["infirmier"].Levels[0]; l.Count == nil || *l.Count != 25 || math.Abs(*l.Density-25/pop*1e4) > 1e-12 {
		t.Errorf("nurses: %+v", l)
	}
	if l := byKey["mg"].Levels[0]; l.Count == nil || *l.Count != 9 {
		t.Errorf("GPs: %+v", l)
	}
	if l := byKey["pediatre"].Levels[0]; l.Count != nil {
		t.Errorf("paediatricians have no RPPS mapping, got %d", *l.Count)
	}
	if r0 := realEngine(t).Build(terr, ""); len(r0.Professions[0].Levels) != len(r0.Levels)-1 {
		t.Error("embedded data must not have a territory column")
	}
}

// cnt returns a structure count, -1 when unknown.
func cnt(f Figures, kind string) int {
	if p := f.Structures[kind]; p != nil {
		return *p
	}
	return -1
}

// BenchmarkFiguresFrance computes the figures of France (35,000 places),
// the comparison level every report computes at start-up.
func BenchmarkFiguresFrance(b *testing.B) {
	e := realEngine(b)
	var codes []string
	for _, c := range e.Snap.Communes {
		if !isCOM(c.Dep) {
			codes = append(codes, c.Code)
		}
	}
	e.Figures(codes) // the coverage index, built once per engine
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Figures(codes)
	}
}

// BenchmarkNewEngineIndexes is the engine's start once the tables are
// read: classifying every establishment of France and building the
// facility index of each kind, as a diagnose does before its report.
func BenchmarkNewEngineIndexes(b *testing.B) {
	s := realEngine(b).Snap
	for b.Loop() {
		newEngine(s, nil).facilityIndexes()
	}
}

func BenchmarkNewEngineOnly(b *testing.B) {
	s := realEngine(b).Snap
	for b.Loop() {
		newEngine(s, nil)
	}
}
