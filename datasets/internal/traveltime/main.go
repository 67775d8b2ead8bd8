// Command traveltime calibrates the crow-fly travel-time model of
// diagnostic/access on real road times: the IRIS-to-IRIS road matrix of
// the Alpes-Maritimes (raw/apl-alpes-maritimes-chaire-paas/, see
// raw/SOURCES.md §15). It is run by hand, or through go generate:
//
//	go generate ./diagnostic/access
//	go run ./datasets/internal/traveltime [-raw ../shared/data/raw] [-out diagnostic/access]
//
// and writes, into the -out folder, testdata/calibration_06.csv (the
// fitted parameters in comment lines and the commune-pair table the fit
// used, which the package's tests read back) and params_gen.go (the
// parameters as Go). Its output is deterministic.
//
// With -validate it writes nothing and prints the out-of-sample validation
// instead (about 30 s of CPU): the error in minutes over the Alpes-Maritimes
// pairs by distance class; the recomputed APL against the official APL 2023
// for a grid of national start and cruise speeds, by département type, next
// to their road-time error; speeds by type chosen on three folds of
// départements and tested on the fourth, pooled by type, with the road-time
// error of the held-out Alpes-Maritimes; and where the APL error comes from
// (per-département correlation and level, in-sample ceilings of speeds and
// supply level per département, and in the Alpes-Maritimes the APL with real
// road times and with the Chaire PAAS GP supply). See validate.go and the
// doc of access.Params:
//
//	go run ./datasets/internal/traveltime -validate
//
// We have no IRIS points, only commune points, so IRIS pairs are
// aggregated into pairs of distinct communes: the median road time and
// road length over every IRIS pair of the two communes, both directions.
// The source only lists pairs up to 30 minutes; a missing IRIS pair is
// counted as longer than 30 minutes rather than dropped, so the median is
// exact whenever it is at most 30 and the commune pair is otherwise left
// out (dropping the missing pairs would bias the median down). Only pairs
// with at least one commune in the Alpes-Maritimes are kept, because pairs
// between two neighbouring départements are only partly listed.
//
// Fit: the detour factor is the median ratio of road to crow-fly
// kilometres (pairs at least 2 km apart, where the commune point's
// position within the commune matters less); the access penalty and the
// speeds then minimise the mean absolute error in minutes over all kept
// pairs (Nelder–Mead from several starts, within plausible bounds).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"go/format"
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

// odFile is the road matrix inside the raw folder.
const odFile = "apl-alpes-maritimes-chaire-paas/od_iris_06_route_km_min_le30.csv"

// limit is the longest time the source lists.
const limit = 30.0

func main() {
	raw := flag.String("raw", os.Getenv("DIAGSANTE_RAW"), "folder of the raw open-data files (default $DIAGSANTE_RAW, else ../shared/data/raw from the module root)")
	out := flag.String("out", "", "folder of package diagnostic/access (default diagnostic/access from the module root)")
	val := flag.Bool("validate", false, "instead of fitting, print the out-of-sample validation (road times of the 06 by distance class; recomputed vs official APL 2023 for a grid of speeds, on held-out départements by type, and where its error comes from); writes nothing")
	flag.Parse()
	if *val {
		if err := runValidate(*raw); err != nil {
			fmt.Fprintln(os.Stderr, "traveltime:", err)
			os.Exit(1)
		}
		return
	}
	if err := main1(*raw, *out); err != nil {
		fmt.Fprintln(os.Stderr, "traveltime:", err)
		os.Exit(1)
	}
}

// main1 resolves the default folders against the module root, so that the
// command works alike from the root and from go generate in the package.
func main1(raw, out string) error {
	if raw == "" || out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if raw == "" {
			raw = filepath.Join(root, "..", "shared", "data", "raw")
		}
		if out == "" {
			out = filepath.Join(root, "diagnostic", "access")
		}
	}
	return run(raw, out, os.Stderr)
}

// runValidate reads the road matrix as the fit does and runs validate.
func runValidate(raw string) error {
	if raw == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		raw = filepath.Join(root, "..", "shared", "data", "raw")
	}
	b, err := os.ReadFile(filepath.Join(raw, odFile))
	if err != nil {
		return err
	}
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		return err
	}
	rows, _, err := aggregate(b, s)
	if err != nil {
		return err
	}
	return validate(s, rows, raw, os.Stdout)
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: give -raw and -out")
		}
		dir = parent
	}
}

