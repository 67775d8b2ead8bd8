package access

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// A Supply is a place offering care: a commune's doctors, a facility.
// Value is the supply it offers (yearly consultations, a headcount…).
type Supply struct {
	ID    string
	Point Point
	Value float64
}

// A Demand is a place whose residents need care. Weight is their number,
// usually standardised for age as the DREES does.
type Demand struct {
	ID     string
	Point  Point
	Weight float64
}

// An E2SFCA computes an enhanced two-step floating catchment area index
// (Luo and Qi 2009), the method of the DREES APL:
//
//	Step 1: R_j = S_j / Σ_i f(d_ij)·P_i   (supply per weighted resident around j)
//	Step 2: A_i = Σ_j f(d_ij)·R_j          (what residents of i can reach)
//
// with d_ij from Times and f from Decay. The zero value is not usable: set
// Times; Decay defaults to [DREESDecay] and Workers to GOMAXPROCS.
type E2SFCA struct {
	Times   Times
	Decay   Decay
	Workers int
}

// A Result holds an E2SFCA computation, in the order of the inputs.
type Result struct {
	// Access is A_i for each demand place, in supply units per unit of
	// demand weight.
	Access []float64
	// Ratio is R_j for each supply place, 0 when no demand reaches it.
	Ratio []float64
	// Reached tells whether some demand with positive weight reaches the
	// supply place. Unreached supply is lost to the index: the
	// conservation identity Σ_i P_i·A_i = Σ_j S_j holds over reached j.
	Reached []bool
	// Pairs is the number of (demand, supply) pairs with a positive
	// weight.
	Pairs int
}

// Compute runs both steps. It only looks at pairs that can have a
// positive weight: for a [Model], those within the crow-fly reach of the
// last decay band (found through a grid of cells), plus the pairs sharing
// an identifier; for another Times, within reach when it is a [Reacher]
// (through an R-tree), plus the pairs sharing an identifier and those a
// [PairLister] lists, otherwise all pairs. Sums run in a fixed order
// (step 1 by increasing demand index, step 2 by increasing supply index),
// so results do not depend on Workers.
func (e *E2SFCA) Compute(supply []Supply, demand []Demand) (*Result, error) {
	res, _, err := e.compute(supply, demand)
	return res, err
}

// compute is Compute, also returning the pairs.
func (e *E2SFCA) compute(supply []Supply, demand []Demand) (*Result, *pairs, error) {
	decay, err := e.check(supply, demand)
	if err != nil {
		return nil, nil, err
	}
	p := e.findPairs(supply, demand, decay)
	res := &Result{
		Access:  make([]float64, len(demand)),
		Ratio:   make([]float64, len(supply)),
		Reached: make([]bool, len(supply)),
		Pairs:   p.n,
	}
	// Step 1: the pairs are in demand order, so each denominator is summed
	// by increasing demand index. One pass over them, scattering into the
	// denominators, costs less than transposing them for a parallel sum.
	den := make([]float64, len(supply))
	for i := range demand {
		js, bs := p.row(i)
		pi := demand[i].Weight
		for k, j := range js {
			den[j] += p.wt[bs[k]] * pi
		}
	}
	for j, d := range den {
		if d > 0 {
			res.Ratio[j] = supply[j].Value / d
			res.Reached[j] = true
		}
	}
	// Step 2: each place sums its own pairs, by increasing supply index.
	e.parallel(len(demand), func(i int) {
		js, bs := p.row(i)
		var a float64
		for k, j := range js {
			a += p.wt[bs[k]] * res.Ratio[j]
		}
		res.Access[i] = a
	})
	return res, p, nil
}

// check validates the inputs and returns the decay profile to use.
func (e *E2SFCA) check(supply []Supply, demand []Demand) (Decay, error) {
	if e.Times == nil {
		return nil, errors.New("e2sfca: no travel times")
	}
	decay := e.Decay
	if decay == nil {
		decay = DREESDecay()
	}
	if err := decay.Check(); err != nil {
		return nil, fmt.Errorf("e2sfca: %w", err)
	}
	if len(decay) > maxBands {
		return nil, fmt.Errorf("e2sfca: %d decay bands, at most %d", len(decay), maxBands)
	}
	for j, s := range supply {
		if !finite(s.Value) || s.Value < 0 || !validPoint(s.Point) {
			return nil, fmt.Errorf("e2sfca: supply %d (%s): value %v at %v: want a finite value ≥ 0 and a valid point", j, s.ID, s.Value, s.Point)
		}
	}
	for i, d := range demand {
		if !finite(d.Weight) || d.Weight < 0 || !validPoint(d.Point) {
			return nil, fmt.Errorf("e2sfca: demand %d (%s): weight %v at %v: want a finite weight ≥ 0 and a valid point", i, d.ID, d.Weight, d.Point)
		}
	}
	return decay, nil
}

func (e *E2SFCA) workers() int {
	if e.Workers > 0 {
		return e.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// parallel calls fn(i) for i in [0, n) over the workers.
func (e *E2SFCA) parallel(n int, fn func(i int)) {
	e.parallelBlocks(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// parallelBlocks hands out [lo, hi) blocks of [0, n) to the workers. Blocks
// are small and taken on demand because the work per place varies a lot
// (a city sees hundreds of places within reach, a mountain village few).
func (e *E2SFCA) parallelBlocks(n int, fn func(lo, hi int)) {
	parallelBlocks(e.workers(), n, fn)
}

func parallelBlocks(workers, n int, fn func(lo, hi int)) {
	const block = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, (n+block-1)/block) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(block)) - block
				if lo >= n {
					return
				}
				fn(lo, min(lo+block, n))
			}
		}()
	}
	wg.Wait()
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func validPoint(p Point) bool {
	return finite(p.Lat) && finite(p.Lon) && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}
