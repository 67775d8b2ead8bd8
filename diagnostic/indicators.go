package diagnostic

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
	"github.com/diagsante/diagsante/diagnostic/access"
	"github.com/diagsante/diagsante/diagnostic/internal/groups"
)

// An Engine computes indicators from one snapshot. Build it once and reuse
// it: the comparison levels (départements, régions, France) are computed
// once and cached, which matters for batches.
type Engine struct {
	Snap       *snapshot.Snapshot
	APL        *APLIndex
	Thresholds Thresholds

	gps       map[string]int      // BPE 2017 GPs by current commune
	kindsAt   [][]string          // index into Snap.Establishments -> kinds (shared between establishments: never modify one)
	ofKind    map[string][]int32  // nearest kind counted in the report -> indexes into Snap.Establishments of those with a point, in order
	had       []int               // indexes into Snap.Establishments of the HAD
	byCommune *groups.Index[int]  // commune -> indexes into Snap.Establishments
	byArr     *groups.Index[int]  // arrondissement municipal -> indexes into Snap.Establishments
	cptsOf    map[string][]string // place (commune or arrondissement) -> CPTS names (known perimeters)
	cptsDeps  map[string]bool     // départements where CPTS perimeters are known
	emergency map[string]snapshot.EmergencyDept
	maternity map[string]snapshot.Maternity

	// Times estimates road minutes between communes and facilities: the
	// crow-fly model by default, a user matrix over it when given.
	Times access.Times
	// TimesSource names a user matrix of road times for the report's
	// labels (e.g. "osrm.csv, 1 234 paires"); "" when the model alone is used.
	TimesSource string

	// Date is the day the report is made: the report shows it, and flags
	// the data more than StaleAfterYears older. NewEngine sets today;
	// tests set a fixed day so that reports stay the same.
	Date time.Time

	mu    sync.Mutex
	cache map[string]*levelEntry
	// useStoredLevels lets the engine take the levels' figures stored for
	// its snapshot's fingerprint (see UseStoredLevels); fingerprint is
	// the snapshot's, taken once.
	useStoredLevels bool
	fpOnce          sync.Once
	fingerprint     string
	// levelAPL is the APL index of all places when APL holds some only
	// (NewEngineOf); nil when APL is that index.
	levelAPL func() *APLIndex

	facOnce sync.Once
	fac     map[string]*access.FacilityIndex
	// hadPlaces is the place of each had, looked up once by hadServing.
	hadOnce   sync.Once
	hadPlaces []*snapshot.Commune
	// byLat are the communes by latitude (communesByLat), built for the
	// second one-commune report: see neighbours.
	latOnce        sync.Once
	byLat          []int32
	neighbourCalls atomic.Int64

	descCache sync.Map // table name -> describeCoverage text
	// depCommunes is the number of current communes of each département
	// (share75Of).
	depOnce     sync.Once
	depCommunes map[string]int
	covOnce     sync.Once
	covIdx      map[string]map[string]snapshot.Coverage // table -> dep -> coverage; nil map: national

	libOnce sync.Once
	libIdx  map[[2]string]map[string]int // (sheet, category) -> dep -> libéral professionals
}

// NewEngine indexes a snapshot for indicator computations.
func NewEngine(s *snapshot.Snapshot) *Engine {
	// The APL index, the longest part, is built beside the others.
	apl := make(chan *APLIndex, 1)
	go func() { apl <- NewAPLIndex(s) }()
	e := newEngine(s, nil)
	e.APL = <-apl
	return e
}

// NewEngineOf is NewEngine with the official APL of the places of codes
// only (see [NewAPLIndexOf]), for a command that reads no other: a
// scenario over a territory does not index the APL of all France.
func NewEngineOf(s *snapshot.Snapshot, codes []string) *Engine {
	return newEngine(s, nil).withAPLOf(codes)
}

// PrepareEngine starts indexing a snapshot for an engine, and the facility
// indexes of the nearest-structure times, on other goroutines, while the
// caller resolves its territory; the function it returns finishes the
// engine as NewEngineOf(s, codes) does. The snapshot's tables other than
// the APL must not change meanwhile (the APL may: LoadAPLOf).
func PrepareEngine(s *snapshot.Snapshot) func(codes []string) *Engine {
	ready := make(chan *Engine, 1)
	go func() {
		ready <- newEngineWarming(s, nil, true)
	}()
	return func(codes []string) *Engine {
		apl := NewAPLIndexOf(s, codes)
		e := <-ready
		e.APL = apl
		return e.withAPLOf(nil)
	}
}

