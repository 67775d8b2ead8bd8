package access

import (
	"math"
	"testing"
)

// TestValidationAgainstOfficialAPL recomputes the APL of every commune of
// metropolitan France and compares it with the official APL 2023, step by
// step as the model was improved, and asserts floors just under the
// figures of the final step:
//
//	step                                      Pearson Spearman medAE  ≤2.5 agreement
//	0 Alpes-Maritimes speeds, raw BPE 2017     0.406   0.451   0.875   0.653
//	1 national start speed ×1.3, raw BPE       0.471   0.522   0.681   0.704
//	2 + BPE scaled to the CNAM count by dép.   0.509   0.557   0.671   0.706
//
// Tried and left out because they did not beat step 2: scaling the cruise
// speed too (Spearman 0.55 at best), an access penalty of 0.5–1 minute
// (lower), speeds depending on settlement density (population within 5 km,
// minutes × (density/100)^γ for γ from −0.05 to 0.15: 0.55 at best), and
// free 10/15/20-minute radii (0.559, within noise of step 2). The rest of
// the gap is the supply: BPE 2017 headcounts times one activity against
// the DREES's 2023 activity of each GP.
func TestValidationAgainstOfficialAPL(t *testing.T) {
	s := loadSnapshot(t)
	steps := []struct {
		name string
		opts Options
	}{
		{"0 Alpes-Maritimes speeds, raw BPE", Options{Times: NewModel(Calibrated06), RawBPE: true}},
		{"1 national speeds, raw BPE", Options{RawBPE: true}},
		{"2 national speeds, BPE scaled by dép.", Options{}},
	}
	var v []Validation
	for _, st := range steps {
		rec, err := RecomputeAPL(s, st.opts)
		if err != nil {
			t.Fatal(err)
		}
		x := Validate(s, rec)
		t.Logf("%-40s n=%d Pearson %.3f Spearman %.3f median |err| %.3f ≤2.5 agreement %.3f (both ≤2.5 %d, official only %d, recomputed only %d)",
			st.name, x.Units, x.Pearson, x.Spearman, x.MedianAbsError, x.Agreement, x.BothLow, x.OfficialLowOnly, x.RecomputedLowOnly)
		v = append(v, x)
	}
	last := v[len(v)-1]
	if last.Units < 34500 {
		t.Errorf("%d communes compared, want every metropolitan commune but Paris (~34,700)", last.Units)
	}
	if last.Pearson < 0.49 || last.Spearman < 0.54 || last.MedianAbsError > 0.69 || last.Agreement < 0.69 {
		t.Errorf("validation fell: %+v", last)
	}
	if !(last.Spearman > v[0].Spearman+0.05 && last.MedianAbsError < v[0].MedianAbsError-0.1) {
		t.Errorf("the national model no longer beats the Alpes-Maritimes one: %+v vs %+v", last, v[0])
	}
}

func TestRecomputeAPLConservationAndScenario(t *testing.T) {
	s := loadSnapshot(t)
	base, err := RecomputeAPL(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	act, err := CalibratedActivity(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Conservation: every consultation of a GP that some population
	// reaches is counted once in the index, so Σ P̃_i·APL_i over the
	// places (P̃ the standardised population) is the activity times the
	// GPs reached. It fails if the values are scaled, weighted or
	// spread over the arrondissements wrongly, or computed from other GPs.
	u, err := buildUnits(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := u.run(Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var lhs, reached, all float64
	for i, code := range u.codes {
		v, ok := base[code]
		if !ok || math.IsNaN(v) {
			t.Fatalf("no value for %s", code)
		}
		lhs += u.popStd[i] * v
	}
	k := 0 // supply index: the places with GPs, in order
	for _, g := range u.gps {
		if g <= 0 {
			continue
		}
		all += g
		if res.Reached[k] {
			reached += g
		}
		k++
	}
	if rhs := act * reached; math.Abs(lhs-rhs) > 1e-9*rhs {
		t.Errorf("Σ P̃·APL = %.6g, activity × GPs reached = %.0f × %.1f = %.6g", lhs, act, reached, rhs)
	}
	// Hardly any GP is out of reach of every population.
	if reached < 0.999*all || all < 50000 {
		t.Errorf("GPs reached %.1f of %.1f", reached, all)
	}
	t.Logf("activity %.0f consultations per GP and year; %.1f GPs, %.1f reached", act, all, reached)
	if act < 3000 || act > 7000 {
		t.Errorf("activity %.0f is not a plausible yearly activity of a GP", act)
	}
	if len(base) < 34700 {
		t.Errorf("%d values", len(base))
	}
	// Lyon as a whole is the population-weighted mean of its arrondissements.
	if v, ok := base["69123"]; !ok || v < base["69381"] && v < base["69385"] {
		t.Errorf("Lyon = %v", v)
	}

	// Two more GPs in Mende (Lozère): Mende and its neighbours gain, Nice
	// does not move; the activity stays the baseline's.
	scen, err := RecomputeAPL(s, Options{AddGP: map[string]float64{"48095": 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Mende %.3f → %.3f, Badaroux %.3f → %.3f", base["48095"], scen["48095"], base["48013"], scen["48013"])
	if !(scen["48095"] > base["48095"]+0.05) || !(scen["48013"] > base["48013"]) {
		t.Errorf("Mende %v → %v, Badaroux %v → %v", base["48095"], scen["48095"], base["48013"], scen["48013"])
	}
	if scen["06088"] != base["06088"] {
		t.Errorf("Nice moved: %v → %v", base["06088"], scen["06088"])
	}
	for code, v := range scen {
		if v < base[code]-1e-12 {
			t.Fatalf("%s lost accessibility (%v → %v) when GPs were added", code, base[code], v)
		}
	}
	// GPs added to Lyon as a whole go to every arrondissement.
	lyon, err := RecomputeAPL(s, Options{AddGP: map[string]float64{"69123": 50}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"69381", "69385", "69389"} {
		if !(lyon[a] > base[a]) {
			t.Errorf("%s: %v → %v", a, base[a], lyon[a])
		}
	}
	for name, add := range map[string]map[string]float64{
		"removing more GPs than there are": {"48095": -1000},
		"unknown code":                     {"99999": 1},
		"overseas commune":                 {"97411": 1},
		"NaN":                              {"48095": math.NaN()},
	} {
		if _, err := RecomputeAPL(s, Options{AddGP: add}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestValidateFigures(t *testing.T) {
	// Ranks with ties, a perfect monotone but non-linear relation.
	rec := []float64{0, 0, 1, 4, 9, 16}
	off := []float64{1, 1, 3, 3.5, 4, 5}
	v := compare(rec, off)
	if math.Abs(v.Spearman-1) > 1e-12 || v.Pearson >= 0.99 {
		t.Errorf("%+v", v)
	}
	if v.BothLow != 2 || v.RecomputedLowOnly != 1 || v.OfficialLowOnly != 0 || v.BothHigh != 3 {
		t.Errorf("classes %+v", v)
	}
	// |err| = 1 1 2 0.5 5 11: median 1.5.
	if v.MedianAbsError != 1.5 || math.Abs(v.Agreement-5.0/6) > 1e-12 {
		t.Errorf("%+v", v)
	}
}
