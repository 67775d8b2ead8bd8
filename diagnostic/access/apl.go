package access

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// APLVintage is the official APL vintage the recomputed index is set
// against: its standardised populations are the demand and its national
// mean fixes the default activity.
const APLVintage = 2023

// Options configure [RecomputeAPL].
type Options struct {
	// Times gives road minutes; nil means [DefaultModel].
	Times Times
	// Decay is the distance-decay profile; nil means [DREESDecay].
	Decay Decay
	// Activity is the yearly consultations and visits counted per GP. Open
	// data has no per-GP activity (SNIIR-AM is not open), so every GP
	// counts the same. 0 means: the value that makes the national mean of
	// the recomputed index, weighted by standardised population, equal to
	// that of the official APL 2023 over the same communes. With that
	// weighting the match is exact by the conservation identity, so no
	// iteration is needed: activity = official mean × Σ P̃ / Σ reached GPs.
	// It is computed on the baseline supply, before AddGP, so that a
	// scenario moves the index instead of being normalised away.
	Activity float64
	// AddGP adds GPs (negative: removes them) for scenarios, by current
	// commune, arrondissement or old commune code. GPs added to Paris,
	// Lyon or Marseille as a whole are spread over their arrondissements
	// pro rata population. Removing more GPs than a place has is an error.
	AddGP map[string]float64
	// ParisGPs is the number of GPs assumed in Paris, which the BPE file
	// lacks. 0 means: the Assurance Maladie count of libéral omnipraticiens
	// in Paris, or [ImputedParisGPs] with RawBPE (a BPE-equivalent count).
	ParisGPs float64
	// RawBPE keeps the BPE 2017 headcounts as they are. By default each
	// département's headcounts are scaled to the latest Assurance Maladie
	// count of libéral omnipraticiens in the département (snapshot table
	// Liberal), which corrects the drift between 2017 and the APL vintage
	// (retirements in the Creuse, growth in the Alpes) while keeping the
	// BPE's spread over communes; it raised the Spearman correlation with
	// the official APL from 0.52 to 0.56 (see the package tests).
	RawBPE bool
	// Workers bounds the goroutines; 0 means GOMAXPROCS.
	Workers int
}

// plmCommunes are Paris, Lyon and Marseille: the APL is by arrondissement
// there and the BPE (except Paris, absent) by commune.
var plmCommunes = map[string]bool{"75056": true, "69123": true, "13055": true}

// RecomputeAPL computes the recomputed, non-official APL ("indice
// recalculé") to GPs of every commune of metropolitan France, with the
// DREES method and open data:
//
//   - supply: the GPs of the BPE 2017 (D201) in each commune, scaled to
//     the latest count of the département (see [Options.RawBPE]), × a
//     uniform activity (see [Options.Activity]). Lyon and Marseille, given
//     as whole communes by the BPE, are spread over their arrondissements
//     pro rata population; Paris, missing from the file, gets its
//     Assurance Maladie count (see [Options.ParisGPs]) spread the same
//     way.
//   - demand: the standardised population of the APL 2023 file; old
//     commune codes of that vintage add up into today's commune.
//   - road times: Options.Times, the crow-fly model by default, between
//     the points of communes and arrondissements.
//
// The overseas départements are left out: the BPE extract has no GP there.
// Communes without a point (six in metropolitan France) are left out too;
// their demand is lost, which moves their neighbours' values slightly.
//
// The map is keyed by current commune code, by arrondissement code for
// Paris, Lyon and Marseille, and also holds 75056, 69123 and 13055: the mean
// of their arrondissements weighted by the APL file's total population, as
// the DREES aggregates APL to larger zones.
func RecomputeAPL(s *snapshot.Snapshot, opts Options) (map[string]float64, error) {
	u, err := buildUnits(s, opts)
	if err != nil {
		return nil, err
	}
	activity := opts.Activity
	if activity < 0 || !finite(activity) {
		return nil, fmt.Errorf("recompute APL: activity %v must be positive", activity)
	}
	// The baseline is needed only to calibrate the activity.
	if activity == 0 {
		base, err := u.run(opts, nil)
		if err != nil {
			return nil, err
		}
		activity = u.defaultActivity(base)
		if len(opts.AddGP) == 0 {
			return u.values(s, base.Access, activity), nil
		}
	}
	delta, err := u.delta(s, opts.AddGP)
	if err != nil {
		return nil, err
	}
	res, err := u.run(opts, delta)
	if err != nil {
		return nil, err
	}
	return u.values(s, res.Access, activity), nil
}

