package diagnostic

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
)

// Unknown is not zero: outside the départements a source covers, a figure
// is nil with a reason, comparison levels sum covered areas only and say
// so, and no finding fires on an unknown.

func TestUnknownCPTSPerimeterIsNotZero(t *testing.T) {
	r := buildReport(t, "epci:200023240") // CC Pays de Nemours, 77: no known CPTS perimeter
	f := r.Levels[0].Figures
	if f.CPTSPopulationShare != nil || f.CPTSCommuneShare != nil {
		t.Fatalf("CPTS coverage outside PACA must be unknown, got %v %v", f.CPTSPopulationShare, f.CPTSCommuneShare)
	}
	g := f.Gap("cpts_population_share")
	if g == nil || g.Status != GapUnknown || !strings.Contains(g.Reason, "Provence-Alpes-Côte d'Azur") {
		t.Errorf("gap %+v", g)
	}
	if hasFinding(r, "cpts_couverture") {
		t.Error(`"créer une CPTS" must not follow from an unknown perimeter`)
	}
	i := slices.IndexFunc(r.Levers, func(l Lever) bool { return l.Key == "cpts" })
	if i < 0 || !r.Levers[i].Check || !strings.Contains(r.Levers[i].What, "vérifier auprès de l'ARS") {
		t.Errorf("the CPTS lever must be a question to check: %+v", r.Levers)
	}
	// Perimeters are known for PACA only: 5,218,960 of France's 68,350,798
	// inhabitants, 7.6 %, under MinCoverage. France's share would be PACA's
	// (98.1 %): it is unknown, and says why.
	fr := r.level("france")
	for _, field := range []string{"cpts_population_share", "cpts_commune_share"} {
		g := fr.Gap(field)
		if g == nil || g.Status != GapUnknown {
			t.Fatalf("France %s gap %+v, want unknown", field, g)
		}
		if want := "Non disponible (périmètres de CPTS) : données connues pour 7,6\u00a0% de la population seulement, sous le seuil de 50\u00a0% ; non disponibles pour 95 départements."; g.Reason != want {
			t.Errorf("France %s reason %q", field, g.Reason)
		}
	}
	if fr.CPTSPopulationShare != nil || fr.CPTSCommuneShare != nil {
		t.Errorf("France CPTS shares %v %v, want unknown (perimeters known for 7.6 %% of the population)", deref(fr.CPTSPopulationShare), deref(fr.CPTSCommuneShare))
	}
	if _, ok := fr.Sources["cpts"]; ok {
		t.Errorf("France lists the CPTS source %v for a figure it does not give", fr.Sources["cpts"])
	}
	// PACA itself is covered whole: its share is PACA's own, 98.1 %.
	if paca := realEngine(t).LevelFigures("region", "93"); !near(paca.CPTSPopulationShare, 0.9806304321167436, 1e-12) || paca.Gap("cpts_population_share") != nil {
		t.Errorf("PACA CPTS share %v, gap %+v", deref(paca.CPTSPopulationShare), paca.Gap("cpts_population_share"))
	}
	if want := "Non disponible pour Seine-et-Marne (77) (périmètres de CPTS) : la source ne couvre que Provence-Alpes-Côte d'Azur : ARS PACA 2026-01."; g.Reason != want {
		t.Errorf("reason %q", g.Reason)
	}
}

