package access

import (
	"fmt"

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
	base, err := u.run(opts, nil)
	if err != nil {
		return nil, err
	}
	b := &Baseline{Activity: opts.Activity, s: s, u: u, opts: opts}
	if b.Activity == 0 {
		b.Activity = u.defaultActivity(base)
	}
	b.Values = u.values(s, base.Access, b.Activity)
	return b, nil
}

// Scenario returns the recomputed APL with GPs added (negative: removed)
// as Options.AddGP says, counted with the baseline's activity: what
// [RecomputeAPL] gives with that AddGP and Activity.
func (b *Baseline) Scenario(add map[string]float64) (map[string]float64, error) {
	delta, err := b.u.delta(b.s, add)
	if err != nil {
		return nil, err
	}
	res, err := b.u.run(b.opts, delta)
	if err != nil {
		return nil, err
	}
	return b.u.values(b.s, res.Access, b.Activity), nil
}
