package access

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// referenceE2SFCA is the textbook computation over all pairs, the yardstick
// of the indexed, parallel engine.
func referenceE2SFCA(t Times, d Decay, supply []Supply, demand []Demand) (access, ratio []float64) {
	w := make([][]float64, len(demand))
	for i, dm := range demand {
		w[i] = make([]float64, len(supply))
		for j, s := range supply {
			w[i][j] = d.Weight(t.Minutes(dm.ID, s.ID, dm.Point, s.Point))
		}
	}
	ratio = make([]float64, len(supply))
	for j, s := range supply {
		var den float64
		for i, dm := range demand {
			den += w[i][j] * dm.Weight
		}
		if den > 0 {
			ratio[j] = s.Value / den
		}
	}
	access = make([]float64, len(demand))
	for i := range demand {
		for j := range supply {
			access[i] += w[i][j] * ratio[j]
		}
	}
	return access, ratio
}

func sameValues(t *testing.T, what string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*math.Abs(want[i])+1e-15 {
			t.Fatalf("%s[%d] = %.17g, want %.17g", what, i, got[i], want[i])
		}
	}
}

// conservation checks Σ_i P_i·A_i = Σ_j S_j over reached supply.
func conservation(t *testing.T, res *Result, supply []Supply, demand []Demand) {
	t.Helper()
	var lhs, rhs, lost float64
	for i, d := range demand {
		lhs += d.Weight * res.Access[i]
	}
	for j, s := range supply {
		if res.Reached[j] {
			rhs += s.Value
		} else {
			lost += s.Value
		}
	}
	if math.Abs(lhs-rhs) > 1e-9*rhs {
		t.Errorf("Σ P·A = %.12g, Σ reached S = %.12g (unreached %.6g)", lhs, rhs, lost)
	}
}

// departementCase builds the communes of one département: supply from the
// BPE GPs, demand from the population.
func departementCase(t testing.TB, dep string) ([]Supply, []Demand) {
	s := loadSnapshot(t)
	gps := map[string]int{}
	for _, g := range s.GPs {
		gps[g.Code] = g.Count
	}
	var supply []Supply
	var demand []Demand
	for _, c := range s.Communes {
		if c.Dep != dep || !c.HasPoint() {
			continue
		}
		p := Point{c.Lat, c.Lon}
		demand = append(demand, Demand{ID: c.Code, Point: p, Weight: float64(c.Population)})
		if n := gps[c.Code]; n > 0 {
			supply = append(supply, Supply{ID: c.Code, Point: p, Value: float64(n)})
		}
	}
	return supply, demand
}

func TestE2SFCAMatchesReferenceOnDepartement(t *testing.T) {
	// Seine-et-Marne: 507 communes, 171 of them with GPs, from dense
	// suburbs to the Gâtinais.
	supply, demand := departementCase(t, "77")
	if len(demand) < 500 || len(supply) < 150 {
		t.Fatalf("77: %d communes, %d with GPs", len(demand), len(supply))
	}
	for _, tm := range []Times{DefaultModel(), NewModel(Calibrated06)} {
		e := &E2SFCA{Times: tm}
		res, err := e.Compute(supply, demand)
		if err != nil {
			t.Fatal(err)
		}
		wantA, wantR := referenceE2SFCA(tm, DREESDecay(), supply, demand)
		sameValues(t, "access", res.Access, wantA)
		sameValues(t, "ratio", res.Ratio, wantR)
		conservation(t, res, supply, demand)
		if res.Pairs == 0 || res.Pairs >= len(supply)*len(demand)/2 {
			t.Errorf("%d pairs within reach out of %d", res.Pairs, len(supply)*len(demand))
		}
	}
}

// unbounded hides the Reacher of a Times, forcing the all-pairs path.
type unbounded struct{ Times }

// reacherOnly hides that a Times is a *Model, forcing the general pair
// finder (R-tree, minutes of every candidate) instead of the crow-fly one.
type reacherOnly struct{ *Model }

func TestE2SFCAMatchesReferenceSynthetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	randPoint := func() Point { return Point{44 + rng.Float64()*0.6, 2 + rng.Float64()*0.8} }
	var demand []Demand
	for i := range 300 {
		demand = append(demand, Demand{ID: fmt.Sprintf("D%03d", i), Point: randPoint(), Weight: float64(rng.IntN(5000))})
	}
	demand[3].Weight = 0 // a place nobody lives in still gets an accessibility
	var supply []Supply
	for j := range 80 {
		id := fmt.Sprintf("S%02d", j)
		if j%10 == 0 {
			id = demand[j].ID // shares a zone with a demand place: 0 minutes
		}
		supply = append(supply, Supply{ID: id, Point: randPoint(), Value: rng.Float64() * 10})
	}
	// A lone supply place far from everyone: unreached.
	supply = append(supply, Supply{ID: "far", Point: Point{48, 7}, Value: 3})
	// A matrix listing a pair much quicker than its crow-fly distance (a
	// ferry, a tunnel): the engine must find it although it lies beyond
	// the model's reach.
	var b strings.Builder
	b.WriteString("origin;destination;minutes\n")
	fmt.Fprintf(&b, "%s;far;12\n", demand[5].ID)
	fmt.Fprintf(&b, "S01;%s;3\n", demand[6].ID)
	m, err := ReadTravelTimes(strings.NewReader(b.String()), "synthetic.csv")
	if err != nil {
		t.Fatal(err)
	}
	decay := Decay{{Below: 10, Weight: 1}, {Below: 15, Weight: 2.0 / 3}, {Below: 20, Weight: 1.0 / 3}, {Below: 30, Weight: 0.1}}
	for _, c := range []struct {
		name  string
		times Times
	}{
		{"model", DefaultModel()},
		{"model through the general finder", reacherOnly{DefaultModel()}},
		// An access penalty of 10 minutes empties the first band; of 12,
		// its reach is 0 km.
		{"model with access penalty", NewModel(Params{Access: 10, Detour: 1.4, Start: 20, Cruise: 90, Ramp: 3})},
		{"model with larger access penalty", NewModel(Params{Access: 12, Detour: 1.4, Start: 20, Cruise: 90, Ramp: 3})},
		{"all pairs", unbounded{DefaultModel()}},
		{"matrix over model", &Override{Matrix: m, Fallback: DefaultModel()}},
		{"matrix alone", &Override{Matrix: m}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var first *Result
			for _, workers := range []int{1, 2, 5} {
				e := &E2SFCA{Times: c.times, Decay: decay, Workers: workers}
				res, err := e.Compute(supply, demand)
				if err != nil {
					t.Fatal(err)
				}
				wantA, wantR := referenceE2SFCA(c.times, decay, supply, demand)
				sameValues(t, "access", res.Access, wantA)
				sameValues(t, "ratio", res.Ratio, wantR)
				conservation(t, res, supply, demand)
				if first == nil {
					first = res
					continue
				}
				for i := range res.Access {
					if res.Access[i] != first.Access[i] {
						t.Fatalf("workers=%d changes access[%d]: %v vs %v", workers, i, res.Access[i], first.Access[i])
					}
				}
			}
			far := len(supply) - 1
			if _, ok := c.times.(*Override); ok != first.Reached[far] {
				t.Errorf("far supply reached = %v, want %v", first.Reached[far], ok)
			}
		})
	}
}

