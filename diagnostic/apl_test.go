package diagnostic

import (
	"math"
	"testing"
)

// TestClassIndexAsDisplayed: the class of an APL is that of its value
// rounded as displayed (2.503 shows 2,50 and is low), whether or not the
// fast path (a value more than 0.01 from both thresholds) skips the
// decimal rounding: every value from 0 to 6 by steps of 0.0001, and the
// values around each threshold at the float's own resolution.
func TestClassIndexAsDisplayed(t *testing.T) {
	th := DefaultThresholds
	exact := func(v float64) int {
		r := Round(v, APLDecimals)
		switch {
		case r <= th.Low:
			return 0
		case r <= th.Middle:
			return 1
		}
		return 2
	}
	check := func(v float64) {
		if got, want := th.classIndex(v), exact(v); got != want {
			t.Fatalf("classIndex(%v) = %d, want %d (the class of %v)", v, got, want, Round(v, APLDecimals))
		}
	}
	for i := 0; i <= 60000; i++ {
		check(float64(i) / 10000)
	}
	for _, at := range []float64{th.Low, th.Middle} {
		for _, d := range []float64{0.005, 0.0049999999, 0.0050000001, 0.0099999, 0.01, 0.0100001, 0.011} {
			check(at + d)
			check(at - d)
			check(math.Nextafter(at+d, 10))
			check(math.Nextafter(at-d, -10))
		}
	}
	for _, v := range []float64{math.Inf(1), math.Inf(-1), -1, 1e9} {
		check(v)
	}
	if th.classIndex(2.503) != 0 || th.classIndex(2.505) != 1 || th.classIndex(4.004) != 1 || th.classIndex(4.006) != 2 {
		t.Errorf("classes at the thresholds: 2.503→%d 2.505→%d 4.004→%d 4.006→%d, want 0 1 1 2",
			th.classIndex(2.503), th.classIndex(2.505), th.classIndex(4.004), th.classIndex(4.006))
	}
}

// BenchmarkNewAPLIndex indexes the APL rows of France (two vintages) onto
// places, as every command that shows an APL does at start-up.
func BenchmarkNewAPLIndex(b *testing.B) {
	s := realEngine(b).Snap
	b.ReportAllocs()
	for b.Loop() {
		NewAPLIndex(s)
	}
}