// withAPLOf sets the engine's official APL to that of the places of codes
// (unless set), and how a comparison level computed rather than taken from
// the stored figures gets the APL of all its communes.
func (e *Engine) withAPLOf(codes []string) *Engine {
	if e.APL == nil {
		e.APL = NewAPLIndexOf(e.Snap, codes)
	}
	s := e.Snap
	e.levelAPL = sync.OnceValue(func() *APLIndex { return NewAPLIndex(s) })
	return e
}

func newEngine(s *snapshot.Snapshot, apl *APLIndex) *Engine {
	return newEngineWarming(s, apl, false)
}

// newEngineWarming is newEngine; with warm, it starts building the
// facility indexes (facilityIndexes) as soon as the establishments are
// classified, beside the rest of its indexing.
func newEngineWarming(s *snapshot.Snapshot, apl *APLIndex, warm bool) *Engine {
	e := &Engine{Snap: s, APL: apl, Thresholds: DefaultThresholds,
		// Sized once: growing it was half of the engine's start.
		gps: make(map[string]int, len(s.GPs)), cptsOf: map[string][]string{},
		emergency: map[string]snapshot.EmergencyDept{}, maternity: map[string]snapshot.Maternity{},
		cache: map[string]*levelEntry{}, Date: time.Now()}
	for _, g := range s.GPs {
		e.gps[g.Code] += g.Count
	}
	// Where the GP table covers a département (its Coverage: the BPE 2017
	// covers metropolitan France without Paris, an RPPS import the
	// départements of its file), a commune absent from it is a true zero;
	// elsewhere the count is unknown.
	for _, u := range s.Emergency {
		e.emergency[u.Finess] = u
	}
	for _, m := range s.Maternities {
		e.maternity[m.Finess] = m
	}
	e.kindsAt = make([][]string, len(s.Establishments))
	report := map[string]bool{}
	for _, k := range Kinds {
		report[k.Key] = true
	}
	reported := func(kinds []string) []string {
		return slices.DeleteFunc(kinds, func(k string) bool { return !report[k] })
	}
	// Classifying reads the names (centres de santé, hospital units): the
	// longest part, shared between the cores; the indexes follow in order.
	// The other categories' kinds depend on the category and the hôpital
	// de proximité label alone (taxonomy.ReadsNames): they are classified
	// once per category and label, and the result is shared, clipped so
	// that adding the SAE kinds copies it. Classifying every establishment
	// was a third of a one-EPCI diagnose's start.
	type ofCategory struct {
		names bool
		done  [2]bool
		kinds [2][]string // without, with the label
	}
	classify := func(lo, hi int) {
		memo := map[string]*ofCategory{}
		for i := lo; i < hi; i++ {
			est := &s.Establishments[i]
			m := memo[est.Category]
			if m == nil {
				m = &ofCategory{names: taxonomy.ReadsNames(est.Category)}
				memo[est.Category] = m
			}
			var kinds []string
			if m.names {
				kinds = reported(taxonomy.Classify(est))
			} else {
				l := 0
				if est.ProximityHospital {
					l = 1
				}
				if !m.done[l] {
					m.kinds[l], m.done[l] = slices.Clip(reported(taxonomy.Classify(est))), true
				}
				kinds = m.kinds[l]
			}
			if _, ok := e.emergency[est.Finess]; ok {
				kinds = append(kinds, "emergency")
			}
			if _, ok := e.maternity[est.Finess]; ok {
				kinds = append(kinds, "maternity")
			}
			if len(kinds) > 0 {
				e.kindsAt[i] = kinds
			}
		}
	}
	var wg sync.WaitGroup
	n := len(s.Establishments)
	parts := min(runtime.GOMAXPROCS(0), 4)
	for p := range parts {
		wg.Go(func() { classify(p*n/parts, (p+1)*n/parts) })
	}
	wg.Wait()
	e.ofKind = map[string][]int32{}
	for _, k := range accessKinds {
		if report[k.key] {
			e.ofKind[k.key] = []int32{}
		}
	}
	for i := range s.Establishments {
		kinds := e.kindsAt[i]
		if len(kinds) == 0 {
			continue
		}
		if slices.Contains(kinds, "had") {
			e.had = append(e.had, i)
		}
		if s.Establishments[i].HasPoint {
			for _, k := range kinds {
				if at, ok := e.ofKind[k]; ok {
					e.ofKind[k] = append(at, int32(i))
				}
			}
		}
	}
	if warm {
		go e.facilityIndexes()
	}
	// The establishments stand in about one commune for four of them
	// (9,056 communes for 42,477 in the embedded snapshot).
	communes := groups.NewBuilder[int](len(s.Establishments), min(len(s.Communes), len(s.Establishments)/4))
	arrs := groups.NewBuilder[int](len(s.Establishments), 0)
	for i := range s.Establishments {
		if len(e.kindsAt[i]) > 0 {
			est := &s.Establishments[i]
			communes.Add(i, est.Commune)
			arrs.Add(i, est.Arrondissement)
		}
	}
	e.byCommune, e.byArr = communes.Index(), arrs.Index()
	e.cptsDeps = map[string]bool{}
	addCPTS := func(place, name string) {
		if !slices.Contains(e.cptsOf[place], name) {
			e.cptsOf[place] = append(e.cptsOf[place], name)
		}
	}
	for _, m := range s.CPTS {
		// A perimeter listing arrondissements covers only those; one
		// listing a city covers all of them.
		places := m.Arrondissements
		if len(places) == 0 {
			places = append([]string{m.Commune}, s.ArrondissementsOf(m.Commune)...)
		}
		for _, p := range places {
			addCPTS(p, m.CPTS)
		}
		if c := s.Commune(m.Commune); c != nil {
			e.cptsDeps[c.Dep] = true
		}
	}
	for _, city := range []string{"75056", "69123", "13055"} {
		// The city lists the CPTS of any of its arrondissements.
		for _, a := range s.ArrondissementsOf(city) {
			for _, n := range e.cptsOf[a] {
				addCPTS(city, n)
			}
		}
	}
	return e
}