func TestProximityHospitalsKnownInIdFAndOccitanie(t *testing.T) {
	// ARS Île-de-France, 1 January 2022: CH de Nemours (770000214) and
	// Forcilles (770020477) in Seine-et-Marne, 8 in the région; FINESS 2026
	// marker: 34 in Occitanie, 4 in Lozère.
	r := buildReport(t, "epci:200023240")
	if n := r.Levels[0].Count("proximity"); n == nil || *n != 1 {
		t.Errorf("Nemours EPCI proximity hospitals %v, want 1 (CH de Nemours)", n)
	}
	for _, tc := range []struct {
		kind, code string
		want       int
	}{{"departement", "77", 2}, {"region", "11", 8}, {"region", "76", 34}, {"departement", "48", 4}} {
		f := realEngine(t).LevelFigures(tc.kind, tc.code)
		if n := f.Count("proximity"); n == nil || *n != tc.want || f.Gap("structures.proximity") != nil {
			t.Errorf("%s %s proximity %v (gap %+v), want %d", tc.kind, tc.code, n, f.Gap("structures.proximity"), tc.want)
		}
	}
	// The labels are known for 27.2 % of France's population (Île-de-France
	// and Occitanie), under MinCoverage: the 42 hospitals counted there are
	// not France's count.
	fr := realEngine(t).LevelFigures("france", "")
	if n, g := fr.Count("proximity"), fr.Gap("structures.proximity"); n != nil || g == nil || g.Status != GapUnknown ||
		!strings.Contains(g.Reason, "données connues pour 27,2\u00a0% de la population seulement") {
		t.Errorf("France proximity %v, gap %+v; want unknown, known for 27.2 %% of the population", n, g)
	}
	bdr := realEngine(t).LevelFigures("departement", "13")
	if bdr.Count("proximity") != nil || bdr.Gap("structures.proximity").Status != GapUnknown {
		t.Errorf("Bouches-du-Rhône proximity hospitals must be unknown, got %v", bdr.Count("proximity"))
	}
	if hasFinding(r, "sans_msp") {
		t.Error("Nemours has an MSP")
	}
}

func TestMayotteUnknowns(t *testing.T) {
	f := realEngine(t).LevelFigures("departement", "976")
	if f.APL2023 != nil || f.Gap("apl_2023") == nil || !strings.Contains(f.Gap("apl_2023").Reason, "Mayotte (976) : aucune commune") {
		t.Errorf("Mayotte APL %v, gap %+v", f.APL2023, f.Gap("apl_2023"))
	}
	for _, k := range []string{"msp", "emergency", "hospital", "pharmacy"} {
		if f.Count(k) != nil {
			t.Errorf("Mayotte %s = %d, want unknown", k, *f.Count(k))
		}
	}
	if f.Population != 256518 {
		t.Errorf("Mayotte population %d", f.Population)
	}
}

func TestArrondissementFigures(t *testing.T) {
	r := buildReport(t, "13216")
	f := r.Levels[0].Figures
	if f.Population != 15854 || !near(f.APL2023, 2.833, 1e-12) || !near(f.ShareMiddle, 1, 1e-12) {
		t.Errorf("Marseille 16e: population %d, APL %v, share 2.5–4 %v", f.Population, deref(f.APL2023), deref(f.ShareMiddle))
	}
	if f.GPs != nil || f.Gap("gps") == nil || !strings.Contains(f.Gap("gps").Reason, "pas par arrondissement") {
		t.Errorf("BPE GPs of an arrondissement must be unknown: %v %+v", f.GPs, f.Gap("gps"))
	}
	kinds := []string{}
	for _, l := range r.Levels {
		kinds = append(kinds, l.Kind+":"+l.Code)
	}
	if !slices.Equal(kinds, []string{"territory:", "departement:13", "region:93", "france:FR"}) {
		t.Errorf("levels %v", kinds)
	}
	// Marseille whole: the classes of its arrondissements, not of a mean.
	m := buildReport(t, "13055").Levels[0].Figures
	if m.ShareMiddle == nil || *m.ShareMiddle < 0.2 {
		t.Errorf("Marseille share 2.5–4 = %v: its 16e (2.833) and others are in that band", deref(m.ShareMiddle))
	}
	if m.GPs == nil || *m.GPs != 1217 {
		t.Errorf("Marseille BPE GPs %v, want 1,217 (whole city)", m.GPs)
	}
	// CPTS Actes Santé lists 13214, 13215, 13216 only.
	c := buildReport(t, `cpts:"CPTS Actes Santé"`).Levels[0].Figures
	if c.Population != 155520 || !near(c.CPTSPopulationShare, 1, 0) {
		t.Errorf("CPTS Actes Santé population %d, coverage %v", c.Population, deref(c.CPTSPopulationShare))
	}
}

func TestMergedCommuneKeepsItsRows(t *testing.T) {
	// Saint-Denis (93066) absorbed Pierrefitte-sur-Seine (93059): the APL
	// 2023 has both rows, Pierrefitte 4.093 above 4 and Saint-Denis 3.750
	// between 2.5 and 4; shares classify each row.
	a, ok := realEngine(t).APL.Get("93066", 2023)
	if !ok || a.Parts() != 2 {
		t.Fatalf("Saint-Denis APL rows %+v", a)
	}
	f := buildReport(t, "Saint-Denis (93)").Levels[0].Figures
	if !near(f.ShareHigh, 32379/146321.0, 1e-6) || !near(f.APL2023, 3.826268, 1e-6) {
		t.Errorf("share > 4 %v, APL %v", deref(f.ShareHigh), deref(f.APL2023))
	}
}