// CalibratedActivity returns the activity per GP that [RecomputeAPL] uses
// when Options.Activity is 0 (see there), so that a report can say how
// many consultations a GP is counted for.
func CalibratedActivity(s *snapshot.Snapshot, opts Options) (float64, error) {
	u, err := buildUnits(s, opts)
	if err != nil {
		return 0, err
	}
	base, err := u.run(opts, nil)
	if err != nil {
		return 0, err
	}
	return u.defaultActivity(base), nil
}

// units are the demand and supply places of a recomputation: metropolitan
// communes with a point, Paris, Lyon and Marseille by arrondissement.
type units struct {
	codes    []string
	pts      []Point
	popStd   []float64 // standardised population, APL 2023
	popTot   []float64 // total population, APL 2023
	official []float64 // official APL 2023, NaN when none
	gps      []float64 // baseline GPs
	index    map[string]int
	// arr lists the units of each of Paris, Lyon, Marseille with their
	// population share.
	arr map[string][]share
}

type share struct {
	unit int
	frac float64
}

func buildUnits(s *snapshot.Snapshot, opts Options) (*units, error) {
	n := len(s.Communes) + len(s.Arrondissements)
	u := &units{index: make(map[string]int, n), arr: map[string][]share{}, codes: make([]string, 0, n), pts: make([]Point, 0, n)}
	add := func(code string, p Point) {
		u.index[code] = len(u.codes)
		u.codes = append(u.codes, code)
		u.pts = append(u.pts, p)
	}
	for i := range s.Communes {
		c := &s.Communes[i]
		if !metropolitan(c.Dep) || plmCommunes[c.Code] || !c.HasPoint() {
			continue
		}
		add(c.Code, Point{c.Lat, c.Lon})
	}
	arrPop := map[string]float64{}
	for _, a := range s.Arrondissements {
		add(a.Code, Point{a.Lat, a.Lon})
		arrPop[a.Commune] += float64(a.Population)
	}
	for _, a := range s.Arrondissements {
		if arrPop[a.Commune] > 0 {
			u.arr[a.Commune] = append(u.arr[a.Commune], share{u.index[a.Code], float64(a.Population) / arrPop[a.Commune]})
		}
	}
	n = len(u.codes)
	u.popStd, u.popTot, u.gps = make([]float64, n), make([]float64, n), make([]float64, n)
	u.official = make([]float64, n)
	wsum := make([]float64, n)
	for _, r := range s.APL {
		if r.Vintage != APLVintage {
			continue
		}
		// Rows map onto today's places as in the report (snapshot.PlaceOf);
		// a unit's official value is the mean of its rows weighted by the
		// standardised population, as the DREES prescribes.
		i, ok := u.index[r.Code] // a unit is its own place
		if !ok {
			i, ok = u.index[s.PlaceOf(r.Code)]
		}
		if !ok {
			continue // overseas, or a commune without a point
		}
		u.popStd[i] += r.PopStandardised
		u.popTot[i] += r.PopTotal
		wsum[i] += r.Value * r.PopStandardised
	}
	for i := range u.official {
		u.official[i] = math.NaN()
		if u.popStd[i] > 0 {
			u.official[i] = wsum[i] / u.popStd[i]
		}
	}
	// bpeByDep, looking each GP's commune up once for both loops.
	communes := make([]*snapshot.Commune, len(s.GPs))
	bpe := map[string]float64{}
	for k, g := range s.GPs {
		if c := s.Commune(g.Code); c != nil {
			communes[k] = c
			bpe[c.Dep] += float64(g.Count)
		}
	}
	cnam := cnamByDep(s)
	for k, g := range s.GPs {
		n := float64(g.Count)
		if c := communes[k]; c != nil && !opts.RawBPE && cnam[c.Dep] > 0 && bpe[c.Dep] > 0 {
			n *= cnam[c.Dep] / bpe[c.Dep]
		}
		u.addGPs(g.Code, n)
	}
	paris := opts.ParisGPs
	if paris < 0 || !finite(paris) {
		return nil, fmt.Errorf("recompute APL: %v GPs in Paris", paris)
	}
	if paris == 0 {
		paris = cnam["75"]
		if opts.RawBPE {
			paris = ImputedParisGPs(s)
		}
	}
	u.addGPs("75056", paris)
	return u, nil
}

