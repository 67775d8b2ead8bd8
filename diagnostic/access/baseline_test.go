package access

import (
	"math"
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
