package access

import (
	"math"
	"testing"
)

// TestDecayCheck: bounds strictly increasing from above 0, finite; weights
// finite and not negative. The DREES profile passes.
func TestDecayCheck(t *testing.T) {
	ok := Decay{{Below: 10, Weight: 1}, {Below: 15, Weight: 2.0 / 3}, {Below: 20, Weight: 1.0 / 3}}
	if err := ok.Check(); err != nil {
		t.Errorf("DREES profile refused: %v", err)
	}
	for name, d := range map[string]Decay{
		"empty":           {},
		"equal bounds":    {{Below: 10, Weight: 1}, {Below: 10, Weight: 0.5}},
		"zero bound":      {{Below: 0, Weight: 1}},
		"negative bound":  {{Below: -5, Weight: 1}},
		"decreasing":      {{Below: 15, Weight: 1}, {Below: 10, Weight: 0.5}},
		"infinite bound":  {{Below: math.Inf(1), Weight: 1}},
		"NaN bound":       {{Below: math.NaN(), Weight: 1}},
		"negative weight": {{Below: 10, Weight: -0.1}},
		"NaN weight":      {{Below: 10, Weight: math.NaN()}},
		"infinite weight": {{Below: 10, Weight: math.Inf(1)}},
	} {
		if err := d.Check(); err == nil {
			t.Errorf("%s: accepted %+v", name, d)
		}
	}
	if err := (Decay{{Below: 10, Weight: 0}}).Check(); err != nil {
		t.Errorf("a zero weight is allowed: %v", err)
	}
}
