package access

import (
	"math"
	"strings"
	"testing"
)

// TestBaselineMatchesRecomputeAPL: the baseline computed once gives
// exactly (bit for bit) the activity and values of CalibratedActivity and
// RecomputeAPL, and its scenario those of RecomputeAPL with AddGP, as
// `simulate` printed them when it ran the E2SFCA four times.
func TestBaselineMatchesRecomputeAPL(t *testing.T) {
	s := loadSnapshot(t)
	b, err := NewBaseline(s, Options{AddGP: map[string]float64{"48095": 1}})
	if err != nil {
		t.Fatal(err)
	}
	act, err := CalibratedActivity(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Activity != act {
		t.Errorf("activity %v, CalibratedActivity %v", b.Activity, act)
	}
	same := func(what string, got, want map[string]float64) {
		t.Helper()
		if len(got) != len(want) || len(got) < 34700 {
			t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
		}
		for code, w := range want {
			g, ok := got[code]
			if !ok || math.Float64bits(g) != math.Float64bits(w) {
				t.Fatalf("%s: %s = %v, want %v", what, code, g, w)
			}
		}
	}
	base, err := RecomputeAPL(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	same("baseline (AddGP ignored)", b.Values, base)
	add := map[string]float64{"48095": 3, "48140": -1, "69123": 10}
	scen, err := b.Scenario(add)
	if err != nil {
		t.Fatal(err)
	}
	want, err := RecomputeAPL(s, Options{Activity: act, AddGP: add})
	if err != nil {
		t.Fatal(err)
	}
	same("scenario", scen, want)
	if scen["48095"] <= b.Values["48095"] {
		t.Errorf("Mende %v → %v with 3 more GPs", b.Values["48095"], scen["48095"])
	}
	// The scenario leaves the baseline as it was: a second one starts
	// from the same supply.
	again, err := b.Scenario(add)
	if err != nil {
		t.Fatal(err)
	}
	same("scenario run again", again, want)
	if _, err := b.Scenario(map[string]float64{"48095": -1000}); err == nil {
		t.Error("removing 1000 GPs from Mende: no error")
	}
	if _, err := NewBaseline(s, Options{Activity: -1}); err == nil {
		t.Error("activity -1: no error")
	}
}

// TestScenarioUpdateMatchesFullRecomputation: a scenario updates only the
// catchments it touches; its values must be those of a full
// recomputation (RecomputeAPL with AddGP), bit for bit, for GPs added to
// places with and without GPs, all GPs of a place removed, a city spread
// over its arrondissements, several places at once, and for other travel
// times (another model, a user's matrix over the model: the general pair
// finder).
func TestScenarioUpdateMatchesFullRecomputation(t *testing.T) {
	s := loadSnapshot(t)
	m, err := ReadTravelTimes(strings.NewReader("origin;destination;minutes\n77333;77186;4\n48095;48140;45\n13201;13215;8\n"), "test.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		times Times
	}{
		{"default model", nil},
		{"Alpes-Maritimes model", NewModel(Calibrated06)},
		{"matrix over the model", &Override{Matrix: m, Fallback: DefaultModel()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := NewBaseline(s, Options{Times: tc.times})
			if err != nil {
				t.Fatal(err)
			}
			gpsOf := func(code string) float64 { return b.u.gps[b.u.index[code]] }
			// A commune of the Creuse without GPs, one of the Lozère with
			// some: the scenario makes a new supply place and removes one.
			var noGP, someGP string
			for _, c := range s.Communes {
				if _, ok := b.u.index[c.Code]; !ok {
					continue
				}
				if noGP == "" && c.Dep == "23" && gpsOf(c.Code) == 0 {
					noGP = c.Code
				}
				if someGP == "" && c.Dep == "48" && c.Code != "48095" && gpsOf(c.Code) > 0 {
					someGP = c.Code
				}
			}
			if noGP == "" || someGP == "" {
				t.Fatalf("no commune found: %q %q", noGP, someGP)
			}
			for _, add := range []map[string]float64{
				{"77333": 2},
				{"77333": -1},
				{noGP: 1.5},
				{someGP: -gpsOf(someGP)}, // all its GPs leave
				{"75056": 30},            // Paris, spread over its arrondissements
				{"13201": -3, "13215": 4, "69123": 10, "2A004": 2},
				{"48095": 3, "48140": -1, noGP: 2, someGP: -gpsOf(someGP)},
			} {
				got, err := b.Scenario(add)
				if err != nil {
					t.Fatal(err)
				}
				want, err := RecomputeAPL(s, Options{Times: tc.times, Activity: b.Activity, AddGP: add})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(want) {
					t.Fatalf("%v: %d values, full recomputation %d", add, len(got), len(want))
				}
				moved := 0
				for code, w := range want {
					if math.Float64bits(got[code]) != math.Float64bits(w) {
						t.Fatalf("%v: %s = %v, full recomputation %v", add, code, got[code], w)
					}
					if w != b.Values[code] {
						moved++
					}
				}
				// A scenario moves the index around the places changed,
				// not over France.
				if moved == 0 || moved > 2000 {
					t.Errorf("%v: %d values moved", add, moved)
				}
			}
		})
	}
}

// BenchmarkBaselineScenario is the scenario of `simulate epci:200023240
// --add-gp 77333=2` once the baseline is computed: the catchments around
// Nemours only, then the values of every place.
func BenchmarkBaselineScenario(b *testing.B) {
	s := loadSnapshot(b)
	base, err := NewBaseline(s, Options{})
	if err != nil {
		b.Fatal(err)
	}
	add := map[string]float64{"77333": 2}
	b.ReportAllocs()
	cpu := startCPUMetric()
	for b.Loop() {
		if _, err := base.Scenario(add); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkNewBaseline is the baseline `simulate` computes first: units,
// E2SFCA over France, calibrated activity, values.
func BenchmarkNewBaseline(b *testing.B) {
	s := loadSnapshot(b)
	b.ReportAllocs()
	cpu := startCPUMetric()
	for b.Loop() {
		if _, err := NewBaseline(s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}