// snapshotWithRPPSGPs is the embedded snapshot whose GP table says an RPPS
// extraction of 2026-11-20 covers the départements deps.
func snapshotWithRPPSGPs(t *testing.T, deps ...string) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tab := s.Manifest.Table("gp_bpe")
	tab.Coverage = slices.DeleteFunc(tab.Coverage, func(c snapshot.Coverage) bool { return slices.Contains(deps, c.Dep) })
	for _, d := range deps {
		tab.Coverage = append(tab.Coverage, snapshot.Coverage{Dep: d, Source: "RPPS 2026-11-20", Vintage: "2026-11-20"})
	}
	return s
}

// TestGPsFromRPPSArePeople: with an RPPS extraction imported for some
// départements, a GP practising at two sites of the territory counts once,
// arrondissements count their own GPs, and départements the extraction
// does not cover keep the BPE counts.
func TestGPsFromRPPSArePeople(t *testing.T) {
	s := snapshotWithRPPSGPs(t, "77", "75")
	s.GPSites = []snapshot.GPSite{
		{Person: "810001", Code: "77333", Mode: "liberal"}, // Nemours
		{Person: "810001", Code: "77016", Mode: "liberal"}, // the same GP in Bagneaux-sur-Loing
		{Person: "810002", Code: "77333", Mode: "cds"},     // salaried in a centre de santé
		{Person: "810003", Code: "75108", Mode: "liberal"},
		{Person: "810003", Code: "75117", Mode: "liberal"},
		{Person: "810004", Code: "75108", Mode: "liberal"},
	}
	e := NewEngine(s)
	res := NewResolver(s)
	count := func(items ...string) (*int, string) {
		terr, err := res.Resolve(items...)
		if err != nil {
			t.Fatal(err)
		}
		f := e.Figures(terr.Communes)
		return f.GPs, f.GPSource
	}
	if n, src := count("77333", "77016"); n == nil || *n != 2 || src != "RPPS 2026-11-20" {
		t.Errorf("Nemours + Bagneaux: %v GPs (%s), want 2 people", n, src)
	}
	if n, _ := count("75108"); n == nil || *n != 2 {
		t.Errorf("Paris 8e: %v GPs, want 2", n)
	}
	if n, _ := count("Paris"); n == nil || *n != 2 {
		t.Errorf("Paris: %v GPs, want 2 people (810003 has two sites)", n)
	}
	// Lozère stays on the BPE 2017; a mixed territory names both sources.
	if n, src := count("77333", "48095"); n == nil || !strings.Contains(src, "BPE 2017") || !strings.Contains(src, "RPPS") {
		t.Errorf("mixed sources: %v (%q)", n, src)
	}
}

// TestRPPSCoverageWithoutSitesSumsCommuneCounts: GPs count as people only
// when the snapshot holds the RPPS sites; a département whose coverage
// names an RPPS extraction but with no site loaded keeps the per-commune
// counts, summed (BPE 2017: Nemours 77333 12 GPs, Bagneaux-sur-Loing 77016
// 2, in doctor.csv).
func TestRPPSCoverageWithoutSitesSumsCommuneCounts(t *testing.T) {
	s := snapshotWithRPPSGPs(t, "77")
	s.GPSites = nil
	terr, err := NewResolver(s).Resolve("77333", "77016")
	if err != nil {
		t.Fatal(err)
	}
	if f := NewEngine(s).Figures(terr.Communes); f.GPs == nil || *f.GPs != 14 {
		t.Errorf("Nemours + Bagneaux-sur-Loing without RPPS sites: %v GPs, want 14 (12 + 2)", f.GPs)
	}
}

