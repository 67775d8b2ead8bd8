package access

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
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

// link is a (demand, supply) pair with a positive decay weight.
type link struct {
	j int32
	w float64
}

// Compute runs both steps. It only looks at pairs that can have a
// positive weight: within the crow-fly reach of the last decay band when
// Times is a [Reacher] (found through an R-tree), plus the pairs sharing
// an identifier and those a [PairLister] lists; otherwise at all pairs.
// Sums run in a fixed order, so results do not depend on Workers.
func (e *E2SFCA) Compute(supply []Supply, demand []Demand) (*Result, error) {
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
	links := e.links(supply, demand, decay)

	res := &Result{
		Access:  make([]float64, len(demand)),
		Ratio:   make([]float64, len(supply)),
		Reached: make([]bool, len(supply)),
	}
	// Transpose the per-demand lists into per-supply lists (counting sort,
	// demand order kept) so that step 1 sums each R_j's denominator in a
	// fixed order and in parallel without shared accumulators.
	start := make([]int, len(supply)+1)
	for _, l := range links {
		res.Pairs += len(l)
		for _, k := range l {
			start[k.j+1]++
		}
	}
	for j := range supply {
		start[j+1] += start[j]
	}
	type back struct {
		i int32
		w float64
	}
	rev := make([]back, start[len(supply)])
	fill := slices.Clone(start[:len(supply)])
	for i, l := range links {
		for _, k := range l {
			rev[fill[k.j]] = back{int32(i), k.w}
			fill[k.j]++
		}
	}
	e.parallel(len(supply), func(j int) {
		var den float64
		for _, b := range rev[start[j]:start[j+1]] {
			den += b.w * demand[b.i].Weight
		}
		if den > 0 {
			res.Ratio[j] = supply[j].Value / den
			res.Reached[j] = true
		}
	})
	e.parallel(len(demand), func(i int) {
		var a float64
		for _, k := range links[i] {
			a += k.w * res.Ratio[k.j]
		}
		res.Access[i] = a
	})
	return res, nil
}

// links returns, for each demand place, its supply places with a positive
// weight, sorted by supply index.
func (e *E2SFCA) links(supply []Supply, demand []Demand, decay Decay) [][]link {
	reach := math.Inf(1)
	if r, ok := e.Times.(Reacher); ok {
		// A small margin keeps pairs at the bisection's precision limit.
		reach = r.ReachKm(decay.Limit())*(1+1e-9) + 1e-6
	}
	lister, _ := e.Times.(PairLister)
	byID := map[string][]int32{}
	for j, s := range supply {
		byID[s.ID] = append(byID[s.ID], int32(j))
	}
	pts := make([]Point, len(supply))
	for j, s := range supply {
		pts[j] = s.Point
	}
	var ix *pointIndex
	if !math.IsInf(reach, 1) {
		ix = newPointIndex(pts)
	}
	out := make([][]link, len(demand))
	var pool sync.Pool
	e.parallelBlocks(len(demand), func(lo, hi int) {
		// seen de-duplicates candidates found several ways (index, same
		// identifier, listed pair) without a map per demand place.
		sp, _ := pool.Get().(*[]int32)
		if sp == nil {
			s := make([]int32, len(supply))
			for j := range s {
				s[j] = -1
			}
			sp = &s
		}
		defer pool.Put(sp)
		seen := *sp
		for i := lo; i < hi; i++ {
			d := demand[i]
			var l []link
			try := func(j int32) {
				if seen[j] == int32(i) {
					return
				}
				seen[j] = int32(i)
				s := supply[j]
				if w := decay.Weight(e.Times.Minutes(d.ID, s.ID, d.Point, s.Point)); w > 0 {
					l = append(l, link{j, w})
				}
			}
			if ix != nil {
				ix.within(d.Point, reach, func(j int32, _ float64) { try(j) })
			} else {
				for j := range supply {
					try(int32(j))
				}
			}
			for _, j := range byID[d.ID] {
				try(j)
			}
			if lister != nil {
				for _, id := range lister.Listed(d.ID) {
					for _, j := range byID[id] {
						try(j)
					}
				}
			}
			slices.SortFunc(l, func(a, b link) int { return cmp.Compare(a.j, b.j) })
			out[i] = l
		}
	})
	return out
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
	if workers <= 1 || n <= block {
		if n > 0 {
			fn(0, n)
		}
		return
	}
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
