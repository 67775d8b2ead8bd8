package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// Département types of the out-of-sample validation. We hold no relief
// data, so "mountain" is a fixed list: the départements most of whose
// territory lies in the massifs of the loi Montagne (Alpes, Pyrénées,
// Massif central, Jura, Vosges, Corse). "urban" is a département where at
// least half the population lives in communes of 10,000 inhabitants or
// more; the rest is "rural plain".
var mountainDeps = map[string]bool{
	"04": true, "05": true, "06": true, "07": true, "09": true, "12": true, "15": true, "19": true,
	"25": true, "2A": true, "2B": true, "38": true, "39": true, "43": true, "48": true, "63": true,
	"64": true, "65": true, "66": true, "73": true, "74": true, "88": true,
}

const (
	typeUrban = iota
	typePlain
	typeMountain
)

var typeNames = []string{"urban", "rural plain", "mountain"}

func depTypes(s *snapshot.Snapshot) map[string]int {
	pop, big := map[string]float64{}, map[string]float64{}
	for _, c := range s.Communes {
		if len(c.Dep) != 2 {
			continue
		}
		pop[c.Dep] += float64(c.Population)
		if c.Population >= 10000 {
			big[c.Dep] += float64(c.Population)
		}
	}
	t := map[string]int{}
	for d := range pop {
		switch {
		case mountainDeps[d]:
			t[d] = typeMountain
		case big[d] >= 0.5*pop[d]:
			t[d] = typeUrban
		default:
			t[d] = typePlain
		}
	}
	return t
}

// byDep is a travel-time model whose parameters depend on the département
// of the origin (the resident's commune in the APL): the candidate of
// "speeds by département type" the validation tests.
type byDep struct {
	p     map[string]access.Params
	other access.Params
}

func (m *byDep) params(id string) access.Params {
	if len(id) >= 2 {
		if p, ok := m.p[id[:2]]; ok {
			return p
		}
	}
	return m.other
}

func (m *byDep) Minutes(from, to string, a, b access.Point) float64 {
	if from != "" && from == to {
		return 0
	}
	return m.params(from).Minutes(access.HaversineKm(a, b))
}

// ReachKm is the reach of the fastest parameters, so pruning stays exact.
func (m *byDep) ReachKm(minutes float64) float64 {
	r := m.other.ReachKm(minutes)
	for _, p := range m.p {
		r = math.Max(r, p.ReachKm(minutes))
	}
	return r
}

// startFactors are the national start-speed factors tried (1.3 is
// access.NationalStartFactor).
var startFactors = []float64{1.0, 1.3, 1.6, 2.0, 2.5, 3.0}

func withStart(k float64) access.Params {
	p := access.Calibrated06
	p.Start *= k
	return p
}

// validate writes the out-of-sample validation: the road-time error where
// road times exist (06), and the recomputed APL against the official APL
// 2023 on held-out départements, by département type, for the national
// model and for speeds by département type fitted on the other folds.
func validate(s *snapshot.Snapshot, rows []pairRow, log io.Writer) error {
	fmt.Fprintf(log, "Road-time error, trips ≤ 25 min (Alpes-Maritimes commune pairs, the only road times held):\n")
	for _, m := range []struct {
		name string
		p    access.Params
	}{{"DefaultParams (national)", access.DefaultParams}, {"Calibrated06 (fitted on these pairs)", access.Calibrated06}} {
		fmt.Fprintf(log, "  %-38s", m.name)
		for _, c := range measure(m.p, rows) {
			fmt.Fprintf(log, " | %s n=%d MAE %.2f bias %+.2f", c.Name, c.N, c.MAE, c.Bias)
		}
		fmt.Fprintln(log)
	}
	types := depTypes(s)
	var deps []string
	for d := range types {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	for t := range typeNames {
		var l []string
		for _, d := range deps {
			if types[d] == t {
				l = append(l, d)
			}
		}
		fmt.Fprintf(log, "type %s (%d): %s\n", typeNames[t], len(l), strings.Join(l, " "))
	}
	// One recomputation per national factor; a département's APL depends
	// mostly on its own speeds, so the per-type choice reads these runs.
	runs := make([]map[string]float64, len(startFactors))
	for i, k := range startFactors {
		rec, err := access.RecomputeAPL(s, access.Options{Times: access.NewModel(withStart(k))})
		if err != nil {
			return err
		}
		runs[i] = rec
		v := access.Validate(s, rec)
		fmt.Fprintf(log, "national start factor %.1f: Pearson %.3f Spearman %.3f ≤2.5 agreement %.3f\n", k, v.Pearson, v.Spearman, v.Agreement)
	}
	sub := func(rec map[string]float64, keep func(dep string) bool) map[string]float64 {
		out := map[string]float64{}
		for c, v := range rec {
			if len(c) == 5 && keep(c[:2]) {
				out[c] = v
			}
		}
		return out
	}
	base := runs[1] // access.NationalStartFactor
	const folds = 4
	fmt.Fprintf(log, "Held-out APL 2023 (4 folds of départements; fold f holds out every 4th département from the f-th):\n")
	fmt.Fprintf(log, "  %-5s %-12s %6s | %-23s | %-23s | %s\n", "fold", "type", "units", "national P / agreement", "by type P / agreement", "factors chosen (urban, plain, mountain)")
	for f := range folds {
		held := map[string]bool{}
		for i, d := range deps {
			if i%folds == f {
				held[d] = true
			}
		}
		var chosen [3]float64
		for t := range typeNames {
			best := -2.0
			for i, k := range startFactors {
				v := access.Validate(s, sub(runs[i], func(d string) bool { return !held[d] && types[d] == t }))
				if v.Pearson > best {
					best, chosen[t] = v.Pearson, k
				}
			}
		}
		m := &byDep{p: map[string]access.Params{}, other: access.DefaultParams}
		for _, d := range deps {
			m.p[d] = withStart(chosen[types[d]])
		}
		rec, err := access.RecomputeAPL(s, access.Options{Times: m})
		if err != nil {
			return err
		}
		for t := range typeNames {
			keep := func(d string) bool { return held[d] && types[d] == t }
			v, b := access.Validate(s, sub(rec, keep)), access.Validate(s, sub(base, keep))
			fmt.Fprintf(log, "  %-5d %-12s %6d | %.3f / %.3f           | %.3f / %.3f           | %v\n", f, typeNames[t], v.Units, b.Pearson, b.Agreement, v.Pearson, v.Agreement, chosen)
		}
	}
	return nil
}