func TestE2SFCAErrors(t *testing.T) {
	ok := []Supply{{ID: "a", Value: 1}}
	d := []Demand{{ID: "a", Weight: 1}}
	for name, c := range map[string]struct {
		e *E2SFCA
		s []Supply
		d []Demand
	}{
		"no times":        {&E2SFCA{}, ok, d},
		"negative supply": {&E2SFCA{Times: DefaultModel()}, []Supply{{Value: -1}}, d},
		"NaN weight":      {&E2SFCA{Times: DefaultModel()}, ok, []Demand{{Weight: math.NaN()}}},
		"bad point":       {&E2SFCA{Times: DefaultModel()}, []Supply{{Value: 1, Point: Point{91, 0}}}, d},
		"decay order":     {&E2SFCA{Times: DefaultModel(), Decay: Decay{{20, 1}, {10, 0.5}}}, ok, d},
	} {
		if _, err := c.e.Compute(c.s, c.d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestDREESDecayBoundaries(t *testing.T) {
	d := DREESDecay()
	for _, c := range []struct{ min, want float64 }{
		{0, 1}, {9.999, 1}, {10, 2.0 / 3}, {14.999, 2.0 / 3}, {15, 1.0 / 3}, {19.999, 1.0 / 3}, {20, 0}, {45, 0}, {math.Inf(1), 0},
	} {
		if got := d.Weight(c.min); got != c.want {
			t.Errorf("weight(%v) = %v, want %v", c.min, got, c.want)
		}
	}
	if d.Limit() != 20 {
		t.Errorf("limit %v", d.Limit())
	}
}

// franceCase is every commune and arrondissement of France with a point as
// demand (Paris, Lyon and Marseille by arrondissement), weighted by
// population, and the BPE GPs as supply at their commune.
func franceCase(tb testing.TB) ([]Supply, []Demand) {
	s := loadSnapshot(tb)
	pts := map[string]Point{}
	var demand []Demand
	for _, c := range s.Communes {
		if !c.HasPoint() {
			continue
		}
		p := Point{c.Lat, c.Lon}
		pts[c.Code] = p
		if !plmCommunes[c.Code] {
			demand = append(demand, Demand{ID: c.Code, Point: p, Weight: float64(c.Population)})
		}
	}
	for _, a := range s.Arrondissements {
		demand = append(demand, Demand{ID: a.Code, Point: Point{a.Lat, a.Lon}, Weight: float64(a.Population)})
	}
	var supply []Supply
	for _, g := range s.GPs {
		if p, ok := pts[g.Code]; ok {
			supply = append(supply, Supply{ID: g.Code, Point: p, Value: float64(g.Count)})
		}
	}
	return supply, demand
}

func TestE2SFCAFranceConservation(t *testing.T) {
	supply, demand := franceCase(t)
	res, err := (&E2SFCA{Times: DefaultModel()}).Compute(supply, demand)
	if err != nil {
		t.Fatal(err)
	}
	conservation(t, res, supply, demand)
	unreached := 0
	for _, r := range res.Reached {
		if !r {
			unreached++
		}
	}
	t.Logf("France: %d demand places, %d supply places, %d pairs within 20 minutes, %d supply places reached by nobody",
		len(demand), len(supply), res.Pairs, unreached)
	if len(demand) < 34800 || res.Pairs < 100000 {
		t.Errorf("%d demand places, %d pairs", len(demand), res.Pairs)
	}
}

// TestE2SFCAFranceFinders: over all of France, the crow-fly finder (grid,
// squared chords against band limits) and the general one (R-tree, model
// minutes of every candidate) give the same pairs and the same index, bit
// for bit, whatever the workers; so does a model fitted elsewhere.
func TestE2SFCAFranceFinders(t *testing.T) {
	supply, demand := franceCase(t)
	for _, m := range []*Model{DefaultModel(), NewModel(Calibrated06)} {
		want, err := (&E2SFCA{Times: reacherOnly{m}, Workers: 2}).Compute(supply, demand)
		if err != nil {
			t.Fatal(err)
		}
		for _, workers := range []int{1, 2, 3} {
			got, err := (&E2SFCA{Times: m, Workers: workers}).Compute(supply, demand)
			if err != nil {
				t.Fatal(err)
			}
			if got.Pairs != want.Pairs {
				t.Fatalf("%+v, %d workers: %d pairs, general finder %d", m.Params, workers, got.Pairs, want.Pairs)
			}
			for i := range want.Access {
				if math.Float64bits(got.Access[i]) != math.Float64bits(want.Access[i]) {
					t.Fatalf("%+v, %d workers: access of %s %v, general finder %v", m.Params, workers, demand[i].ID, got.Access[i], want.Access[i])
				}
			}
			for j := range want.Ratio {
				if math.Float64bits(got.Ratio[j]) != math.Float64bits(want.Ratio[j]) || got.Reached[j] != want.Reached[j] {
					t.Fatalf("%+v, %d workers: ratio of %s %v, general finder %v", m.Params, workers, supply[j].ID, got.Ratio[j], want.Ratio[j])
				}
			}
		}
	}
}

// TestE2SFCABandLimits puts supply places within a hair of each band's
// crow-fly limit, on both sides, where the crow-fly finder asks the model
// for minutes instead of comparing distances: weights must be those of
// the model's minutes.
func TestE2SFCABandLimits(t *testing.T) {
	m := DefaultModel()
	decay := DREESDecay()
	from := Point{45.5, 3.25}
	demand := []Demand{{ID: "D", Point: from, Weight: 100}}
	var supply []Supply
	for _, b := range decay {
		km := m.ReachKm(b.Below)
		for _, f := range []float64{-1e-6, -1e-8, -1e-10, -1e-12, 0, 1e-12, 1e-10, 1e-8, 1e-6} {
			// Due north: the distance is the latitude difference.
			p := Point{from.Lat + km*(1+f)/earthRadiusKm/deg, from.Lon}
			supply = append(supply, Supply{ID: fmt.Sprintf("S%d", len(supply)), Point: p, Value: 1})
		}
	}
	res, err := (&E2SFCA{Times: m, Decay: decay}).Compute(supply, demand)
	if err != nil {
		t.Fatal(err)
	}
	wantA, wantR := referenceE2SFCA(m, decay, supply, demand)
	sameValues(t, "access", res.Access, wantA)
	sameValues(t, "ratio", res.Ratio, wantR)
	// Each limit splits its nine places: some on each side.
	weights := map[float64]int{}
	for j, s := range supply {
		weights[decay.Weight(m.Minutes("D", s.ID, from, s.Point))]++
		if r := res.Ratio[j]; r != wantR[j] {
			t.Errorf("%s: ratio %v, want %v", s.ID, r, wantR[j])
		}
	}
	if len(weights) != 4 {
		t.Errorf("weights near the limits: %v, want all four bands", weights)
	}
}

// BenchmarkE2SFCAFrance computes the index for all of France: ~34,900
// communes and arrondissements, ~9,500 communes with GPs.
func BenchmarkE2SFCAFrance(b *testing.B) {
	supply, demand := franceCase(b)
	e := &E2SFCA{Times: DefaultModel()}
	b.ReportAllocs()
	cpu := startCPUMetric()
	for b.Loop() {
		if _, err := e.Compute(supply, demand); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}