// Class returns the APL class of a value: "low" (≤ Low), "middle" or "high".
func (t Thresholds) Class(apl float64) string {
	return [3]string{"low", "middle", "high"}[t.classIndex(apl)]
}

// kindCoverage names the coverage entry of the snapshot that says where a
// kind of structure is known, and what the kind is in a sentence.
func kindCoverage(key string) (table, what string) {
	table = taxonomy.CoverageEstablishments
	if k, ok := taxonomy.Lookup(key); ok && k.Coverage != "" {
		table = k.Coverage
	}
	switch table {
	case taxonomy.CoverageProximity:
		return table, "hôpitaux de proximité labellisés"
	case taxonomy.CoverageSNP:
		return table, "structures de soins non programmés et du SAS"
	case taxonomy.CoverageEmergency:
		return table, "services d'urgences"
	case taxonomy.CoverageMaternity:
		return table, "maternités"
	}
	return table, "établissements du FINESS"
}

// units returns the finest places of a place: the arrondissements of
// Paris, Lyon and Marseille, else the place itself.
func (e *Engine) units(code string) []string {
	if a := e.Snap.ArrondissementsOf(code); len(a) > 0 {
		return a
	}
	return []string{code}
}

// Figures computes the indicators of a set of places (current communes or
// arrondissements municipaux).
func (e *Engine) Figures(codes []string) Figures {
	f := e.figures(codes, e.APL)
	e.setShare75(&f, codes)
	return f
}

// setShare75 sets the share of the population aged 75 and over of a set of
// places, or its gap.
func (e *Engine) setShare75(f *Figures, codes []string) {
	v, g := e.share75Of(codes)
	f.Share75Plus = v
	if g != nil {
		f.Gaps = append(f.Gaps, *g)
	}
}