// addGPs adds GPs to a place, spreading a whole of Paris, Lyon or
// Marseille over its arrondissements; it reports whether the place is
// known.
func (u *units) addGPs(code string, n float64) bool {
	if sh, ok := u.arr[code]; ok {
		for _, x := range sh {
			u.gps[x.unit] += n * x.frac
		}
		return true
	}
	if i, ok := u.index[code]; ok {
		u.gps[i] += n
		return true
	}
	return false
}

// delta returns the GPs after a scenario's changes, leaving the baseline
// as it was.
func (u *units) delta(s *snapshot.Snapshot, add map[string]float64) ([]float64, error) {
	base := u.gps
	u.gps = append([]float64(nil), base...)
	scen := u.gps
	defer func() { u.gps = base }()
	codes := make([]string, 0, len(add))
	for c := range add {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		n := add[c]
		if !finite(n) {
			return nil, fmt.Errorf("recompute APL: %v GPs added to %s", n, c)
		}
		code := strings.ToUpper(strings.TrimSpace(c))
		if o := s.OldCode(code); o != nil && u.arr[code] == nil {
			if _, ok := u.index[code]; !ok {
				code = o.Current
			}
		}
		if !u.addGPs(code, n) {
			return nil, &ScenarioError{Msg: fmt.Sprintf("%q is not a commune or arrondissement of metropolitan France with a point", c)}
		}
	}
	for i, g := range scen {
		// Spreading over arrondissements leaves rounding crumbs around 0.
		if g < -1e-9 {
			return nil, &ScenarioError{Msg: fmt.Sprintf("%s would have %.1f GPs after it: it has %.1f (BPE 2017 counts scaled to the 2023 Assurance Maladie counts)", u.codes[i], g, base[i])}
		}
		scen[i] = max(g, 0)
	}
	return scen, nil
}

// run computes the index with an activity of 1 (the E2SFCA is linear in
// supply, so values scale with the activity afterwards).
func (u *units) run(opts Options, gps []float64) (*Result, error) {
	r, err := u.runPairs(opts, gps)
	if err != nil {
		return nil, err
	}
	return r.Result, nil
}

// A unitRun is an E2SFCA over the units, with what a scenario needs to
// update it: the pairs, the supply places' units, the engine.
type unitRun struct {
	*Result
	pairs  *pairs
	supply []int32 // unit of each supply place
	demand []Demand
	e      *E2SFCA
}

