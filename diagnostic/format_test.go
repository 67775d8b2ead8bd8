package diagnostic

import (
	"math"
	"testing"
)

// TestFormat: the one French formatter of every figure a report prints.
func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{29583, 0, "29\u00a0583"},
		{123456, 0, "123\u00a0456"}, // no separator before the first group
		{1234567.891, 2, "1\u00a0234\u00a0567,89"},
		{2.6666, 2, "2,67"},
		{-1.5, 1, "−1,5"},
		{-0.04, 1, "0,0"}, // no "−0,0"
		{0, 0, "0"},
		{math.NaN(), 1, NA},
		{math.Inf(1), 1, NA},
		{math.Inf(-1), 0, NA},
	} {
		if got := FormatNum(tc.v, tc.prec); got != tc.want {
			t.Errorf("FormatNum(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
	if got := FormatPct(0.352, 1); got != "35,2\u00a0%" {
		t.Errorf("FormatPct = %q", got)
	}
	if got := FormatPct(math.Inf(1), 1); got != NA {
		t.Errorf("FormatPct(+Inf) = %q", got)
	}
	if got := FormatInt(68350798); got != "68\u00a0350\u00a0798" {
		t.Errorf("FormatInt = %q", got)
	}
}