// figures is Figures with the official APL taken from apl.
func (e *Engine) figures(codes []string, apl *APLIndex) Figures {
	f := Figures{Communes: len(codes), Structures: map[string]*int{}, Sources: map[string][]string{}}
	var s23, s22 aplSums
	gps := 0
	gpCov := e.newCoverage("gp_bpe", "effectifs de médecins généralistes")
	gpPop := 0
	cptsCov := e.newCoverage("cpts", "périmètres de CPTS")
	if t := e.Snap.Manifest.Table("cpts"); t == nil || t.Coverage == nil {
		// A table without coverage (a local snapshot of an older version):
		// perimeters are known where the table lists communes.
		cptsCov.known = func(dep string) (snapshot.Coverage, bool) { return snapshot.Coverage{Dep: dep}, e.cptsDeps[dep] }
	}
	cptsCommunes, cptsCoveredCommunes, cptsPop := 0, 0, 0
	aplPopOut, aplMissing := 0, []string(nil)
	kindCov := map[string]*coverage{}
	for _, k := range Kinds {
		table, what := kindCoverage(k.Key)
		kindCov[k.Key] = e.newCoverage(table, what)
	}
	counts := map[string]int{}
	kindsByDep := map[string]map[string]bool{}
	// The kinds' coverage depends on the département only: population is
	// summed by département, and added once per département and kind.
	var deps []string
	depPop := map[string]int{}
	gpArr := false
	var gpCodes []string
	for _, code := range codes {
		c := e.Snap.Place(code)
		if c == nil {
			continue
		}
		f.Population += c.Population
		if a, ok := apl.Get(code, 2023); ok {
			s23.add(a.Rows, e.Thresholds)
		} else {
			aplPopOut += c.Population
			aplMissing = append(aplMissing, code)
		}
		if a, ok := apl.Get(code, 2022); ok {
			s22.add(a.Rows, e.Thresholds)
		}
		if _, _, ok := e.gpSource(c); ok {
			gpCov.add(c.Dep, c.Population)
			gpCodes = append(gpCodes, code)
			gpPop += c.Population
		} else {
			gpCov.addOut(c.Dep, c.Population)
			if e.Snap.CityOf(code) != "" {
				gpArr = true
			}
		}
		inKind, seen := kindsByDep[c.Dep]
		if !seen {
			inKind = map[string]bool{}
			for _, k := range Kinds {
				_, inKind[k.Key] = kindCov[k.Key].known(c.Dep)
			}
			kindsByDep[c.Dep] = inKind
			deps = append(deps, c.Dep)
		}
		depPop[c.Dep] += c.Population
		for _, i := range e.establishmentsIn(code) {
			for _, k := range e.kindsAt[i] {
				if inKind[k] {
					counts[k]++
				}
			}
		}
		if cptsCov.add(c.Dep, c.Population) {
			cptsCommunes++
			covered := false
			for _, u := range e.units(code) {
				if len(e.cptsOf[u]) > 0 {
					covered = true
					if p := e.Snap.Place(u); p != nil {
						cptsPop += p.Population
					}
				}
			}
			if covered {
				cptsCoveredCommunes++
			}
		}
	}
	for _, dep := range deps {
		for _, k := range Kinds {
			if kindsByDep[dep][k.Key] {
				kindCov[k.Key].add(dep, depPop[dep])
			} else {
				kindCov[k.Key].addOut(dep, depPop[dep])
			}
		}
	}
	a23, a22 := s23.figures(), s22.figures()
	f.APL2023, f.APLUnder65_2023 = a23.Mean, a23.MeanUnder65
	f.ShareLow, f.ShareMiddle, f.ShareHigh = a23.Shares[0], a23.Shares[1], a23.Shares[2]
	f.ShareLowUnder65, f.ShareMiddleUnder65, f.ShareHighUnder65 = a23.SharesUnder65[0], a23.SharesUnder65[1], a23.SharesUnder65[2]
	f.NeedIndex = a23.NeedIndex
	f.APL2022, f.APLUnder65_2022 = a22.Mean, a22.MeanUnder65
	f.ShareLow2022, f.ShareLowUnder65_2022 = a22.Shares[0], a22.SharesUnder65[0]
	if f.APL2023 != nil && f.APLUnder65_2023 != nil && *f.APL2023 > 0 {
		f.ShareFrom65Plus = ptr(1 - *f.APLUnder65_2023 / *f.APL2023)
	}
	if f.APL2022 != nil && f.APLUnder65_2022 != nil && *f.APL2022 > 0 {
		f.ShareFrom65Plus2022 = ptr(1 - *f.APLUnder65_2022 / *f.APL2022)
	}
	if len(aplMissing) > 0 {
		f.Gaps = append(f.Gaps, e.aplGaps(aplMissing, s23.rows > 0, f.Population-aplPopOut, aplPopOut)...)
	}
	if gpCov.popIn > 0 && gpCov.usable() {
		gps, _ = e.gpCount(gpCodes)
		f.GPs = ptr(gps)
		if gpPop > 0 {
			f.GPDensity = ptr(float64(gps) / float64(gpPop) * 10000)
		}
	}
	// The sources of a figure left null (under MinCoverage) are not used.
	if gpCov.usable() {
		f.GPSource = strings.Join(gpCov.sourceList(), " + ")
	}
	if g := gpCov.gap(e, "gps"); g != nil {
		if gpArr {
			g.Reason += " La source compte les médecins de Paris, Lyon et Marseille pour la ville entière, pas par arrondissement."
		}
		f.Gaps = append(f.Gaps, *g)
		g.Field = "gp_density_per_10000"
		f.Gaps = append(f.Gaps, *g)
	}
	if len(gpCov.sources) > 0 && gpCov.usable() {
		f.Sources["gp_bpe"] = gpCov.sourceList()
	}
	for _, k := range Kinds {
		cov := kindCov[k.Key]
		if cov.usable() {
			f.Structures[k.Key] = ptr(counts[k.Key])
		} else {
			f.Structures[k.Key] = nil
		}
		if g := cov.gap(e, "structures."+k.Key); g != nil {
			f.Gaps = append(f.Gaps, *g)
		}
		table, _ := kindCoverage(k.Key)
		if len(cov.sources) > 0 && cov.usable() {
			f.Sources[table] = cov.sourceList()
		}
	}
	if cptsCov.usable() && cptsCommunes > 0 {
		f.CPTSCommuneShare = ptr(float64(cptsCoveredCommunes) / float64(cptsCommunes))
		if cptsCov.popIn > 0 {
			f.CPTSPopulationShare = ptr(float64(cptsPop) / float64(cptsCov.popIn))
		}
		f.Sources["cpts"] = cptsCov.sourceList()
	}
	for _, field := range []string{"cpts_commune_share", "cpts_population_share"} {
		if g := cptsCov.gap(e, field); g != nil {
			f.Gaps = append(f.Gaps, *g)
		}
	}
	return f
}

