package access

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
)

// TestDecayCheckMessagesNameTheBand: a refused profile names the band at
// fault, counted from 1 as a user writes them, and the bound it must
// exceed.
func TestDecayCheckMessagesNameTheBand(t *testing.T) {
	for _, c := range []struct {
		d    Decay
		want string
	}{
		{Decay{{Below: 10, Weight: 1}, {Below: 10, Weight: 0.5}}, "decay band 2: bound 10 must be finite and above 10"},
		{Decay{{Below: 0, Weight: 1}}, "decay band 1: bound 0 must be finite and above 0"},
		{Decay{{Below: 10, Weight: 1}, {Below: 15, Weight: 0.5}, {Below: 20, Weight: -0.1}}, "decay band 3: weight -0.1 must be finite and not negative"},
	} {
		if err := c.d.Check(); err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %s", c.d, err, c.want)
		}
	}
}

// TestE2SFCAZeroSupplyAndDemandAccepted: a site with no GP (value 0) and a
// commune with no inhabitant (weight 0) are valid inputs, not errors; they
// add nothing to the ratios.
func TestE2SFCAZeroSupplyAndDemandAccepted(t *testing.T) {
	p := Point{48.27, 2.70}
	e := &E2SFCA{Times: DefaultModel()}
	res, err := e.Compute([]Supply{{ID: "s0", Value: 0, Point: p}, {ID: "s1", Value: 2, Point: p}},
		[]Demand{{ID: "d0", Weight: 0, Point: p}, {ID: "d1", Weight: 4, Point: p}})
	if err != nil {
		t.Fatal(err)
	}
	// One commune of 4 people with 2 GPs at distance 0 (weight 1): 0.5 each.
	if !(math.Abs(res.Access[1]-0.5) <= 1e-12) || !(math.Abs(res.Access[0]-0.5) <= 1e-12) {
		t.Errorf("access %v, want [0.5 0.5]", res.Access)
	}
}

// edgeTimes puts every trip at 5 minutes and says that no trip longer than
// km as the crow flies is under the decay limit: a Reacher whose bound is
// exactly the distance of the test's pair, as a bisection gives it at its
// precision limit.
type edgeTimes struct{ km float64 }

func (edgeTimes) Minutes(_, _ string, _, _ Point) float64 { return 5 }
func (e edgeTimes) ReachKm(float64) float64               { return e.km }

