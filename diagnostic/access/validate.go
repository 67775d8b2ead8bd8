package access

import (
	"math"
	"slices"
	"sort"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// ThresholdZIP2017 is the APL at or below which a territory was a zone
// d'intervention prioritaire by national selection (arrêté of 13 November
// 2017). Later texts moved it; it serves here as the validation threshold
// because it is the one the brief of the index asks to reproduce.
const ThresholdZIP2017 = 2.5

// A Validation compares a recomputed APL with the official one, commune
// by commune (each commune or arrondissement counts once, whatever its
// population).
type Validation struct {
	Units int // communes and arrondissements compared
	// Pearson and Spearman are the linear and rank correlations.
	Pearson, Spearman float64
	// MedianAbsError is the median of |recomputed − official|, in
	// consultations per standardised inhabitant and year.
	MedianAbsError float64
	// Agreement is the share of units on the same side of the 2.5
	// threshold (at or below, above) in both.
	Agreement float64
	// The four cells of the classification at 2.5.
	BothLow, OfficialLowOnly, RecomputedLowOnly, BothHigh int
}

// Validate compares a map from [RecomputeAPL] with the official APL 2023
// over the communes of metropolitan France and the arrondissements of Lyon
// and Marseille that have both. Paris is left out: the BPE lacks it, so its
// supply is imputed and comparing would test the imputation. An official
// value for a commune merged since 2023 is the mean of its former communes
// weighted by their total population.
func Validate(s *snapshot.Snapshot, recomputed map[string]float64) Validation {
	u, _ := buildUnits(s, Options{})
	var rec, off []float64
	for i, code := range u.codes {
		if len(code) >= 3 && code[:3] == "751" || math.IsNaN(u.official[i]) {
			continue
		}
		r, ok := recomputed[code]
		if !ok || !finite(r) {
			continue
		}
		rec = append(rec, r)
		off = append(off, u.official[i])
	}
	return compare(rec, off)
}

// compare computes the figures of a Validation from paired values.
func compare(rec, off []float64) Validation {
	v := Validation{Units: len(rec)}
	if len(rec) < 2 {
		return v
	}
	v.Pearson = Pearson(rec, off)
	v.Spearman = Pearson(ranks(rec), ranks(off))
	abs := make([]float64, len(rec))
	for i := range rec {
		abs[i] = math.Abs(rec[i] - off[i])
		lr, lo := rec[i] <= ThresholdZIP2017, off[i] <= ThresholdZIP2017
		switch {
		case lr && lo:
			v.BothLow++
		case lo:
			v.OfficialLowOnly++
		case lr:
			v.RecomputedLowOnly++
		default:
			v.BothHigh++
		}
	}
	slices.Sort(abs)
	n := len(abs)
	v.MedianAbsError = abs[n/2]
	if n%2 == 0 {
		v.MedianAbsError = (abs[n/2-1] + abs[n/2]) / 2
	}
	v.Agreement = float64(v.BothLow+v.BothHigh) / float64(n)
	return v
}

// Pearson is the correlation coefficient of two series of the same
// length, NaN when either is constant.
func Pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// ranks returns the ranks of x, ties sharing their mean rank (many
// recomputed values are exactly 0: communes with no GP within 20 minutes).
func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		mean := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = mean
		}
		i = j + 1
	}
	return r
}