// aplFields are the figures computed from the official APL.
var aplFields = []string{"apl_2023", "apl_2022", "apl_under65_2023", "apl_under65_2022", "share_from_65_plus", "share_from_65_plus_2022",
	"share_apl_low", "share_apl_middle", "share_apl_high", "share_apl_low_under65", "share_apl_middle_under65", "share_apl_high_under65",
	"share_apl_low_2022", "share_apl_low_under65_2022", "need_index"}

// aplGaps says which places have no published APL row: Mayotte (the DREES
// publishes none), and communes created or restored after the vintage.
func (e *Engine) aplGaps(missing []string, some bool, popIn, popOut int) []Gap {
	// By département: communes with no inhabitant (the "villages morts
	// pour la France" of the Meuse), and communes created or restored after
	// the vintage.
	byDep, empty := map[string]int{}, map[string]int{}
	for _, code := range missing {
		if c := e.Snap.Place(code); c != nil {
			if c.Population == 0 {
				empty[c.Dep]++
			} else {
				byDep[c.Dep]++
			}
		}
	}
	deps := boolSet(byDep)
	for d := range empty {
		deps[d] = true
	}
	var parts []string
	for _, d := range sortedKeys(deps) {
		all := 0
		for _, c := range e.Snap.Communes {
			if c.Dep == d {
				all++
			}
		}
		name := e.depName(d, true)
		var what []string
		switch {
		case byDep[d]+empty[d] == all:
			what = append(what, "aucune commune")
		default:
			if byDep[d] > 0 {
				what = append(what, Plural(byDep[d], "commune créée ou rétablie", "communes créées ou rétablies")+" après le millésime")
			}
			if empty[d] > 0 {
				what = append(what, Plural(empty[d], "commune sans habitant", "communes sans habitant"))
			}
		}
		parts = append(parts, name+" : "+strings.Join(what, " et "))
	}
	what := "La DREES ne publie pas d'APL pour " + joinFr(parts)
	status, reason := GapUnknown, "Non disponible. "+what+"."
	if some {
		status = GapPartial
		reason = fmt.Sprintf("Calculé sur %s de la population. %s.", FormatPct(float64(popIn)/float64(popIn+popOut), 1), what)
	}
	gaps := make([]Gap, len(aplFields))
	for i, f := range aplFields {
		gaps[i] = Gap{Field: f, Status: status, Reason: reason}
	}
	return gaps
}

