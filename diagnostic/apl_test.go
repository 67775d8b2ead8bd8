package diagnostic

import (
	"math"
	"testing"
)

// TestClassIndexOwnValue: an APL is classified with its own value, as
// published (METHOD.md): 2,501 is above 2,5 even though two decimals
// would show it "2,50"; and Decimals gives it the fewest decimals, from
// two, with which the value shown has the value's class: every value from
// 0 to 6 by steps of 0.0001, the published three-decimal values around
// the thresholds, and values at the float's own resolution around them.
func TestClassIndexOwnValue(t *testing.T) {
	th := DefaultThresholds
	class := func(v float64) int {
		switch {
		case v <= 2.5:
			return 0
		case v <= 4:
			return 1
		}
		return 2
	}
	check := func(v float64) {
		if got, want := th.classIndex(v), class(v); got != want {
			t.Fatalf("classIndex(%v) = %d, want %d", v, got, want)
		}
		d := th.Decimals(v)
		if d < APLDecimals || d > maxAPLDecimals {
			t.Fatalf("Decimals(%v) = %d", v, d)
		}
		if shown := Round(v, d); class(shown) != class(v) && d < maxAPLDecimals {
			t.Fatalf("%v shown %s (Decimals %d) is in another class", v, FormatNum(v, d), d)
		}
		if d > APLDecimals && class(Round(v, d-1)) == class(v) {
			t.Fatalf("Decimals(%v) = %d: %d decimals already show its class", v, d, d-1)
		}
	}
	for i := 0; i <= 60000; i++ {
		check(float64(i) / 10000)
	}
	for _, at := range []float64{th.Low, th.Middle} {
		for i := -20; i <= 20; i++ {
			check(at + float64(i)/1000)
		}
		for _, d := range []float64{0, 0.005, 0.0049999999, 0.0050000001, 0.0099999, 0.01, 0.0100001, 0.011, 0.0004, 0.00004} {
			check(at + d)
			check(at - d)
			check(math.Nextafter(at+d, 10))
			check(math.Nextafter(at-d, -10))
		}
	}
	for _, v := range []float64{math.Inf(1), math.Inf(-1), -1, 1e9} {
		if got, want := th.classIndex(v), class(v); got != want {
			t.Errorf("classIndex(%v) = %d, want %d", v, got, want)
		}
		if d := th.Decimals(v); d != APLDecimals {
			t.Errorf("Decimals(%v) = %d", v, d)
		}
	}
	if d := th.Decimals(math.NaN()); d != APLDecimals {
		t.Errorf("Decimals(NaN) = %d", d)
	}
	// Digne-les-Bains (04070) is published at 2,501 for 2023: above 2,5,
	// shown "2,501"; Round(2.503) is 2,50 but 2,503 is not at the threshold.
	for v, want := range map[float64]string{2.501: "2,501", 2.5: "2,50", 2.503: "2,503", 2.505: "2,51", 2.4996: "2,50",
		4.0004: "4,0004", 3.9996: "4,00", 4.004: "4,004", 4.005: "4,01", 4.001: "4,001", 2.94: "2,94"} {
		if got := th.Show(v); got != want {
			t.Errorf("Show(%v) = %q, want %q", v, got, want)
		}
	}
	if th.classIndex(2.501) != 1 || th.classIndex(2.5) != 0 || th.classIndex(4.001) != 2 || th.classIndex(4) != 1 {
		t.Errorf("classes at the thresholds: 2.501→%d 2.5→%d 4.001→%d 4→%d, want 1 0 2 1",
			th.classIndex(2.501), th.classIndex(2.5), th.classIndex(4.001), th.classIndex(4))
	}
	if th.DecimalsOf(nil) != APLDecimals || th.DecimalsOf(ptr(2.501)) != 3 {
		t.Errorf("DecimalsOf: nil %d, 2.501 %d", th.DecimalsOf(nil), th.DecimalsOf(ptr(2.501)))
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
