package access

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestHaversineKm(t *testing.T) {
	r := earthRadiusKm
	for _, c := range []struct {
		a, b Point
		want float64
	}{
		{Point{45, 3}, Point{46, 3}, r * math.Pi / 180}, // one degree of a meridian
		{Point{0, 10}, Point{0, 11}, r * math.Pi / 180}, // one degree of the equator
		{Point{0, 0}, Point{90, 0}, r * math.Pi / 2},    // equator to pole
		{Point{0, -90}, Point{0, 90}, r * math.Pi},      // antipodes
		{Point{60, 0}, Point{60, 1}, 55.5975},           // a degree of longitude shrinks with cos 60°, nearly halves
		{Point{48.8530, 2.3499}, Point{48.8530, 2.3499}, 0},
	} {
		if d := HaversineKm(c.a, c.b); math.Abs(d-c.want) > 1e-3 {
			t.Errorf("HaversineKm(%v, %v) = %.4f km, want %.4f", c.a, c.b, d, c.want)
		}
	}
}

func TestParamsMonotoneAndReach(t *testing.T) {
	for _, p := range []Params{Calibrated06, DefaultParams, {Access: 3, Detour: 1.3, Start: 60, Cruise: 20, Ramp: 2}} {
		if !p.Valid() {
			t.Fatalf("%+v not valid", p)
		}
		prev := p.Minutes(0)
		if prev != p.Access {
			t.Errorf("%+v: Minutes(0) = %v, want the access penalty", p, prev)
		}
		for km := 0.05; km < 200; km += 0.05 {
			m := p.Minutes(km)
			if !(m > prev) {
				t.Fatalf("%+v: Minutes(%.2f) = %v not above Minutes(%.2f) = %v", p, km, m, km-0.05, prev)
			}
			prev = m
		}
		for _, min := range []float64{10, 15, 20, 45} {
			r := p.ReachKm(min)
			if math.Abs(p.Minutes(r)-min) > 1e-6 {
				t.Errorf("%+v: Minutes(ReachKm(%v)) = %v", p, min, p.Minutes(r))
			}
		}
	}
	if r := (Params{Access: 5, Detour: 1, Start: 30, Cruise: 60, Ramp: 1}).ReachKm(4); r != 0 {
		t.Errorf("reach below the access penalty = %v, want 0", r)
	}
	m := DefaultModel()
	a, b := Point{45, 3}, Point{45.1, 3.1}
	if got := m.Minutes("63113", "63113", a, b); got != 0 {
		t.Errorf("same commune: %v minutes, want 0 (d_ii = 0)", got)
	}
	if got, want := m.Minutes("63113", "63001", a, b), DefaultParams.Minutes(HaversineKm(a, b)); got != want {
		t.Errorf("two communes: %v, want %v", got, want)
	}
}

// calibrationRow is one commune pair of testdata/calibration_06.csv.
type calibrationRow struct {
	code1, code2    string
	crowKm, roadMin float64
}

