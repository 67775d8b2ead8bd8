package main

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

type pair struct{ a, b string }

func main() {
	s, _ := snapshot.LoadEmbedded()
	f, _ := os.Open("/work/shared/data/raw/apl-alpes-maritimes-chaire-paas/od_iris_06_route_km_min_le30.csv")
	r := csv.NewReader(f)
	r.Read()
	iris := map[string]map[string]bool{}
	type v struct{ km, t int }
	od := map[[2]string]v{}
	cur := func(c string) string {
		if s.Commune(c) != nil { return c }
		if o := s.OldCode(c); o != nil { return o.Current }
		fmt.Println("unknown", c); return c
	}
	for {
		rec, err := r.Read()
		if err != nil { break }
		a := fmt.Sprintf("%09s", rec[0]); b := fmt.Sprintf("%09s", rec[1])
		km, _ := strconv.Atoi(rec[2]); t, _ := strconv.Atoi(rec[3])
		od[[2]string{a, b}] = v{km, t}
		for _, x := range []string{a, b} {
			c := cur(x[:5])
			if iris[c] == nil { iris[c] = map[string]bool{} }
			iris[c][x] = true
		}
	}
	codes := []string{}
	for c := range iris { codes = append(codes, c) }
	sort.Strings(codes)
	type row struct{ a, b string; crow, rkm, rmin float64; censored bool; popa, popb int; n int }
	var rows []row
	for i, a := range codes {
		for _, b := range codes[i+1:] {
			if !strings.HasPrefix(a, "06") && !strings.HasPrefix(b, "06") { continue }
			var ts, ks []float64
			for x := range iris[a] { for y := range iris[b] {
				for _, k := range [][2]string{{x, y}, {y, x}} {
					if o, ok := od[k]; ok { ts = append(ts, float64(o.t)); ks = append(ks, float64(o.km)) } else { ts = append(ts, math.Inf(1)); ks = append(ks, math.Inf(1)) }
				}
			}}
			sort.Float64s(ts); sort.Float64s(ks)
			med := func(x []float64) float64 { n := len(x); if n%2 == 1 { return x[n/2] }; return (x[n/2-1] + x[n/2]) / 2 }
			ca, cb := s.Commune(a), s.Commune(b)
			crow := access.HaversineKm(access.Point{ca.Lat, ca.Lon}, access.Point{cb.Lat, cb.Lon})
			m := med(ts)
			if crow > 60 { continue }
			rows = append(rows, row{a, b, crow, med(ks), m, math.IsInf(m, 1), ca.Population, cb.Population, len(ts)})
		}
	}
	nobs := 0
	for _, r := range rows { if !r.censored { nobs++ } }
	fmt.Println("pairs", len(rows), "observed", nobs)
	D := 1.35
	fmt.Println("detour", D)
	var obs, cen [][3]float64
	for _, r := range rows { if r.crow > 45 { continue }; if r.censored { cen = append(cen, [3]float64{r.crow, 30, 0}) } else { obs = append(obs, [3]float64{r.crow, r.rmin, 0}) } }
	model := func(p []float64, km float64) float64 {
		R := D * km
		a, v0, vinf, L := p[0], p[1], p[2], p[3]
		p0, pinf := 60/v0, 60/vinf
		return a + pinf*R + (p0-pinf)*L*(1-math.Exp(-R/L))
	}
	for _, wc := range []float64{0, 1} {
	loss := func(p []float64) float64 {
		if p[0] < 0 || p[1] < 3 || p[2] < p[1] || p[2] > 130 || p[3] < 0.1 || p[3] > 100 { return math.Inf(1) }
		var l float64
		for _, o := range obs { l += math.Abs(model(p, o[0]) - o[1]) }
		for _, o := range cen { if d := 30 - model(p, o[0]); d > 0 { l += wc*d } }
		return l / float64(len(obs))
	}
	p := nelderMead(loss, []float64{3, 20, 60, 5})
	var mae, bias float64; var n int
	for _, o := range obs { if o[1] <= 25 { d := model(p, o[0]) - o[1]; mae += math.Abs(d); bias += d; n++ } }
	fmt.Printf("wc=%v p=%.3f loss=%.3f  MAE<=25 %.2f bias %.2f n=%d\n", wc, p, loss(p), mae/float64(n), bias/float64(n), n)
	for _, km := range []float64{1, 2, 5, 10, 15, 20, 30} { fmt.Printf("  %g km -> %.1f min\n", km, model(p, km)) }
	}
}

func rows2[T any](x T) T { return x }

func fitDetour(rows []struct{}) float64 { return 1.35 }

func nelderMead(f func([]float64) float64, x0 []float64) []float64 {
	n := len(x0)
	simplex := make([][]float64, n+1)
	vals := make([]float64, n+1)
	for i := range simplex {
		x := append([]float64(nil), x0...)
		if i > 0 { x[i-1] *= 1.3 }
		simplex[i] = x
		vals[i] = f(x)
	}
	for it := 0; it < 5000; it++ {
		idx := make([]int, n+1)
		for i := range idx { idx[i] = i }
		sort.Slice(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
		s2 := make([][]float64, n+1); v2 := make([]float64, n+1)
		for i, j := range idx { s2[i] = simplex[j]; v2[i] = vals[j] }
		simplex, vals = s2, v2
		c := make([]float64, n)
		for i := 0; i < n; i++ { for k := 0; k < n; k++ { c[k] += simplex[i][k] / float64(n) } }
		pt := func(t float64) []float64 { x := make([]float64, n); for k := range x { x[k] = c[k] + t*(simplex[n][k]-c[k]) }; return x }
		xr := pt(-1); fr := f(xr)
		switch {
		case fr < vals[0]:
			xe := pt(-2); fe := f(xe)
			if fe < fr { simplex[n], vals[n] = xe, fe } else { simplex[n], vals[n] = xr, fr }
		case fr < vals[n-1]:
			simplex[n], vals[n] = xr, fr
		default:
			xc := pt(0.5); fc := f(xc)
			if fc < vals[n] { simplex[n], vals[n] = xc, fc } else {
				for i := 1; i <= n; i++ { for k := 0; k < n; k++ { simplex[i][k] = simplex[0][k] + 0.5*(simplex[i][k]-simplex[0][k]) }; vals[i] = f(simplex[i]) }
			}
		}
	}
	best := 0
	for i := range vals { if vals[i] < vals[best] { best = i } }
	return simplex[best]
}