// A pairRow is one commune pair of the calibration table.
type pairRow struct {
	Code1, Code2 string
	CrowKm       float64
	RoadKm       float64 // median road km over the IRIS pairs
	RoadMin      float64 // median road minutes over the IRIS pairs
	IrisPairs    int     // IRIS pairs (both directions) the medians are over
}

func run(raw, out string, log io.Writer) error {
	b, err := os.ReadFile(filepath.Join(raw, odFile))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		return err
	}
	rows, dropped, err := aggregate(b, s)
	if err != nil {
		return err
	}
	p := fit(rows)
	st := measure(p, rows)
	fmt.Fprintf(log, "traveltime: %d commune pairs kept, %d with a median over %.0f minutes left out\n", len(rows), dropped, limit)
	fmt.Fprintf(log, "traveltime: params %+v\n", p)
	for _, c := range st {
		fmt.Fprintf(log, "traveltime: %-9s n=%4d MAE %.2f bias %+.2f min\n", c.Name, c.N, c.MAE, c.Bias)
	}
	var csvb bytes.Buffer
	fmt.Fprintf(&csvb, "# Calibration of the diagsante travel-time model on road times of the Alpes-Maritimes (06).\n")
	fmt.Fprintf(&csvb, "# Source: raw/%s (sha256 %s), see raw/SOURCES.md §15.\n", odFile, hex.EncodeToString(sum[:]))
	fmt.Fprintf(&csvb, "# Generated by datasets/internal/traveltime (go generate ./diagnostic/access); do not edit.\n")
	fmt.Fprintf(&csvb, "# One row per pair of distinct communes: median road km and minutes over all IRIS pairs of the two\n")
	fmt.Fprintf(&csvb, "# communes in both directions (missing IRIS pairs, over 30 min, counted as longer); crow_km between\n")
	fmt.Fprintf(&csvb, "# the communes' snapshot points. Pairs whose median exceeds 30 minutes (%d) are left out.\n", dropped)
	fmt.Fprintf(&csvb, "# params: access=%s detour=%s start=%s cruise=%s ramp=%s\n", ff(p.Access), ff(p.Detour), ff(p.Start), ff(p.Cruise), ff(p.Ramp))
	for _, c := range st {
		fmt.Fprintf(&csvb, "# fit %s: n=%d mae=%.3f bias=%+.3f\n", c.Name, c.N, c.MAE, c.Bias)
	}
	w := csv.NewWriter(&csvb)
	w.Write([]string{"code1", "code2", "crow_km", "road_km", "road_min", "iris_pairs"})
	for _, r := range rows {
		w.Write([]string{r.Code1, r.Code2, strconv.FormatFloat(r.CrowKm, 'f', 3, 64),
			strconv.FormatFloat(r.RoadKm, 'f', 1, 64), strconv.FormatFloat(r.RoadMin, 'f', 1, 64), strconv.Itoa(r.IrisPairs)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "testdata", "calibration_06.csv"), csvb.Bytes(), 0o644); err != nil {
		return err
	}
	var gob bytes.Buffer
	fmt.Fprintf(&gob, "// Code generated by datasets/internal/traveltime; DO NOT EDIT.\n")
	fmt.Fprintf(&gob, "// Regenerate with `go generate ./diagnostic/access`: it reads the raw data from\n")
	fmt.Fprintf(&gob, "// $DIAGSANTE_RAW, else ../shared/data/raw next to the module.\n\n")
	fmt.Fprintf(&gob, "package access\n\n")
	fmt.Fprintf(&gob, "// Calibrated06 are the travel-time parameters fitted on %d pairs of\n", len(rows))
	fmt.Fprintf(&gob, "// communes of the Alpes-Maritimes and their real road times (table in\n")
	fmt.Fprintf(&gob, "// testdata/calibration_06.csv). Over trips of at most 25 minutes the fit\n")
	fmt.Fprintf(&gob, "// errs by %.2f minutes on average (MAE), bias %+.2f.\n", st[0].MAE, st[0].Bias)
	fmt.Fprintf(&gob, "var Calibrated06 = Params{Access: %s, Detour: %s, Start: %s, Cruise: %s, Ramp: %s}\n",
		ff(p.Access), ff(p.Detour), ff(p.Start), ff(p.Cruise), ff(p.Ramp))
	src, err := format.Source(gob.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "params_gen.go"), src, 0o644)
}

