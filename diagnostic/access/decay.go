package access

import (
	"errors"
	"fmt"
	"math"
)

// A Band is one step of a distance-decay profile: trips of at least the
// previous band's Below and under this Below minutes weigh Weight.
type Band struct {
	Below  float64 // minutes, exclusive upper bound
	Weight float64
}

// A Decay is a stepwise distance-decay profile: bands in increasing order
// of Below; a trip at or beyond the last Below weighs 0.
type Decay []Band

// DREESDecay returns the profile of the DREES APL 2022–2023 (sheet
// Paramètres of the workbook): under 10 minutes 1, 10 to 15 minutes 2/3,
// 15 to 20 minutes 1/3, beyond 20 minutes 0.
//
// The workbook does not say on which side a trip of exactly 10, 15 or 20
// minutes falls. The bands are taken half-open, [0,10) [10,15) [15,20)
// [20,∞): "moins de 10 minutes" excludes 10, each band then starts where
// the previous one stops, so the bands partition the time axis with no
// case decided twice, and 20 minutes weighs 0. With modelled real-valued
// minutes the choice never matters; with a user's whole-minute matrix it
// moves trips of exactly 10, 15 or 20 minutes down one band.
func DREESDecay() Decay {
	return Decay{{Below: 10, Weight: 1}, {Below: 15, Weight: 2.0 / 3}, {Below: 20, Weight: 1.0 / 3}}
}

// Weight returns the weight of a trip of the given minutes (0 for +Inf).
func (d Decay) Weight(minutes float64) float64 {
	for _, b := range d {
		if minutes < b.Below {
			return b.Weight
		}
	}
	return 0
}

// Limit returns the minutes from which every trip weighs 0.
func (d Decay) Limit() float64 {
	if len(d) == 0 {
		return 0
	}
	return d[len(d)-1].Below
}

// Check reports an unusable profile: bands out of order, negative or
// non-finite bounds and weights, or an unbounded last band (the engine
// needs a finite reach).
func (d Decay) Check() error {
	if len(d) == 0 {
		return errors.New("decay profile has no band")
	}
	prev := 0.0
	for i, b := range d {
		if math.IsNaN(b.Below) || math.IsInf(b.Below, 0) || b.Below <= prev {
			return fmt.Errorf("decay band %d: bound %v must be finite and above %v", i+1, b.Below, prev)
		}
		if math.IsNaN(b.Weight) || math.IsInf(b.Weight, 0) || b.Weight < 0 {
			return fmt.Errorf("decay band %d: weight %v must be finite and not negative", i+1, b.Weight)
		}
		prev = b.Below
	}
	return nil
}
