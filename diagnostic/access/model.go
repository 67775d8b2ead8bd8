package access

import "math"

// Params are the parameters of the crow-fly travel-time model. A trip of
// crow-fly length d between two distinct places takes
//
//	minutes(d) = Access + ∫₀^R 60/v(x) dx,  R = Detour·d,
//	1/v(x) = 1/Cruise + (1/Start − 1/Cruise)·exp(−x/Ramp)
//
// that is, the road is Detour times longer than the straight line and the
// marginal speed rises from Start (town streets, village crossings, the
// first bends) to Cruise (main roads) over a few Ramp kilometres. The
// integral has the closed form used by [Params.Minutes].
//
// The form was chosen over a speed that depends on the whole trip length
// (minutes = km/speed(km)) because the marginal pace stays positive, so
// minutes grow strictly with distance whatever the fitted values: the
// nearest facility by kilometres is then the nearest by minutes, and a
// maximum crow-fly reach exists for every time band ([Params.ReachKm]),
// which the E2SFCA engine needs to prune pairs.
//
// Speeds do not depend on settlement density, although METHOD.md suggests
// it: over the Alpes-Maritimes a density term (population within 5 km of
// each end) did not lower the error (MAE 3.80 against 3.77 minutes), the
// density there being confounded with relief, and over France it did not
// improve the recomputed APL either (see [NationalStartFactor]).
//
// Nor do they depend on the type of département (urban, rural plain,
// mountain): start and cruise speeds per type (24 pairs of factors on
// [Calibrated06]), chosen on the official APL 2023 of three quarters of the
// départements, did worse than the national model on the held-out quarter,
// pooled over four folds: Pearson 0.605 → 0.579 (urban), 0.523 → 0.515
// (rural plain), 0.462 → 0.451 (mountain), and in the held-out
// Alpes-Maritimes the road-time error went from 3.71 to 3.94 minutes. Even
// in sample, the best speeds of each département together with its
// official supply level reach a Pearson of only 0.568 (≤ 2.5 agreement
// 73.8 %), while real road times lift the Alpes-Maritimes from 0.41 to
// 0.68: what a speed function of the crow-fly distance misses is the road
// network itself. The validation is reproduced by
//
//	go run ./datasets/internal/traveltime -validate
//
// Real road times exist here for the Alpes-Maritimes only, so the error in
// minutes is measured there alone (TestModelError, TestModelErrorByDistance);
// for flat or urban départements the APL fit is the only evidence, and it
// bounds speeds loosely.
type Params struct {
	Access float64 // minutes added to every trip between two distinct places (leaving, parking)
	Detour float64 // road kilometres per crow-fly kilometre
	Start  float64 // marginal speed at the start of a trip, km/h
	Cruise float64 // marginal speed far from the start, km/h
	Ramp   float64 // road km over which the pace moves from Start towards Cruise (e-folding length)
}

// Minutes returns the modelled road minutes for a crow-fly distance in km
// between two distinct places. It is continuous, strictly increasing, and
// equals Access at zero km: two communes sharing a point are still two
// places a trip must leave and reach.
func (p Params) Minutes(crowKm float64) float64 {
	if crowKm < 0 {
		crowKm = 0
	}
	r := p.Detour * crowKm
	cruise := 60 / p.Cruise
	start := 60 / p.Start
	return p.Access + cruise*r + (start-cruise)*p.Ramp*(-math.Expm1(-r/p.Ramp))
}

// ReachKm returns the crow-fly distance at which [Params.Minutes] reaches
// minutes: every trip longer than that takes at least minutes. It is 0 when
// minutes is at or below the access penalty.
func (p Params) ReachKm(minutes float64) float64 {
	if minutes <= p.Access {
		return 0
	}
	// Minutes is strictly increasing and at least Access + 60·r/Start…Cruise
	// per road km, so a bracket is easy and bisection converges safely.
	lo, hi := 0.0, 1.0
	for p.Minutes(hi) < minutes {
		hi *= 2
		if hi > 1e6 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if p.Minutes(mid) < minutes {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-9 {
			break
		}
	}
	return hi
}

// Valid reports whether the parameters describe a usable model: positive
// speeds and lengths, a non-negative penalty, finite values.
func (p Params) Valid() bool {
	for _, v := range []float64{p.Access, p.Detour, p.Start, p.Cruise, p.Ramp} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return p.Access >= 0 && p.Detour > 0 && p.Start > 0 && p.Cruise > 0 && p.Ramp > 0
}

// NationalStartFactor scales the start speed of [Calibrated06] for France
// as a whole. The only open road times at hand are those of the
// Alpes-Maritimes, where short trips climb mountain roads: fitted there,
// the model reaches 20 minutes at 8.5 km as the crow flies. The official
// APL embeds the INSEE Metric road times of all France, so the factor was
// chosen by recomputing the APL over France and comparing it with the
// official one (TestValidationAgainstOfficialAPL): Spearman correlation
// 0.45 with the Alpes-Maritimes speeds, best at 1.3 (0.52 with the raw BPE,
// 0.56 with département scaling; 1.2 and 1.4 are both lower). Scaling the
// cruise speed as well, an access penalty, a speed depending on settlement
// density, or free 10/15/20-minute radii did not do better.
const NationalStartFactor = 1.3

// DefaultParams are the parameters of [DefaultModel]: [Calibrated06] with
// the start speed scaled by [NationalStartFactor]. It reaches 10 minutes at
// about 3 km and 20 minutes at about 12 km as the crow flies.
var DefaultParams = nationalParams(Calibrated06)

func nationalParams(p Params) Params {
	p.Start *= NationalStartFactor
	return p
}
