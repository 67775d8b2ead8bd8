package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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

// A speed is one candidate of the grid: [access.Calibrated06] with its
// start and cruise speeds scaled. The national model is {1.3, 1}
// (access.NationalStartFactor).
type speed struct{ Start, Cruise float64 }

func (k speed) params() access.Params {
	p := access.Calibrated06
	p.Start *= k.Start
	p.Cruise *= k.Cruise
	return p
}

func (k speed) String() string { return fmt.Sprintf("start×%.1f cruise×%.1f", k.Start, k.Cruise) }

var national = speed{access.NationalStartFactor, 1}

// speedGrid are the candidates: start factors along the ones the national
// factor was chosen from, and cruise factors down to 66 km/h on main roads
// (110 km/h, the fit's bound, is fast for a département's main roads).
func speedGrid() []speed {
	var g []speed
	for _, s := range []float64{1.0, 1.3, 1.6, 2.0, 2.5, 3.0} {
		for _, c := range []float64{0.6, 0.7, 0.8, 1.0} {
			g = append(g, speed{s, c})
		}
	}
	return g
}

// validate writes the out-of-sample validation:
//
//  1. the road-time error where road times exist (06), by distance class;
//  2. the national speed grid: recomputed vs official APL 2023, overall and
//     by département type, next to the road-time error in the 06;
//  3. held-out départements (4 folds): speeds by département type chosen on
//     the other folds against the national model, pooled over the folds,
//     by type, with the road-time error of the held-out 06;
//  4. where the APL error comes from: per-département correlation and
//     level, and the best any per-département speed or supply level could
//     do in sample (ceilings), and in the 06 the share of real road times
//     and of the real GP supply.
func validate(s *snapshot.Snapshot, rows []pairRow, raw string, log io.Writer) error {
	off := officialAPL(s)
	types := depTypes(s)
	var deps []string
	for d := range types {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	sub := func(rec map[string]float64, keep func(dep string) bool) map[string]float64 {
		out := map[string]float64{}
		for c, v := range rec {
			if len(c) == 5 && keep(c[:2]) {
				out[c] = v
			}
		}
		return out
	}
	ofType := func(t int) func(string) bool { return func(d string) bool { return types[d] == t } }

	fmt.Fprintf(log, "1. Road-time error, trips ≤ 25 min (Alpes-Maritimes commune pairs, the only road times held; MAE / bias in minutes):\n")
	printRoad := func(name string, p access.Params) {
		fmt.Fprintf(log, "  %-36s", name)
		for _, c := range measure(p, rows) {
			fmt.Fprintf(log, " | %s n=%d %.2f / %+.2f", c.Name, c.N, c.MAE, c.Bias)
		}
		fmt.Fprintln(log)
	}
	printRoad("DefaultParams (national)", access.DefaultParams)
	printRoad("Calibrated06 (fitted on these pairs)", access.Calibrated06)
	for t := range typeNames {
		var l []string
		for _, d := range deps {
			if types[d] == t {
				l = append(l, d)
			}
		}
		fmt.Fprintf(log, "  type %s (%d): %s\n", typeNames[t], len(l), strings.Join(l, " "))
	}

	fmt.Fprintf(log, "\n2. National speeds: recomputed vs official APL 2023 (Pearson / ≤2.5 agreement), all communes and by type; road-time error in the 06 (≤ 25 min):\n")
	fmt.Fprintf(log, "  %-24s | %-13s | %-13s | %-13s | %-13s | %s\n", "speeds", "all", "urban", "rural plain", "mountain", "06 MAE / bias")
	grid := speedGrid()
	runs := make([]map[string]float64, len(grid))
	base := -1
	for i, k := range grid {
		rec, err := access.RecomputeAPL(s, access.Options{Times: access.NewModel(k.params())})
		if err != nil {
			return err
		}
		runs[i] = rec
		if k == national {
			base = i
		}
		v := access.Validate(s, rec)
		fmt.Fprintf(log, "  %-24s | %.3f / %.3f | ", k, v.Pearson, v.Agreement)
		for t := range typeNames {
			g := access.Validate(s, sub(rec, ofType(t)))
			fmt.Fprintf(log, "%.3f / %.3f | ", g.Pearson, g.Agreement)
		}
		st := measure(k.params(), rows)[0]
		mark := ""
		if k == national {
			mark = "  ← DefaultParams"
		}
		fmt.Fprintf(log, "%.2f / %+.2f%s\n", st.MAE, st.Bias, mark)
	}
	if base < 0 {
		return fmt.Errorf("the national speeds %v are not in the grid", national)
	}

	fmt.Fprintf(log, "\n3. Held-out départements (fold f holds out every 4th département from the f-th); per type, the grid speeds with the best Pearson on the other folds' départements of that type:\n")
	const folds = 4
	pooled := map[string]float64{}
	var road06 []classStat
	var road06Speed speed
	for f := range folds {
		held := map[string]bool{}
		for i, d := range deps {
			if i%folds == f {
				held[d] = true
			}
		}
		var chosen [3]speed
		for t := range typeNames {
			best := math.Inf(-1)
			for i, k := range grid {
				v := access.Validate(s, sub(runs[i], func(d string) bool { return !held[d] && types[d] == t }))
				if v.Pearson > best {
					best, chosen[t] = v.Pearson, k
				}
			}
		}
		m := &byDep{p: map[string]access.Params{}, other: access.DefaultParams}
		for _, d := range deps {
			m.p[d] = chosen[types[d]].params()
		}
		rec, err := access.RecomputeAPL(s, access.Options{Times: m})
		if err != nil {
			return err
		}
		for c, v := range sub(rec, func(d string) bool { return held[d] }) {
			pooled[c] = v
		}
		fmt.Fprintf(log, "  fold %d: urban %v, rural plain %v, mountain %v", f, chosen[typeUrban], chosen[typePlain], chosen[typeMountain])
		if held["06"] {
			road06Speed = chosen[typeMountain]
			road06 = measure(road06Speed.params(), rows)
			fmt.Fprintf(log, " (holds out the 06)")
		}
		fmt.Fprintln(log)
	}
	fmt.Fprintf(log, "  pooled held-out predictions (each département predicted by the fold that holds it out):\n")
	fmt.Fprintf(log, "  %-12s %6s | %-28s | %-28s | %s\n", "type", "units", "national Pearson / agreement", "by type Pearson / agreement", "road times ≤ 25 min, national → by type (MAE / bias)")
	for t := range typeNames {
		keep := ofType(t)
		v, b := access.Validate(s, sub(pooled, keep)), access.Validate(s, sub(runs[base], keep))
		roadCol := "n.d. (no road times held)"
		if t == typeMountain && road06 != nil {
			n := measure(access.DefaultParams, rows)[0]
			roadCol = fmt.Sprintf("06, n=%d: %.2f / %+.2f → %.2f / %+.2f (%v)", n.N, n.MAE, n.Bias, road06[0].MAE, road06[0].Bias, road06Speed)
		}
		fmt.Fprintf(log, "  %-12s %6d | %.3f / %.3f                | %.3f / %.3f                | %s\n", typeNames[t], v.Units, b.Pearson, b.Agreement, v.Pearson, v.Agreement, roadCol)
	}
	v, b := access.Validate(s, pooled), access.Validate(s, runs[base])
	fmt.Fprintf(log, "  %-12s %6d | %.3f / %.3f                | %.3f / %.3f                |\n", "all", v.Units, b.Pearson, b.Agreement, v.Pearson, v.Agreement)
	if road06 != nil {
		fmt.Fprintf(log, "  06 road-time error of the held-out mountain speeds by distance class (MAE / bias):")
		for _, c := range road06 {
			fmt.Fprintf(log, " %s %.2f / %+.2f", c.Name, c.MAE, c.Bias)
		}
		fmt.Fprintln(log)
	}

	fmt.Fprintf(log, "\n4. Where the APL error comes from (national model unless said):\n")
	if err := sources(s, off, deps, types, grid, runs, base, log); err != nil {
		return err
	}
	return decompose06(s, rows, raw, log)
}

// officialAPL returns the official APL 2023 of each place (commune or
// arrondissement of today), the mean of its rows weighted by standardised
// population, as access.Validate compares it.
func officialAPL(s *snapshot.Snapshot) map[string]float64 {
	sum, w := map[string]float64{}, map[string]float64{}
	for _, r := range s.APL {
		if r.Vintage != access.APLVintage {
			continue
		}
		p := s.PlaceOf(r.Code)
		sum[p] += r.Value * r.PopStandardised
		w[p] += r.PopStandardised
	}
	out := map[string]float64{}
	for p, v := range sum {
		if w[p] > 0 {
			out[p] = v / w[p]
		}
	}
	return out
}

// pairs returns, for one département, the recomputed and official values
// of the communes Validate compares, in code order.
func pairsOf(rec, off map[string]float64, dep string) (r, o []float64, codes []string) {
	for c, v := range rec {
		if len(c) != 5 || c[:2] != dep || strings.HasPrefix(c, "751") {
			continue
		}
		ov, ok := off[c]
		if !ok || math.IsNaN(ov) || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		r = append(r, rec[c])
		o = append(o, off[c])
	}
	return r, o, codes
}

func mean(x []float64) float64 {
	var m float64
	for _, v := range x {
		m += v
	}
	return m / float64(len(x))
}

// sources separates the two parts of the APL error: the level of each
// département (its supply: GP counts, activity per GP) and the spread
// within it (road times, and where the GPs are). The ceilings are in
// sample: they choose per département with the answer at hand, so no
// model of that kind can do better, and a real one does worse.
func sources(s *snapshot.Snapshot, off map[string]float64, deps []string, types map[string]int, grid []speed, runs []map[string]float64, base int, log io.Writer) error {
	rec := runs[base]
	// Within-département Pearson and level (mean recomputed / mean official).
	within := map[int][]float64{}
	level := map[int][]float64{}
	rescaled := map[string]float64{} // each département's values × its official/recomputed mean ratio
	for _, d := range deps {
		r, o, codes := pairsOf(rec, off, d)
		if len(r) < 10 {
			continue
		}
		t := types[d]
		within[t] = append(within[t], access.Pearson(r, o))
		ratio := mean(r) / mean(o)
		level[t] = append(level[t], ratio)
		for i, c := range codes {
			rescaled[c] = r[i] / ratio
		}
	}
	fmt.Fprintf(log, "  per département: Pearson within the département (median, quartiles) and level = mean recomputed / mean official (median, quartiles):\n")
	for t := range typeNames {
		fmt.Fprintf(log, "    %-12s %2d départements: within Pearson %s; level %s\n", typeNames[t], len(within[t]), quartiles(within[t]), quartiles(level[t]))
	}
	v := access.Validate(s, rec)
	fmt.Fprintf(log, "  national model:                                                   Pearson %.3f, agreement %.3f\n", v.Pearson, v.Agreement)
	v = access.Validate(s, rescaled)
	fmt.Fprintf(log, "  ceiling, each département's level set to the official (supply):    Pearson %.3f, agreement %.3f\n", v.Pearson, v.Agreement)
	// Per-département best speeds, in sample.
	best := map[string]float64{}
	bestBoth := map[string]float64{}
	for _, d := range deps {
		bi, bp := -1, math.Inf(-1)
		for i := range grid {
			r, o, _ := pairsOf(runs[i], off, d)
			if len(r) < 10 {
				continue
			}
			if p := access.Pearson(r, o); p > bp {
				bi, bp = i, p
			}
		}
		if bi < 0 {
			bi = base
		}
		r, o, codes := pairsOf(runs[bi], off, d)
		ratio := mean(r) / mean(o)
		for i, c := range codes {
			best[c] = r[i]
			bestBoth[c] = r[i] / ratio
		}
	}
	v = access.Validate(s, best)
	fmt.Fprintf(log, "  ceiling, each département its best grid speeds (travel time):      Pearson %.3f, agreement %.3f\n", v.Pearson, v.Agreement)
	v = access.Validate(s, bestBoth)
	fmt.Fprintf(log, "  ceiling, both:                                                     Pearson %.3f, agreement %.3f\n", v.Pearson, v.Agreement)
	return nil
}

func quartiles(x []float64) string {
	if len(x) == 0 {
		return "n.d."
	}
	x = slices.Clone(x)
	slices.Sort(x)
	q := func(f float64) float64 { return x[int(math.Round(f*float64(len(x)-1)))] }
	return fmt.Sprintf("%.2f (%.2f–%.2f)", q(0.5), q(0.25), q(0.75))
}

// roads06 are the road times of the 06 pairs as a Times: a pair of the
// table takes its road time, a pair of two communes of the 06 missing
// from it is over 30 minutes, any other pair falls back on the model.
type roads06 struct {
	min   map[[2]string]float64
	model *access.Model
	maxKm float64
}

func (r *roads06) Minutes(from, to string, a, b access.Point) float64 {
	if from != "" && from == to {
		return 0
	}
	if v, ok := r.min[[2]string{from, to}]; ok {
		return v
	}
	if strings.HasPrefix(from, "06") && strings.HasPrefix(to, "06") {
		return math.Inf(1)
	}
	return r.model.Minutes(from, to, a, b)
}

func (r *roads06) ReachKm(minutes float64) float64 {
	return math.Max(r.model.ReachKm(minutes), r.maxKm)
}

// paasFile is the Chaire PAAS replication of the APL in the 06, whose
// column nb is the GPs of each IRIS weighted by activity (CNAM directory
// 2021; the 2023 file lists visibly fewer, see raw/SOURCES.md §15).
const paasFile = "apl-alpes-maritimes-chaire-paas/apl06_iris_2021.csv"

// decompose06 measures, in the 06, how much of the gap between the
// recomputed and the official APL closes with real road times instead of
// the model, and with the GP supply of the Chaire PAAS (activity-weighted,
// 2021) instead of the BPE 2017 headcounts.
func decompose06(s *snapshot.Snapshot, rows []pairRow, raw string, log io.Writer) error {
	rt := &roads06{min: map[[2]string]float64{}, model: access.DefaultModel()}
	for _, r := range rows {
		rt.min[[2]string{r.Code1, r.Code2}] = r.RoadMin
		rt.min[[2]string{r.Code2, r.Code1}] = r.RoadMin
		rt.maxKm = math.Max(rt.maxKm, r.CrowKm*(1+1e-9)+1e-6)
	}
	add, paas, err := readPAAS(s, filepath.Join(raw, paasFile))
	if err != nil {
		return err
	}
	var bpe float64
	for _, g := range s.GPs {
		if strings.HasPrefix(g.Code, "06") {
			add[g.Code] -= float64(g.Count)
			bpe += float64(g.Count)
		}
	}
	fmt.Fprintf(log, "  Alpes-Maritimes, Pearson of the 06 communes (GPs: BPE 2017 %.0f headcount, Chaire PAAS 2021 %.1f activity-weighted):\n", bpe, paas)
	for _, c := range []struct {
		name string
		t    access.Times
		add  map[string]float64
	}{
		{"model times, BPE GPs", access.DefaultModel(), nil},
		{"real road times, BPE GPs", rt, nil},
		{"model times, PAAS GPs", access.DefaultModel(), add},
		{"real road times, PAAS GPs", rt, add},
	} {
		// Raw BPE and a fixed activity: within one département Pearson
		// ignores the scale, and the scenario removes exactly the BPE counts.
		rec, err := access.RecomputeAPL(s, access.Options{Times: c.t, RawBPE: true, AddGP: c.add, Activity: 5000})
		if err != nil {
			return err
		}
		v := access.Validate(s, func() map[string]float64 {
			out := map[string]float64{}
			for code, x := range rec {
				if strings.HasPrefix(code, "06") {
					out[code] = x
				}
			}
			return out
		}())
		fmt.Fprintf(log, "    %-27s Pearson %.3f (%d communes)\n", c.name, v.Pearson, v.Units)
	}
	return nil
}

// readPAAS reads the GPs of the Chaire PAAS file by place of today (its
// nb column, activity-weighted) and their total.
func readPAAS(s *snapshot.Snapshot, name string) (map[string]float64, float64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	ic, okc := col["code_commune"]
	in, okn := col["nb"]
	if !okc || !okn {
		return nil, 0, fmt.Errorf("%s:1: header %q lacks code_commune or nb", name, strings.Join(head, ","))
	}
	gps := map[string]float64{}
	var total float64
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", name, err)
		}
		line, column := cr.FieldPos(in)
		n, err := strconv.ParseFloat(rec[in], 64)
		if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			return nil, 0, fmt.Errorf("%s:%d:%d: nb %q is not a count of GPs", name, line, column, rec[in])
		}
		code := s.PlaceOf(rec[ic])
		if s.Place(code) == nil {
			line, column = cr.FieldPos(ic)
			return nil, 0, fmt.Errorf("%s:%d:%d: %q is not a commune", name, line, column, rec[ic])
		}
		gps[code] += n
		total += n
	}
	return gps, total, nil
}