// TestEstablishmentsLimitNamesMixedVintages: the limits say that the
// comparison levels mix FINESS extractions only when France's
// establishments come from several (the embedded snapshot: FINESS
// 2021-01-08 and the Occitanie extraction of 2026); with one extraction
// everywhere they name the territory's source alone.
func TestEstablishmentsLimitNamesMixedVintages(t *testing.T) {
	mixed := func(e *Engine) (source, mix bool) {
		t.Helper()
		terr, err := NewResolver(e.Snap).Resolve("77333")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range e.Build(terr, "").Limits {
			if strings.HasPrefix(l, "Les établissements du territoire viennent de : ") {
				source = true
				mix = strings.Contains(l, "Les niveaux de comparaison mélangent des millésimes (")
			}
		}
		return source, mix
	}
	if source, mix := mixed(realEngine(t)); !source || !mix {
		t.Errorf("embedded snapshot: source named %v, mixed vintages named %v", source, mix)
	}
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	tab := s.Manifest.Table(taxonomy.CoverageEstablishments)
	if tab == nil || len(tab.Coverage) == 0 {
		t.Fatal("no coverage of establishments")
	}
	one := tab.Coverage[0]
	for i := range tab.Coverage {
		tab.Coverage[i].Source, tab.Coverage[i].Vintage = one.Source, one.Vintage
	}
	e := NewEngine(s)
	e.Date = testDate
	if source, mix := mixed(e); !source || mix {
		t.Errorf("one extraction: source named %v, mixed vintages named %v", source, mix)
	}
}

// TestAPLNotes: `datasets info` says what was done with the APL rows that
// do not fit today's communes (golden_raw.json: 3 rows of population 0 in
// 2023, L'Oie, Sainte-Florence, Villotran; 10 communes without a row; 68
// old-code rows).
func TestAPLNotes(t *testing.T) {
	all := APLNotes(realEngine(t).Snap)
	if len(all) != 7 {
		t.Errorf("%d notes, want 7 (2 vintages × communes without inhabitants, without a row, old codes; rows of population 0 in 2023):\n%s", len(all), strings.Join(all, "\n"))
	}
	notes := strings.Join(all, "\n")
	for _, want := range []string{
		"e.g. 01330→01187, 02311→02589, 08294→08053, 08300→08439, … 77 more)",
		"APL 2023: 3 rows with population 0 (60694 85165 85212)",
		"APL 2023: 4 current communes without a row (15031 15035 15047 15171)",
		"APL 2023: 6 current communes without inhabitants have no row (55039 55050 55139 55189 55239 55307)",
		"APL 2023: 68 rows of old codes",
		"APL 2022: 81 rows of old codes",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	// The published value of L'Oie is shown, and weighs nothing.
	a, ok := realEngine(t).APL.Get("85165", 2023)
	if !ok || a.Value != 3.175 || a.PopTotal != 0 {
		t.Errorf("L'Oie %+v", a)
	}
}

// TestTravelTimesLabel: with a user matrix the report says the times come
// from it, not that they are crow-fly estimates.
func TestTravelTimesLabel(t *testing.T) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(s)
	terr, _ := NewResolver(s).Resolve("77333")
	if r := e.Build(terr, ""); r.TravelTimes != "modèle à vol d'oiseau" || !slices.ContainsFunc(r.Limits, func(l string) bool { return strings.HasPrefix(l, "Les temps de trajet sont estimés") }) {
		t.Errorf("model: %q", r.TravelTimes)
	}
	e.TimesSource = "osrm.csv, 12 paires"
	r := e.Build(terr, "")
	if !strings.Contains(r.TravelTimes, "osrm.csv") || !slices.ContainsFunc(r.Limits, func(l string) bool {
		return strings.HasPrefix(l, "Les temps de trajet viennent de la matrice de temps routiers fournie (osrm.csv, 12 paires)")
	}) {
		t.Errorf("matrix: %q %q", r.TravelTimes, r.Limits)
	}
}

// TestAPLRollUpEdges: a city's APL to GPs under 65 is the roll-up of its
// arrondissements (golden_raw.json: Paris 4.059 all ages 4.957); a
// commune whose only row has population 0 keeps its published value but
// has no population share.
func TestAPLRollUpEdges(t *testing.T) {
	e := realEngine(t)
	a, ok := e.APL.Get("75056", 2023)
	if !ok || math.Abs(a.Under65-4.059) > 5e-4 || math.Abs(a.Value-4.957) > 5e-4 {
		t.Errorf("Paris: %v / %v", a.Value, a.Under65)
	}
	f := e.Figures([]string{"85165"}) // L'Oie: APL 2023 3.175, population 0
	if !near(f.APL2023, 3.175, 0) || f.ShareLow != nil || f.NeedIndex != nil {
		t.Errorf("L'Oie: APL %v, share ≤ 2.5 %v, need %v", deref(f.APL2023), deref(f.ShareLow), deref(f.NeedIndex))
	}
}