// ff formats a parameter the way it is rounded by fit.
func ff(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// aggregate turns the IRIS matrix into commune pairs.
func aggregate(b []byte, s *snapshot.Snapshot) (rows []pairRow, dropped int, err error) {
	r := csv.NewReader(bytes.NewReader(b))
	head, err := r.Read()
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", odFile, err)
	}
	if strings.Join(head, ",") != "IRIS1,IRIS2,KM,TIME" {
		return nil, 0, fmt.Errorf("%s: header %q, want IRIS1,IRIS2,KM,TIME", odFile, head)
	}
	type od struct{ km, min float64 }
	iris := map[string][]string{} // current commune -> IRIS codes seen
	seenIris := map[string]bool{}
	matrix := map[[2]string]od{}
	current := func(code string) (string, error) {
		if s.Commune(code) != nil {
			return code, nil
		}
		if o := s.OldCode(code); o != nil {
			return o.Current, nil
		}
		return "", fmt.Errorf("commune %s of the road matrix is not in the snapshot", code)
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", odFile, err)
		}
		var k [2]string
		for c := range 2 {
			// IRIS codes lost their leading zero (read as integers).
			code := rec[c]
			if len(code) < 9 {
				code = strings.Repeat("0", 9-len(code)) + code
			}
			if len(code) != 9 {
				return nil, 0, fmt.Errorf("%s:%d:%d: IRIS code %q", odFile, line, c+1, rec[c])
			}
			k[c] = code
			if !seenIris[code] {
				seenIris[code] = true
				cur, err := current(code[:5])
				if err != nil {
					return nil, 0, fmt.Errorf("%s:%d: %w", odFile, line, err)
				}
				iris[cur] = append(iris[cur], code)
			}
		}
		km, err1 := strconv.ParseFloat(rec[2], 64)
		mn, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil || mn > limit {
			return nil, 0, fmt.Errorf("%s:%d: km %q minutes %q", odFile, line, rec[2], rec[3])
		}
		matrix[k] = od{km, mn}
	}
	codes := make([]string, 0, len(iris))
	for c := range iris {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	inf := math.Inf(1)
	for x, a := range codes {
		for _, c := range codes[x+1:] {
			if !strings.HasPrefix(a, "06") && !strings.HasPrefix(c, "06") {
				continue
			}
			var mins, kms []float64
			for _, ia := range iris[a] {
				for _, ic := range iris[c] {
					for _, k := range [][2]string{{ia, ic}, {ic, ia}} {
						if v, ok := matrix[k]; ok {
							mins = append(mins, v.min)
							kms = append(kms, v.km)
						} else {
							mins = append(mins, inf)
							kms = append(kms, inf)
						}
					}
				}
			}
			m := median(mins)
			if m > limit {
				// Not within 30 minutes, or too far to be listed at all.
				if m < inf || anyFinite(mins) {
					dropped++
				}
				continue
			}
			ca, cc := s.Commune(a), s.Commune(c)
			if !ca.HasPoint() || !cc.HasPoint() {
				return nil, 0, fmt.Errorf("commune %s or %s has no point in the snapshot", a, c)
			}
			crow := access.HaversineKm(access.Point{Lat: ca.Lat, Lon: ca.Lon}, access.Point{Lat: cc.Lat, Lon: cc.Lon})
			rows = append(rows, pairRow{Code1: a, Code2: c, CrowKm: round(crow, 3), RoadKm: median(kms), RoadMin: m, IrisPairs: len(mins)})
		}
	}
	return rows, dropped, nil
}

