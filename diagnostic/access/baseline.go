package access

import (
	"fmt"
	"math"
	"slices"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// A Baseline is the recomputed APL of the baseline supply, kept so that a
// scenario runs against it without computing it again: the E2SFCA over
// France is most of the time of `simulate` and `datasets verify --apl`.
// Its Scenario is not safe for concurrent use.
type Baseline struct {
	// Activity is the yearly activity per GP the values count:
	// Options.Activity, or when that is 0 the calibrated one (see there).
	Activity float64
	// Values are those of [RecomputeAPL] without AddGP.
	Values map[string]float64

	s    *snapshot.Snapshot
	u    *units
	opts Options
	run  *unitRun
}

// NewBaseline computes the recomputed APL of the baseline supply once, as
// [RecomputeAPL] without Options.AddGP (which it ignores) does, and the
// activity [CalibratedActivity] gives when Options.Activity is 0.
func NewBaseline(s *snapshot.Snapshot, opts Options) (*Baseline, error) {
	opts.AddGP = nil
	if opts.Activity < 0 || !finite(opts.Activity) {
		return nil, fmt.Errorf("recompute APL: activity %v must be positive", opts.Activity)
	}
	u, err := buildUnits(s, opts)
	if err != nil {
		return nil, err
	}
	base, err := u.runPairs(opts, nil)
	if err != nil {
		return nil, err
	}
	b := &Baseline{Activity: opts.Activity, s: s, u: u, opts: opts, run: base}
	if b.Activity == 0 {
		b.Activity = u.defaultActivity(base.Result)
	}
	b.Values = u.values(s, base.Access, b.Activity)
	return b, nil
}

// Scenario returns the recomputed APL with GPs added (negative: removed)
// as Options.AddGP says, counted with the baseline's activity: what
// [RecomputeAPL] gives with that AddGP and Activity, bit for bit.
//
// Only the catchments the scenario touches are computed again: the ratio
// of each supply place whose GPs change (step 1, over the demand places
// within its reach), then the index of the demand places within reach of
// those (step 2, over all their pairs). Every other ratio and index keeps
// its baseline value, which a full recomputation would find again: same
// pairs, same sums in the same order.
func (b *Baseline) Scenario(add map[string]float64) (map[string]float64, error) {
	gps, err := b.u.delta(b.s, add)
	if err != nil {
		return nil, err
	}
	access, err := b.run.update(b.u.gps, gps)
	if err != nil {
		return nil, err
	}
	return b.u.values(b.s, access, b.Activity), nil
}

// update returns the index (activity 1) with gps GPs per unit instead of
// base, the GPs r was computed with.
func (r *unitRun) update(base, gps []float64) ([]float64, error) {
	// The changed units, in increasing order, as supply places: a unit
	// losing all its GPs is one too (value 0), so that its pairs are found.
	var changed []int32
	var supply []Supply
	isChanged := make([]bool, len(gps))
	for u, g := range gps {
		if g != base[u] {
			d := &r.demand[u]
			changed = append(changed, int32(u))
			supply = append(supply, Supply{ID: d.ID, Point: d.Point, Value: g})
			isChanged[u] = true
		}
	}
	access := slices.Clone(r.Access)
	if len(changed) == 0 {
		return access, nil
	}
	cr, cp, err := r.e.compute(supply, r.demand)
	if err != nil {
		return nil, fmt.Errorf("recompute APL: %w", err)
	}
	// Step 1 for the changed units is cr.Ratio: the same pairs as in a
	// full computation, summed in the same order. Step 2 for the demand
	// places they reach: merge each one's baseline pairs with its pairs
	// to changed units, by increasing unit (the order of supply places in
	// a full computation), the changed units' pairs replacing the
	// baseline's and those left with no GP dropped.
	var affected []int
	for i := range r.demand {
		if js, _ := cp.row(i); len(js) > 0 {
			affected = append(affected, i)
		}
	}
	parallelBlocks(r.e.workers(), len(affected), func(lo, hi int) {
		for _, i := range affected[lo:hi] {
			bj, bb := r.pairs.row(i)
			cj, cb := cp.row(i)
			var a float64
			k, m := 0, 0
			for k < len(bj) || m < len(cj) {
				bu := int32(math.MaxInt32)
				if k < len(bj) {
					bu = r.supply[bj[k]]
				}
				if m < len(cj) && changed[cj[m]] <= bu {
					if c := cj[m]; supply[c].Value > 0 {
						a += cp.wt[cb[m]] * cr.Ratio[c]
					}
					if changed[cj[m]] == bu {
						k++
					}
					m++
					continue
				}
				if !isChanged[bu] {
					a += r.pairs.wt[bb[k]] * r.Ratio[bj[k]]
				}
				k++
			}
			access[i] = a
		}
	})
	return access, nil
}