// TestCoverageWording: départements are named up to six, whole régions of
// several départements by their name, a single-département région by its
// département; more than four names are counted.
func TestCoverageWording(t *testing.T) {
	e := realEngine(t)
	set := func(codes ...string) map[string]bool {
		m := map[string]bool{}
		for _, c := range codes {
			m[c] = true
		}
		return m
	}
	for _, tc := range []struct {
		deps []string
		want string
	}{
		{[]string{"77"}, "Seine-et-Marne (77)"},
		{[]string{"01", "02", "03", "04", "05", "06"}, "Ain (01), Aisne (02), Allier (03), Alpes-de-Haute-Provence (04), Hautes-Alpes (05) et Alpes-Maritimes (06)"},
		{[]string{"01", "02", "03", "04", "05", "06", "07"}, "7 départements"},
	} {
		if got := e.depList(set(tc.deps...), false); got != tc.want {
			t.Errorf("depList(%v) = %q, want %q", tc.deps, got, tc.want)
		}
	}
	paca := []string{"04", "05", "06", "13", "83", "84"}
	for _, tc := range []struct {
		deps []string
		want string
	}{
		{paca, "Provence-Alpes-Côte d'Azur"},
		{append(slices.Clone(paca), "971"), "Provence-Alpes-Côte d'Azur et Guadeloupe (971)"},
		{append(slices.Clone(paca), "77"), "Provence-Alpes-Côte d'Azur et Seine-et-Marne (77)"},
		{[]string{"971", "972", "973", "974", "77"}, "Seine-et-Marne (77), Guadeloupe (971), Martinique (972), Guyane (973) et La Réunion (974)"},
	} {
		if got := e.areaNames(tc.deps, false); got != tc.want {
			t.Errorf("areaNames(%v) = %q, want %q", tc.deps, got, tc.want)
		}
	}
	if got := e.describeCoverage(nil); got != "aucune source chargée ne le donne" {
		t.Errorf("no table: %q", got)
	}
}

// A figure over part of a level is shown (partial) from MinCoverage of the
// level's population up, and is unknown below it.
func TestCoverageThreshold(t *testing.T) {
	e := realEngine(t)
	cov := func(popIn, popOut int) *coverage {
		c := e.newCoverage("cpts", "périmètres de CPTS")
		c.add("13", popIn) // PACA: perimeters known
		c.add("77", popOut)
		return c
	}
	for _, tc := range []struct {
		in, out int
		usable  bool
		status  string
	}{
		{500, 500, true, GapPartial},  // exactly MinCoverage
		{499, 501, false, GapUnknown}, // just under
		{931, 69, true, GapPartial},   // France's GPs: 93.1 %
		{76, 924, false, GapUnknown},  // France's CPTS: 7.6 %
		{1000, 0, true, ""},           // all covered: no gap
		{0, 1000, false, GapUnknown},  // none covered
	} {
		c := cov(tc.in, tc.out)
		if tc.out == 0 {
			c = e.newCoverage("cpts", "périmètres de CPTS")
			c.add("13", tc.in)
		}
		if tc.in == 0 {
			c = e.newCoverage("cpts", "périmètres de CPTS")
			c.add("77", tc.out)
		}
		status := ""
		if g := c.gap(e, "cpts_population_share"); g != nil {
			status = g.Status
		}
		if c.usable() != tc.usable || status != tc.status {
			t.Errorf("%d covered, %d not: usable %v, gap %q; want %v, %q", tc.in, tc.out, c.usable(), status, tc.usable, tc.status)
		}
	}
}