func anyFinite(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return !math.IsInf(x, 1) })
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	if math.IsInf(v[n/2], 1) {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func round(v float64, dec int) float64 {
	p := math.Pow(10, float64(dec))
	return math.Round(v*p) / p
}

// fit returns the parameters, rounded to what params_gen.go keeps.
func fit(rows []pairRow) access.Params {
	var ratios []float64
	for _, r := range rows {
		if r.CrowKm >= 2 {
			ratios = append(ratios, r.RoadKm/r.CrowKm)
		}
	}
	detour := round(median(ratios), 3)
	loss := func(x []float64) float64 {
		p := access.Params{Access: x[0], Detour: detour, Start: x[1], Cruise: x[2], Ramp: x[3]}
		if p.Access < 0 || p.Access > 15 || p.Start < 5 || p.Start > 110 || p.Cruise < 5 || p.Cruise > 110 || p.Ramp < 0.1 || p.Ramp > 200 {
			return math.Inf(1)
		}
		var l float64
		for _, r := range rows {
			l += math.Abs(p.Minutes(r.CrowKm) - r.RoadMin)
		}
		return l / float64(len(rows))
	}
	best, bestL := []float64(nil), math.Inf(1)
	for _, x0 := range [][]float64{{2, 20, 60, 5}, {5, 30, 80, 2}, {1, 15, 100, 10}, {3, 40, 40, 1}} {
		x := nelderMead(loss, x0)
		if l := loss(x); l < bestL {
			best, bestL = x, l
		}
	}
	return access.Params{Access: round(best[0], 3), Detour: detour, Start: round(best[1], 3), Cruise: round(best[2], 3), Ramp: round(best[3], 3)}
}

// A classStat is the error of the model over one class of trips.
type classStat struct {
	Name      string
	N         int
	MAE, Bias float64
}

// measure gives the error over trips of at most 25 minutes, all and by
// crow-fly distance class, as TestModelError does.
func measure(p access.Params, rows []pairRow) []classStat {
	classes := []struct {
		name   string
		lo, hi float64
	}{{"all", 0, math.Inf(1)}, {"0-5km", 0, 5}, {"5-10km", 5, 10}, {"10-20km", 10, 20}, {"20+km", 20, math.Inf(1)}}
	var out []classStat
	for _, c := range classes {
		st := classStat{Name: c.name}
		for _, r := range rows {
			if r.RoadMin > 25 || r.CrowKm < c.lo || r.CrowKm >= c.hi {
				continue
			}
			d := p.Minutes(r.CrowKm) - r.RoadMin
			st.N++
			st.MAE += math.Abs(d)
			st.Bias += d
		}
		if st.N > 0 {
			st.MAE /= float64(st.N)
			st.Bias /= float64(st.N)
		}
		out = append(out, st)
	}
	return out
}

// nelderMead minimises f from x0 with the standard reflection, expansion,
// contraction and shrink steps; deterministic, enough for four smooth-ish
// parameters.
func nelderMead(f func([]float64) float64, x0 []float64) []float64 {
	n := len(x0)
	simplex := make([][]float64, n+1)
	vals := make([]float64, n+1)
	for i := range simplex {
		x := slices.Clone(x0)
		if i > 0 {
			x[i-1] *= 1.25
		}
		simplex[i], vals[i] = x, f(x)
	}
	point := func(c, far []float64, t float64) []float64 {
		x := make([]float64, n)
		for k := range x {
			x[k] = c[k] + t*(far[k]-c[k])
		}
		return x
	}
	for range 4000 {
		idx := []int{}
		for i := range simplex {
			idx = append(idx, i)
		}
		sort.SliceStable(idx, func(a, b int) bool { return vals[idx[a]] < vals[idx[b]] })
		s2, v2 := make([][]float64, n+1), make([]float64, n+1)
		for i, j := range idx {
			s2[i], v2[i] = simplex[j], vals[j]
		}
		simplex, vals = s2, v2
		if vals[n]-vals[0] < 1e-10 {
			break
		}
		c := make([]float64, n)
		for i := range n {
			for k := range n {
				c[k] += simplex[i][k] / float64(n)
			}
		}
		xr := point(c, simplex[n], -1)
		fr := f(xr)
		switch {
		case fr < vals[0]:
			if xe := point(c, simplex[n], -2); f(xe) < fr {
				simplex[n], vals[n] = xe, f(xe)
			} else {
				simplex[n], vals[n] = xr, fr
			}
		case fr < vals[n-1]:
			simplex[n], vals[n] = xr, fr
		default:
			if xc := point(c, simplex[n], 0.5); f(xc) < vals[n] {
				simplex[n], vals[n] = xc, f(xc)
			} else {
				for i := 1; i <= n; i++ {
					simplex[i] = point(simplex[0], simplex[i], 0.5)
					vals[i] = f(simplex[i])
				}
			}
		}
	}
	best := 0
	for i := range vals {
		if vals[i] < vals[best] {
			best = i
		}
	}
	return simplex[best]
}
