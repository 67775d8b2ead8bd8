package diagnostic

import (
	"fmt"
	"sort"

	"github.com/diagsante/diagsante/diagnostic/access"
)

// A Scenario is a "what if" on GP supply: GPs added (positive) or removed
// (negative) by commune code.
type Scenario struct {
	AddGP map[string]float64
	// Retire65 starts from the departure of the GPs aged 65 and over: the
	// official DREES APL to GPs under 65 replaces the APL of each commune
	// before the added GPs' change is applied.
	Retire65 bool
}

// ScenarioCommune is one commune of a scenario's result.
type ScenarioCommune struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Population int      `json:"population"`
	Official   *float64 `json:"apl_official_2023"`
	// Start is the official value the change is applied to: the APL, or
	// with Retire65 the APL to GPs under 65 (DREES).
	Start *float64 `json:"apl_official_start"`
	// Baseline and Scenario are the recomputed (non-official) index before
	// and after the change; Delta = Scenario − Baseline.
	Baseline *float64 `json:"apl_recomputed_baseline"`
	Scenario *float64 `json:"apl_recomputed_scenario"`
	Delta    *float64 `json:"apl_delta"`
	// Estimate is the official value moved by the modelled change, the
	// figure METHOD.md asks to report (not the raw recomputed level).
	Estimate *float64 `json:"apl_estimate"`
}

// ScenarioResult is the outcome of a scenario over a territory.
type ScenarioResult struct {
	Territory string             `json:"territory"`
	AddGP     map[string]float64 `json:"add_gp"`
	Retire65  bool               `json:"retire_65_plus"`
	Activity  float64            `json:"activity_per_gp"`
	Communes  []ScenarioCommune  `json:"communes"`
	// Shares of the territory's population at or below the low threshold,
	// with the official APL and with the estimate.
	ShareLowBefore *float64 `json:"share_apl_low_before"`
	ShareLowAfter  *float64 `json:"share_apl_low_after"`
	// APL of the territory (population-weighted), official and estimated.
	APLBefore *float64 `json:"apl_before"`
	APLAfter  *float64 `json:"apl_after"`
}

// Simulate recomputes the APL with and without the scenario's change and
// applies the difference to the official APL 2023 of the territory's
// communes — or, with Retire65, to the official APL to GPs under 65.
func (e *Engine) Simulate(t *Territory, scn Scenario) (*ScenarioResult, error) {
	for code := range scn.AddGP {
		if e.Snap.Place(code) == nil && e.Snap.OldCode(code) == nil {
			return nil, &access.ScenarioError{Msg: fmt.Sprintf("scenario: %q is not a commune code (COG 2026, or a former code)", code)}
		}
	}
	res := &ScenarioResult{Territory: t.Label, AddGP: scn.AddGP, Retire65: scn.Retire65}
	// Without GPs added or removed, nothing is recomputed: the departure
	// of the GPs aged 65 and over is the DREES's own figure.
	var base, after map[string]float64
	if len(scn.AddGP) > 0 {
		// The baseline is computed once, with the activity calibrated on
		// it, and the scenario counted with that activity.
		b, err := access.NewBaseline(e.Snap, access.Options{Times: e.Times})
		if err != nil {
			return nil, err
		}
		res.Activity, base = b.Activity, b.Values
		if after, err = b.Scenario(scn.AddGP); err != nil {
			return nil, fmt.Errorf("scenario: %w", err)
		}
	}
	// Means are weighted by the standardised population, shares count the
	// total population, as for the official figures.
	var pop, std, lowB, lowA, wB, wA float64
	for _, code := range t.Communes {
		c := e.Snap.Place(code)
		sc := ScenarioCommune{Code: code, Name: c.Name, Population: c.Population}
		a, hasAPL := e.APL.Get(code, 2023)
		start := func(v, u65 float64) float64 {
			if res.Retire65 {
				return u65
			}
			return v
		}
		if hasAPL {
			sc.Official, sc.Start = ptr(a.Value), ptr(start(a.Value, a.Under65))
		}
		// The recomputed index is by commune: an arrondissement takes its
		// city's change.
		rc := code
		if city := e.Snap.CityOf(code); city != "" {
			rc = city
		}
		delta := 0.0
		b, okB := base[rc]
		s, okS := after[rc]
		switch {
		case okB && okS:
			sc.Baseline, sc.Scenario, sc.Delta = ptr(b), ptr(s), ptr(s-b)
			delta = s - b
		case len(scn.AddGP) > 0:
			hasAPL = false // no recomputed value: no estimate
		}
		if hasAPL {
			sc.Estimate = ptr(max(0, *sc.Start+delta))
			// Each published row moves by the commune's change, and is
			// classified with its own value, as the official shares are.
			for _, row := range a.Rows {
				before, est := row.Value, max(0, start(row.Value, row.Under65)+delta)
				pop += row.PopTotal
				std += row.PopStandardised
				wB += row.PopStandardised * before
				wA += row.PopStandardised * est
				if e.Thresholds.classIndex(before) == 0 {
					lowB += row.PopTotal
				}
				if e.Thresholds.classIndex(est) == 0 {
					lowA += row.PopTotal
				}
			}
		}
		res.Communes = append(res.Communes, sc)
	}
	if pop > 0 {
		res.ShareLowBefore, res.ShareLowAfter = ptr(lowB/pop), ptr(lowA/pop)
	}
	if std > 0 {
		res.APLBefore, res.APLAfter = ptr(wB/std), ptr(wA/std)
	}
	sort.Slice(res.Communes, func(i, j int) bool { return res.Communes[i].Code < res.Communes[j].Code })
	return res, nil
}