func (u *units) runPairs(opts Options, gps []float64) (*unitRun, error) {
	if gps == nil {
		gps = u.gps
	}
	t := opts.Times
	if t == nil {
		t = DefaultModel()
	}
	r := &unitRun{e: &E2SFCA{Times: t, Decay: opts.Decay, Workers: opts.Workers}}
	var supply []Supply
	for i, g := range gps {
		if g > 0 {
			supply = append(supply, Supply{ID: u.codes[i], Point: u.pts[i], Value: g})
			r.supply = append(r.supply, int32(i))
		}
	}
	r.demand = make([]Demand, len(u.codes))
	for i := range r.demand {
		r.demand[i] = Demand{ID: u.codes[i], Point: u.pts[i], Weight: u.popStd[i]}
	}
	res, p, err := r.e.compute(supply, r.demand)
	if err != nil {
		return nil, fmt.Errorf("recompute APL: %w", err)
	}
	r.Result, r.pairs = res, p
	return r, nil
}

// defaultActivity is the activity matching the official mean (see
// Options.Activity). base ran with an activity of 1.
func (u *units) defaultActivity(base *Result) float64 {
	var off, rec, pop float64
	for i, a := range base.Access {
		if math.IsNaN(u.official[i]) {
			continue
		}
		off += u.official[i] * u.popStd[i]
		rec += a * u.popStd[i]
		pop += u.popStd[i]
	}
	if rec == 0 || pop == 0 {
		return 0
	}
	return off / rec
}

func (u *units) values(s *snapshot.Snapshot, access []float64, activity float64) map[string]float64 {
	out := make(map[string]float64, len(access)+3)
	for i, a := range access {
		out[u.codes[i]] = a * activity
	}
	for commune, sh := range u.arr {
		var w, v float64
		for _, x := range sh {
			w += u.popStd[x.unit]
			v += out[u.codes[x.unit]] * u.popStd[x.unit]
		}
		if w > 0 {
			out[commune] = v / w
		}
	}
	return out
}

// metropolitan reports whether a département code is in metropolitan
// France (two characters: 01–95, 2A, 2B), where the BPE extract has GPs.
func metropolitan(dep string) bool { return len(dep) == 2 }

// ImputedParisGPs estimates the GPs of Paris in the BPE 2017, which the
// extract lacks: the Assurance Maladie's count of libéral omnipraticiens in
// Paris times the ratio of BPE GPs to that count over Hauts-de-Seine,
// Seine-Saint-Denis and Val-de-Marne, the most similar départements. The
// ratio absorbs the difference of vintage and field between the two
// sources. It returns 0 when the counts are missing.
func ImputedParisGPs(s *snapshot.Snapshot) float64 {
	cnam, bpe := cnamByDep(s), bpeByDep(s)
	var b, c float64
	for _, d := range []string{"92", "93", "94"} {
		b += bpe[d]
		c += cnam[d]
	}
	if c == 0 {
		return 0
	}
	return cnam["75"] * b / c
}

// cnamCategory is the Assurance Maladie category closest to the BPE's
// "médecin omnipraticien" (D201): GPs including those with a particular
// practice (MEP), as in the APL field.
const cnamCategory = "01- OMNIPRATICIENS"

// cnamByDep returns the latest Assurance Maladie count of libéral
// omnipraticiens by département.
func cnamByDep(s *snapshot.Snapshot) map[string]float64 {
	vintage := 0
	for _, l := range s.Liberal {
		if l.Category == cnamCategory {
			vintage = max(vintage, l.Vintage)
		}
	}
	out := map[string]float64{}
	for _, l := range s.Liberal {
		if l.Category == cnamCategory && l.Vintage == vintage && l.Dep != "" {
			out[l.Dep] = float64(l.Total)
		}
	}
	return out
}

// bpeByDep returns the BPE 2017 GPs by département.
func bpeByDep(s *snapshot.Snapshot) map[string]float64 {
	out := map[string]float64{}
	for _, g := range s.GPs {
		if c := s.Commune(g.Code); c != nil {
			out[c.Dep] += float64(g.Count)
		}
	}
	return out
}

// A ScenarioError is a scenario the data cannot take (more GPs removed
// than a commune has, a commune without a point): bad input, not a
// failure of the computation.
type ScenarioError struct{ Msg string }

func (e *ScenarioError) Error() string { return e.Msg }