func boolSet(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// cptsKnown reports whether CPTS perimeters are known in a département.
func (e *Engine) cptsKnown(dep string) bool {
	if t := e.Snap.Manifest.Table("cpts"); t != nil && t.Coverage != nil {
		_, ok := e.covers("cpts", dep)
		return ok
	}
	return e.cptsDeps[dep]
}

// GPs returns the number of GPs of a place; ok is false where the
// source does not cover it (outside its départements, or an arrondissement
// when the source counts Paris, Lyon and Marseille whole).
func (e *Engine) GPs(code string) (int, bool) {
	return e.gpCount([]string{code})
}

// gpSource returns the source of the GP counts of a place's département,
// and whether it counts people (an RPPS extraction, table gp_rpps).
func (e *Engine) gpSource(c *snapshot.Commune) (cov snapshot.Coverage, persons, ok bool) {
	cov, ok = e.covers("gp_bpe", c.Dep)
	if !ok {
		return cov, false, false
	}
	persons = len(e.Snap.GPSites) > 0 && strings.HasPrefix(cov.Source, "RPPS")
	if !persons && e.Snap.CityOf(c.Code) != "" {
		return cov, false, false // the BPE counts Paris, Lyon and Marseille whole
	}
	return cov, persons, true
}

// gpCount returns the number of GPs of a set of places, and false when the
// source covers none of them. Where the source is an RPPS extraction, GPs
// are people: one practising at two sites of the places counts once;
// elsewhere, the per-commune counts are summed.
func (e *Engine) gpCount(codes []string) (int, bool) {
	n, any := 0, false
	persons := map[string]bool{}
	for _, code := range codes {
		c := e.Snap.Place(code)
		if c == nil {
			continue
		}
		_, byPerson, ok := e.gpSource(c)
		if !ok {
			continue
		}
		any = true
		if byPerson {
			persons[code] = true
			for _, a := range e.Snap.ArrondissementsOf(code) {
				persons[a] = true
			}
			continue
		}
		n += e.gps[code]
	}
	if len(persons) > 0 {
		n += CountGPPersons(e.Snap.GPSites, func(code string) bool { return persons[code] })
	}
	return n, any
}

// establishmentsIn returns the indexes (into Snap.Establishments) of the
// counted establishments of a place: those of a commune (all of a city's),
// or those placed in an arrondissement.
func (e *Engine) establishmentsIn(code string) []int {
	if e.Snap.CityOf(code) != "" {
		return e.byArr.Of(code)
	}
	return e.byCommune.Of(code)
}

// LevelFigures returns the figures of a département ("departement"), a
// région ("region") or France ("france", code ""), cached.
func (e *Engine) LevelFigures(kind, code string) Figures {
	key := levelKey(kind, code)
	e.mu.Lock()
	l, ok := e.cache[key]
	if !ok {
		l = &levelEntry{}
		e.cache[key] = l
	}
	e.mu.Unlock()
	// Computed once, whoever asks first: the units of a batch, or Build
	// warming France's figures while it does the rest.
	l.once.Do(func() {
		if f, ok := e.storedLevel(key); ok {
			l.f = f
			return
		}
		var codes []string
		for _, c := range e.Snap.Communes {
			// France is metropolitan France and the départements
			// d'outre-mer, as in every national statistic the report is
			// compared with; the collectivités d'outre-mer (975 and
			// above) stand apart.
			if (kind == "france" && !isCOM(c.Dep)) || (kind == "departement" && c.Dep == code) || (kind == "region" && c.Reg == code) {
				codes = append(codes, c.Code)
			}
		}
		apl := e.APL
		if e.levelAPL != nil {
			apl = e.levelAPL()
		}
		l.f = e.figures(codes, apl)
		e.setShare75(&l.f, codes)
	})
	return l.f
}

// A levelEntry holds the figures of a comparison level, computed once.
type levelEntry struct {
	once sync.Once
	f    Figures
}

// isCOM reports whether a département code is a collectivité d'outre-mer
// (Saint-Pierre-et-Miquelon 975, Saint-Barthélemy 977, Saint-Martin 978,
// and the Pacific 98x).
func isCOM(dep string) bool { return len(dep) == 3 && dep >= "975" && dep != "976" }

// share75Of returns the share of the population aged 75 and over of a set
// of places. INSEE's estimates by age (table popage) are by département:
// the share is known when the places are whole départements (a
// département, a région, France, or any union of départements), else null
// with a gap that names the départements the places cover in part.
func (e *Engine) share75Of(codes []string) (*float64, *Gap) {
	e.depOnce.Do(func() {
		e.depCommunes = map[string]int{}
		for _, c := range e.Snap.Communes {
			e.depCommunes[c.Dep]++
		}
	})
	// The current communes the places make whole: a commune, or a city
	// all of whose arrondissements are there.
	whole := map[string]bool{}
	arrs := map[string]map[string]bool{}
	deps := map[string]bool{}
	for _, code := range codes {
		c := e.Snap.Place(code)
		if c == nil {
			continue
		}
		deps[c.Dep] = true
		city := e.Snap.CityOf(code)
		if city == "" {
			whole[code] = true
			continue
		}
		if arrs[city] == nil {
			arrs[city] = map[string]bool{}
		}
		arrs[city][code] = true
		if len(arrs[city]) == len(e.Snap.ArrondissementsOf(city)) {
			whole[city] = true
		}
	}
	if len(deps) == 0 {
		return nil, nil
	}
	byDep := map[string]int{}
	for code := range whole {
		if c := e.Snap.Commune(code); c != nil {
			byDep[c.Dep]++
		}
	}
	part := map[string]bool{}
	for d := range deps {
		if byDep[d] != e.depCommunes[d] {
			part[d] = true
		}
	}
	const what = "La part des 75 ans et plus n'est publiée que par département (estimations de population de l'INSEE)"
	if len(part) > 0 {
		return nil, &Gap{Field: "share_75_plus", Status: GapUnknown,
			Reason: fmt.Sprintf("%s : elle n'est pas connue pour un territoire qui ne couvre pas entièrement %s.", what, e.depList(part, true))}
	}
	old, all := 0, 0
	known := map[string]bool{}
	for _, p := range e.Snap.PopAge {
		if deps[p.Dep] {
			old += p.Age75Plus
			all += p.Total
			known[p.Dep] = true
		}
	}
	missing := map[string]bool{}
	for d := range deps {
		if !known[d] {
			missing[d] = true
		}
	}
	if len(missing) > 0 || all == 0 {
		return nil, &Gap{Field: "share_75_plus", Status: GapUnknown,
			Reason: fmt.Sprintf("%s : les estimations chargées ne donnent pas %s.", what, e.depList(missing, true))}
	}
	return ptr(float64(old) / float64(all)), nil
}

// Levels returns the territory's comparison levels: its départements, its
// régions, then France, in code order.
func (e *Engine) Levels(codes []string) []Level {
	deps, regs := map[string]bool{}, map[string]bool{}
	for _, code := range codes {
		if c := e.Snap.Place(code); c != nil {
			deps[c.Dep] = true
			regs[c.Reg] = true
		}
	}
	var out []Level
	for _, d := range sortedKeys(deps) {
		name, of := d, ""
		if x := e.Snap.Departement(d); x != nil {
			name, of = x.Name, NameOf(x.Name, x.TypeLiaison)
		}
		out = append(out, Level{Kind: "departement", Code: d, Name: name, Of: of, Figures: e.LevelFigures("departement", d)})
	}
	for _, r := range sortedKeys(regs) {
		name, of := r, ""
		if x := e.Snap.Region(r); x != nil {
			name, of = x.Name, NameOf(x.Name, x.TypeLiaison)
		}
		out = append(out, Level{Kind: "region", Code: r, Name: name, Of: of, Figures: e.LevelFigures("region", r)})
	}
	out = append(out, Level{Kind: "france", Code: "FR", Name: "France", Figures: e.LevelFigures("france", "")})
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr[T any](v T) *T { return &v }