// TestE2SFCAKeepsPairsAtTheReachBound: a pair exactly at the Reacher's
// bound is kept, both for a short bound (the absolute margin) and for a
// long one (the relative margin).
func TestE2SFCAKeepsPairsAtTheReachBound(t *testing.T) {
	from := Point{45, 2}
	for _, to := range []Point{{45.09, 2}, {63, 2}} { // about 10 km and 2,000 km
		km := HaversineKm(from, to)
		e := &E2SFCA{Times: edgeTimes{km}}
		res, err := e.Compute([]Supply{{ID: "s", Value: 1, Point: to}}, []Demand{{ID: "d", Weight: 2, Point: from}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Access[0] != 0.5 {
			t.Errorf("pair at %.3f km, exactly the reach: access %v, want 0.5", km, res.Access[0])
		}
	}
}

// TestUnitsTakeAPL2023Rows: the recomputation's demand (standardised and
// total population) and its reference values are the DREES APL 2023 rows
// (apl_mg_2023_communes.csv), not the 2022 ones the snapshot also holds:
// Nemours 2023 is 2.647 for 12,819.928 standardised inhabitants (2022:
// 2.828 for 12,694.7), Mende 3.834 for 12,276.051 (2022: 4.11).
func TestUnitsTakeAPL2023Rows(t *testing.T) {
	u, err := buildUnits(loadSnapshot(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		code             string
		apl, popStd, pop float64
	}{
		{"77333", 2.647, 12819.928, 13189},
		{"48095", 3.834, 12276.051, 12316},
	} {
		i, ok := u.index[c.code]
		if !ok {
			t.Fatalf("%s not a unit", c.code)
		}
		if !(math.Abs(u.official[i]-c.apl) <= 1e-9) || !(math.Abs(u.popStd[i]-c.popStd) <= 1e-6) || u.popTot[i] != c.pop {
			t.Errorf("%s: APL %v, standardised population %v, population %v; want %v, %v, %v",
				c.code, u.official[i], u.popStd[i], u.popTot[i], c.apl, c.popStd, c.pop)
		}
	}
}

// TestParallelBlocksCoverEachIndexOnce: whatever the number of workers and
// places, every index is handed out exactly once, in blocks within [0, n).
func TestParallelBlocksCoverEachIndexOnce(t *testing.T) {
	for _, c := range []struct{ workers, n int }{{1, 0}, {1, 10}, {2, 256}, {2, 257}, {2, 300}, {2, 512}, {4, 1000}, {8, 3000}} {
		seen := make([]atomic.Int32, c.n)
		var bad atomic.Bool
		parallelBlocks(c.workers, c.n, func(lo, hi int) {
			if lo < 0 || hi > c.n || lo >= hi {
				bad.Store(true)
				return
			}
			for i := lo; i < hi; i++ {
				seen[i].Add(1)
			}
		})
		if bad.Load() {
			t.Errorf("workers %d, n %d: a block outside [0, n) or empty", c.workers, c.n)
		}
		for i := range seen {
			if k := seen[i].Load(); k != 1 {
				t.Errorf("workers %d, n %d: index %d handed out %d times", c.workers, c.n, i, k)
				break
			}
		}
	}
}

// TestValidPointBounds: latitudes from -90 to 90 and longitudes from -180
// to 180 are valid, bounds included; beyond them, or not finite, they are
// not.
func TestValidPointBounds(t *testing.T) {
	for _, p := range []Point{{90, 180}, {-90, -180}, {0, 0}} {
		if !validPoint(p) {
			t.Errorf("%v refused", p)
		}
	}
	for _, p := range []Point{{90.0001, 0}, {-90.0001, 0}, {0, 180.0001}, {0, -180.0001}, {math.NaN(), 0}, {0, math.Inf(1)}} {
		if validPoint(p) {
			t.Errorf("%v accepted", p)
		}
	}
}

// TestParamsValidBounds: a zero penalty is usable; a zero detour, start
// speed, cruise speed or ramp is not (division by zero or no distance).
func TestParamsValidBounds(t *testing.T) {
	p := Calibrated06
	p.Access = 0
	if !p.Valid() {
		t.Errorf("zero access penalty refused: %+v", p)
	}
	for name, set := range map[string]func(*Params){
		"detour": func(p *Params) { p.Detour = 0 },
		"start":  func(p *Params) { p.Start = 0 },
		"cruise": func(p *Params) { p.Cruise = 0 },
		"ramp":   func(p *Params) { p.Ramp = 0 },
		"access": func(p *Params) { p.Access = -0.1 },
	} {
		p := Calibrated06
		set(&p)
		if p.Valid() {
			t.Errorf("%s: accepted %+v", name, p)
		}
	}
}

// TestReachKmAtThePenalty: no distance is needed to reach the access
// penalty itself, nor less; just above it, a positive distance.
func TestReachKmAtThePenalty(t *testing.T) {
	p := Calibrated06
	if r := p.ReachKm(p.Access); r != 0 {
		t.Errorf("ReachKm(access %v) = %v, want 0", p.Access, r)
	}
	if r := p.ReachKm(p.Access - 1); r != 0 {
		t.Errorf("ReachKm(below access) = %v, want 0", r)
	}
	if r := p.ReachKm(p.Access + 1); r <= 0 || !(math.Abs(p.Minutes(r)-(p.Access+1)) <= 1e-6) {
		t.Errorf("ReachKm(access+1) = %v (%v minutes)", r, p.Minutes(r))
	}
}

// TestScenarioOnAnOldCode: a scenario may name a commune by the code of a
// commune merged since (Épisy, 77170, now Moret-Loing-et-Orvanne, 77316):
// its GPs go to today's commune.
func TestScenarioOnAnOldCode(t *testing.T) {
	s := loadSnapshot(t)
	u, err := buildUnits(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	i := u.index["77316"]
	before := u.gps[i]
	scen, err := u.delta(s, map[string]float64{"77170": 2})
	if err != nil {
		t.Fatal(err)
	}
	if scen[i] != before+2 || u.gps[i] != before {
		t.Errorf("77316 after +2 GPs at 77170: %v (before %v, baseline now %v)", scen[i], before, u.gps[i])
	}
}

// TestParisGPsDefault: without Options.ParisGPs, Paris (absent from the
// BPE extract) gets the Assurance Maladie's count of its GPs, spread over
// the arrondissements; with RawBPE the imputed count; a count given is
// used as it is.
func TestParisGPsDefault(t *testing.T) {
	s := loadSnapshot(t)
	paris := func(opts Options) float64 {
		u, err := buildUnits(s, opts)
		if err != nil {
			t.Fatal(err)
		}
		var n float64
		for code, i := range u.index {
			if strings.HasPrefix(code, "751") {
				n += u.gps[i]
			}
		}
		return n
	}
	cnam := cnamByDep(s)["75"]
	if cnam < 1000 {
		t.Fatalf("CNAM GPs of Paris: %v", cnam)
	}
	for _, c := range []struct {
		opts Options
		want float64
	}{
		{Options{}, cnam},
		{Options{RawBPE: true}, ImputedParisGPs(s)},
		{Options{ParisGPs: 1234}, 1234},
	} {
		if got := paris(c.opts); !(math.Abs(got-c.want) <= 1e-6) {
			t.Errorf("%+v: %v GPs in Paris, want %v", c.opts, got, c.want)
		}
	}
}

// TestImputedParisGPs: the Paris estimate is the CNAM count of Paris times
// the ratio of BPE GPs to CNAM GPs over Hauts-de-Seine, Seine-Saint-Denis
// and Val-de-Marne.
func TestImputedParisGPs(t *testing.T) {
	s := loadSnapshot(t)
	cnam, bpe := cnamByDep(s), bpeByDep(s)
	want := cnam["75"] * (bpe["92"] + bpe["93"] + bpe["94"]) / (cnam["92"] + cnam["93"] + cnam["94"])
	got := ImputedParisGPs(s)
	if want <= 0 || !(math.Abs(got-want) <= 1e-9*want) {
		t.Errorf("ImputedParisGPs = %v, want %v", got, want)
	}
}

// TestCityValuesAreArrondissementMeans: Paris, Lyon and Marseille get the
// mean of their arrondissements' values weighted by the standardised
// population.
func TestCityValuesAreArrondissementMeans(t *testing.T) {
	s := loadSnapshot(t)
	u, err := buildUnits(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	access := make([]float64, len(u.codes))
	for i := range access {
		access[i] = float64(i%7) + 1
	}
	out := u.values(s, access, 2)
	for city, prefix := range map[string]string{"75056": "751", "69123": "6938", "13055": "132"} {
		var w, v float64
		n := 0
		for i, code := range u.codes {
			if strings.HasPrefix(code, prefix) {
				w += u.popStd[i]
				v += 2 * access[i] * u.popStd[i]
				n++
			}
		}
		if n < 9 || !(math.Abs(out[city]-v/w) <= 1e-12) {
			t.Errorf("%s: %v over %d arrondissements, want %v", city, out[city], n, v/w)
		}
	}
}

// TestNearestTieOnMinutesTakesTheNearerPoint: two facilities in the
// commune of departure are both at 0 minutes (same identifier); the nearer
// point wins, whatever the identifiers' order.
func TestNearestTieOnMinutesTakesTheNearerPoint(t *testing.T) {
	fac := []Facility{
		{ID: "b-near", Commune: "A", Point: Point{45.001, 3}},
		{ID: "a-far", Commune: "A", Point: Point{45.01, 3}},
	}
	from := Place{ID: "A", Point: Point{45, 3}}
	hit := NewFacilityIndex(fac).Nearest(from, 2, DefaultModel())
	if hit.Facility == nil || hit.Facility.ID != "b-near" || hit.Minutes != 0 {
		t.Errorf("got %+v", hit)
	}
}

// TestCompareEdges: two units are enough for the figures; a value exactly
// at the 2.5 threshold is low; a constant series has no correlation (NaN).
func TestCompareEdges(t *testing.T) {
	v := compare([]float64{1, 2}, []float64{2, 4})
	if v.Units != 2 || !(math.Abs(v.Pearson-1) <= 1e-12) || !(math.Abs(v.Spearman-1) <= 1e-12) || v.MedianAbsError != 1.5 { // NaN fails too
		t.Errorf("two units: %+v", v)
	}
	v = compare([]float64{2.5, 2.5, 3}, []float64{2.5, 3, 2.5})
	if v.BothLow != 1 || v.RecomputedLowOnly != 1 || v.OfficialLowOnly != 1 || v.BothHigh != 0 {
		t.Errorf("at the threshold: %+v", v)
	}
	if v := compare([]float64{1, 1, 1}, []float64{1, 2, 3}); !math.IsNaN(v.Pearson) || !math.IsNaN(v.Spearman) {
		t.Errorf("constant series: %+v", v)
	}
	if r := ranks([]float64{3, 1, 3, 2}); fmt.Sprint(r) != "[3.5 1 3.5 2]" {
		t.Errorf("ranks %v", r)
	}
}