// readCalibration reads the table written by datasets/internal/traveltime
// and the parameters line of its header.
func readCalibration(t testing.TB) ([]calibrationRow, string) {
	t.Helper()
	f, err := os.Open("testdata/calibration_06.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []calibrationRow
	var params string
	sc := bufio.NewScanner(f)
	line := 0
	var col map[string]int
	for sc.Scan() {
		line++
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			if p, ok := strings.CutPrefix(text, "# params: "); ok {
				params = p
			}
			continue
		}
		fields := strings.Split(text, ",")
		if col == nil {
			col = map[string]int{}
			for i, h := range fields {
				col[h] = i
			}
			continue
		}
		crow, err1 := strconv.ParseFloat(fields[col["crow_km"]], 64)
		road, err2 := strconv.ParseFloat(fields[col["road_min"]], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("calibration_06.csv:%d: %v %v", line, err1, err2)
		}
		rows = append(rows, calibrationRow{fields[col["code1"]], fields[col["code2"]], crow, road})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, params
}

// modelError returns the MAE and bias (model − road) in minutes over trips
// of at most 25 road minutes with crow-fly length in [lo, hi).
func modelError(p Params, rows []calibrationRow, lo, hi float64) (n int, mae, bias float64) {
	for _, r := range rows {
		if r.roadMin > 25 || r.crowKm < lo || r.crowKm >= hi {
			continue
		}
		d := p.Minutes(r.crowKm) - r.roadMin
		n++
		mae += math.Abs(d)
		bias += d
	}
	if n > 0 {
		mae /= float64(n)
		bias /= float64(n)
	}
	return n, mae, bias
}

// TestModelError measures the travel-time model against the real road
// times of the Alpes-Maritimes (commune pairs, see
// datasets/internal/traveltime) for trips of at most 25 minutes, the error
// METHOD.md asks to publish. The thresholds sit just above the measured
// values (MAE 3.74, bias +1.30 for the fitted parameters; MAE 3.71, bias
// −1.84 for the national ones), so a change of
// model or data that makes the fit worse fails here.
//
// The bias is positive because trips are selected on their real time
// (≤ 25 minutes): pairs that happen to be quicker than their distance
// suggests are kept, slower ones dropped. The national parameters are
// faster by design (see NationalStartFactor), hence their negative bias on
// these mountain roads.
func TestModelError(t *testing.T) {
	rows, params := readCalibration(t)
	if len(rows) < 1000 {
		t.Fatalf("%d calibration rows, want the ~1,300 commune pairs", len(rows))
	}
	p := Calibrated06
	want := fmt.Sprintf("access=%v detour=%v start=%v cruise=%v ramp=%v", p.Access, p.Detour, p.Start, p.Cruise, p.Ramp)
	if params != want {
		t.Errorf("calibration_06.csv has %q, params_gen.go %q: regenerate both with go generate", params, want)
	}
	classes := []struct {
		name   string
		lo, hi float64
	}{{"all", 0, math.Inf(1)}, {"0-5 km", 0, 5}, {"5-10 km", 5, 10}, {"10-20 km", 10, 20}, {"20+ km", 20, math.Inf(1)}}
	for _, m := range []struct {
		name               string
		p                  Params
		maxMAE, maxAbsBias float64
	}{
		{"Calibrated06", Calibrated06, 3.80, 1.40},
		{"DefaultParams", DefaultParams, 3.80, 1.95},
	} {
		for _, c := range classes {
			n, mae, bias := modelError(m.p, rows, c.lo, c.hi)
			t.Logf("%-13s %-8s n=%4d MAE %.2f min, bias %+.2f min", m.name, c.name, n, mae, bias)
			if c.name != "all" {
				continue
			}
			if n < 800 {
				t.Errorf("%s: only %d trips of at most 25 minutes", m.name, n)
			}
			if mae > m.maxMAE || math.Abs(bias) > m.maxAbsBias {
				t.Errorf("%s: MAE %.2f (max %.2f), bias %+.2f (max ±%.2f)", m.name, mae, m.maxMAE, bias, m.maxAbsBias)
			}
		}
	}
}

// BenchmarkModelError reports the model error as benchmark metrics, so that
// `go test -bench ModelError` prints it next to the timings.
func BenchmarkModelError(b *testing.B) {
	rows, _ := readCalibration(b)
	var mae, bias float64
	for b.Loop() {
		_, mae, bias = modelError(Calibrated06, rows, 0, math.Inf(1))
	}
	b.ReportMetric(mae, "MAE-min")
	b.ReportMetric(bias, "bias-min")
}

// TestModelErrorByDistance pins the error of the national parameters over
// the Alpes-Maritimes road times by crow-fly distance class, trips of at
// most 25 minutes (the figures `datasets verify --travel-times` prints for
// the same pairs): a change of model or data shows here class by class.
func TestModelErrorByDistance(t *testing.T) {
	rows, _ := readCalibration(t)
	for _, c := range []struct {
		lo, hi    float64
		n         int
		mae, bias float64
	}{
		{0, 5, 222, 4.54, -2.41},
		{5, 10, 407, 3.90, -2.31},
		{10, 20, 236, 2.56, -0.73},
		{20, math.Inf(1), 8, 5.00, 5.00},
	} {
		n, mae, bias := modelError(DefaultParams, rows, c.lo, c.hi)
		if n != c.n || math.Abs(mae-c.mae) > 0.01 || math.Abs(bias-c.bias) > 0.01 {
			t.Errorf("%v–%v km: n=%d MAE %.2f bias %+.2f, want n=%d MAE %.2f bias %+.2f", c.lo, c.hi, n, mae, bias, c.n, c.mae, c.bias)
		}
	}
}

// TestMeasuredError: the error the reports state is the one the model has
// on the calibration file, to the hundredth of a minute.
func TestMeasuredError(t *testing.T) {
	rows, _ := readCalibration(t)
	n, mae, bias := modelError(DefaultParams, rows, 0, math.Inf(1))
	m := MeasuredError
	if n != m.Trips || math.Abs(mae-m.MAE) > 0.005 || math.Abs(bias-m.Bias) > 0.005 || m.MaxMinutes != 25 {
		t.Errorf("measured n=%d MAE %.3f bias %+.3f; MeasuredError says n=%d MAE %.2f bias %+.2f", n, mae, bias, m.Trips, m.MAE, m.Bias)
	}
}
