package diagnostic

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/diagsante/diagsante/diagnostic/access"
)

func TestSimulateNemours(t *testing.T) {
	e := realEngine(t)
	terr, err := NewResolver(e.Snap).Resolve("epci:200023240")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Simulate(terr, Scenario{AddGP: map[string]float64{"77333": 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Communes) != 21 || res.Activity < 3000 || res.Activity > 6000 {
		t.Fatalf("%d communes, activity %v", len(res.Communes), res.Activity)
	}
	for _, c := range res.Communes {
		if c.Delta == nil || c.Official == nil || c.Estimate == nil {
			t.Fatalf("%s: missing values %+v", c.Code, c)
		}
		if *c.Delta < -1e-12 {
			t.Errorf("%s: adding GPs lowered the APL by %v", c.Code, *c.Delta)
		}
		if math.Abs(*c.Estimate-(*c.Official+*c.Delta)) > 1e-12 {
			t.Errorf("%s: estimate %v ≠ official %v + delta %v", c.Code, *c.Estimate, *c.Official, *c.Delta)
		}
		if c.Code == "77333" && *c.Delta < 0.1 {
			t.Errorf("Nemours gains only %v", *c.Delta)
		}
	}
	// The share before is the indicators' share (same APL and weights).
	f := e.Figures(terr.Communes)
	if math.Abs(*res.ShareLowBefore-*f.ShareLow) > 1e-12 || math.Abs(*res.APLBefore-*f.APL2023) > 1e-9 {
		t.Errorf("before: share %v APL %v; indicators %v %v", *res.ShareLowBefore, *res.APLBefore, *f.ShareLow, *f.APL2023)
	}
	if *res.ShareLowAfter > *res.ShareLowBefore || *res.APLAfter <= *res.APLBefore {
		t.Errorf("after: share %v APL %v", *res.ShareLowAfter, *res.APLAfter)
	}
}

func TestSimulateErrors(t *testing.T) {
	e := realEngine(t)
	terr, _ := NewResolver(e.Snap).Resolve("77333")
	// Both are scenarios the data cannot take: bad input, by their type.
	var se *access.ScenarioError
	if _, err := e.Simulate(terr, Scenario{AddGP: map[string]float64{"99999": 1}}); !errors.As(err, &se) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := e.Simulate(terr, Scenario{AddGP: map[string]float64{"77333": -500}}); !errors.As(err, &se) {
		t.Errorf("removing 500 GPs from Nemours: %v", err)
	}
}

// TestSimulateRetire65: the departure of the GPs aged 65 and over is the
// DREES's own APL to GPs under 65 (testdata/golden_raw.json: Nemours EPCI
// 1.972 and 88.7 % at or below 2.5), with nothing recomputed.
func TestSimulateRetire65(t *testing.T) {
	e := realEngine(t)
	terr, err := NewResolver(e.Snap).Resolve("epci:200023240")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Simulate(terr, Scenario{Retire65: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Activity != 0 || !near(res.APLBefore, 2.666624, 1e-6) || !near(res.APLAfter, 1.972, 5e-4) {
		t.Errorf("APL %v → %v (activity %v)", deref(res.APLBefore), deref(res.APLAfter), res.Activity)
	}
	if !near(res.ShareLowBefore, 0.351571, 1e-6) || !near(res.ShareLowAfter, 0.886885, 1e-3) {
		t.Errorf("share ≤ 2.5: %v → %v", deref(res.ShareLowBefore), deref(res.ShareLowAfter))
	}
	// Combined with an MSP of 3 GPs in Nemours: the change applies to the
	// under-65 start.
	both, err := e.Simulate(terr, Scenario{Retire65: true, AddGP: map[string]float64{"77333": 3}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range both.Communes {
		if c.Code == "77333" && (c.Delta == nil || *c.Delta <= 0 || math.Abs(*c.Estimate-(*c.Start+*c.Delta)) > 1e-12 || *c.Start >= *c.Official) {
			t.Errorf("Nemours: %+v", c)
		}
	}
	if *both.APLAfter <= *res.APLAfter {
		t.Errorf("3 GPs added after retirements: %v, without them %v", *both.APLAfter, *res.APLAfter)
	}
}

// TestSimulateWithTerritoryAPL: an engine indexing the official APL of the
// territory only (what `simulate` builds) gives the same scenario as one
// indexing all France, for an EPCI, Paris by arrondissement with Lyon, and
// a département with communes merged since the APL vintage.
func TestSimulateWithTerritoryAPL(t *testing.T) {
	full := realEngine(t)
	for _, c := range []struct {
		items []string
		scn   Scenario
	}{
		{[]string{"epci:200023240"}, Scenario{AddGP: map[string]float64{"77333": 2}}},
		{[]string{"dep:75", "69123"}, Scenario{AddGP: map[string]float64{"75056": 10, "69381": -2}}},
		{[]string{"dep:48"}, Scenario{AddGP: map[string]float64{"48095": 3}, Retire65: true}},
		{[]string{"dep:48"}, Scenario{Retire65: true}},
	} {
		terr, err := NewResolver(full.Snap).Resolve(c.items...)
		if err != nil {
			t.Fatal(err)
		}
		want, err := full.Simulate(terr, c.scn)
		if err != nil {
			t.Fatal(err)
		}
		some := NewEngineOf(full.Snap, terr.Communes)
		got, err := some.Simulate(terr, c.scn)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: territory-only APL index changes the scenario", c.items)
		}
		withAPL := 0
		for _, sc := range got.Communes {
			if sc.Official != nil {
				withAPL++
			}
		}
		if withAPL < len(got.Communes)*9/10 {
			t.Errorf("%v: %d of %d communes with an official APL", c.items, withAPL, len(got.Communes))
		}
	}
}