// INSEE's estimates by age are by département (2023, "ensemble"): 2A has
// 20,499 of 163,955 inhabitants aged 75 or more, 2B 22,027 of 187,300,
// Paris 185,223 of 2,102,650. A territory of whole départements has their
// share; any other has none, with the reason.
func TestShare75PlusOfTerritories(t *testing.T) {
	for _, tc := range []struct {
		items []string
		want  float64
	}{
		{[]string{"dep:2A"}, 20499.0 / 163955},
		{[]string{"dep:2A", "dep:2B"}, (20499.0 + 22027) / (163955 + 187300)},
		{[]string{"75056"}, 185223.0 / 2102650},
		// Paris by its twenty arrondissements is Paris whole.
		{[]string{"75101", "75102", "75103", "75104", "75105", "75106", "75107", "75108", "75109", "75110",
			"75111", "75112", "75113", "75114", "75115", "75116", "75117", "75118", "75119", "75120"}, 185223.0 / 2102650},
	} {
		r := buildReport(t, tc.items...)
		f := r.Levels[0].Figures
		if !near(f.Share75Plus, tc.want, 1e-15) || f.Gap("share_75_plus") != nil {
			t.Errorf("%v: share 75+ %v (gap %+v), want %v", tc.items, deref(f.Share75Plus), f.Gap("share_75_plus"), tc.want)
		}
		if dep := r.level("departement"); len(tc.items) == 1 && (dep.Share75Plus == nil || *dep.Share75Plus != *f.Share75Plus) {
			t.Errorf("%v: territory %v, its département %v", tc.items, deref(f.Share75Plus), deref(dep.Share75Plus))
		}
	}
	const what = "La part des 75 ans et plus n'est publiée que par département (estimations de population de l'INSEE) : elle n'est pas connue pour un territoire qui ne couvre pas entièrement "
	for _, tc := range []struct {
		items []string
		where string
	}{
		{[]string{"epci:200023240"}, "Seine-et-Marne (77)."},
		{[]string{"75108"}, "Paris (75)."},
		// Nineteen arrondissements of Paris are not Paris.
		{[]string{"75101", "75102", "75103", "75104", "75105", "75106", "75107", "75108", "75109", "75110",
			"75111", "75112", "75113", "75114", "75115", "75116", "75117", "75118", "75119"}, "Paris (75)."},
		// Haute-Corse whole and one commune of Corse-du-Sud (Ajaccio).
		{[]string{"dep:2B", "2A004"}, "la Corse-du-Sud (2A)."},
	} {
		f := buildReport(t, tc.items...).Levels[0].Figures
		g := f.Gap("share_75_plus")
		if f.Share75Plus != nil || g == nil || g.Status != GapUnknown || g.Reason != what+tc.where {
			t.Errorf("%v: share 75+ %v, gap %+v; want unknown: %s", tc.items, deref(f.Share75Plus), g, what+tc.where)
		}
	}
	// The communes' figures have no share of their own, and no gap for it.
	for _, c := range buildReport(t, "epci:200023240").Communes {
		if slices.ContainsFunc(c.Gaps, func(g Gap) bool { return g.Field == "share_75_plus" }) {
			t.Fatalf("commune %s has a share_75_plus gap", c.Code)
		}
	}
}

// The BPE counts Paris's GPs for the whole city: a territory of Paris's
// arrondissements and Asnières-sur-Seine (92004, about 87,000 inhabitants
// of 2.2 million) has GP counts for under half its population, so none:
// not Asnières's GPs as the territory's, nor their source.
func TestGPsUnderMinCoverage(t *testing.T) {
	items := []string{"92004"}
	for i := 1; i <= 20; i++ {
		items = append(items, fmt.Sprintf("751%02d", i))
	}
	f := buildReport(t, items...).Levels[0].Figures
	g := f.Gap("gp_density_per_10000")
	if f.GPs != nil || f.GPDensity != nil || g == nil || g.Status != GapUnknown || !strings.Contains(g.Reason, "sous le seuil de 50\u00a0%") {
		t.Errorf("GPs %v, density %v, gap %+v; want unknown under the threshold", f.GPs, deref(f.GPDensity), g)
	}
	if f.GPSource != "" || f.Sources["gp_bpe"] != nil {
		t.Errorf("GP source %q, sources %v, for counts the report does not give", f.GPSource, f.Sources["gp_bpe"])
	}
	// Asnières alone is covered whole.
	if a := buildReport(t, "92004").Levels[0].Figures; a.GPs == nil || a.Gap("gps") != nil || a.GPSource != "BPE 2017" {
		t.Errorf("Asnières GPs %v, gap %+v, source %q", a.GPs, a.Gap("gps"), a.GPSource)
	}
}
