package access

import "math"

// Times gives the road time in minutes between two places. from and to are
// identifiers (INSEE commune or arrondissement codes for communes; for a
// facility, the code of the commune it stands in) and fromPt, toPt their
// points. Implementations return +Inf for a trip they know to be
// impossible, never NaN or a negative value.
//
// Two places with the same non-empty identifier are the same zone and are
// 0 minutes apart: that is the DREES convention for APL (d_ii = 0, a
// commune's residents reach its own doctors) and the INSEE one for the time
// to the nearest equipment (an equipment in one's own commune is at 0).
type Times interface {
	Minutes(from, to string, fromPt, toPt Point) float64
}

// A Reacher is a Times that can bound crow-fly distance: every trip longer
// than ReachKm(minutes) as the crow flies takes at least minutes, except
// for pairs the Times lists explicitly (see [PairLister]). The E2SFCA
// engine uses it to look only at pairs within reach through a spatial
// index; a Times that is not a Reacher forces it to look at all pairs.
type Reacher interface {
	ReachKm(minutes float64) float64
}

// A PairLister is a Times holding explicit pairs (a user's matrix) that may
// be faster than the crow-fly bound suggests: Listed returns the
// identifiers listed with id, in either direction.
type PairLister interface {
	Listed(id string) []string
}

// A Model is the crow-fly travel-time model as a [Times]: it ignores the
// identifiers except to put two places with the same identifier at 0
// minutes.
//
// The E2SFCA engine relies on that, and on minutes growing strictly with
// distance (see [Params]): for a Model it classifies pairs into decay
// bands by comparing distances with each band's reach, asking Minutes
// only near a band's limit or between places sharing an identifier. A
// model whose minutes depend on anything else must not be a *Model (the
// engine then asks Minutes for every candidate pair).
type Model struct {
	Params Params
}

// NewModel returns the model with the given parameters.
func NewModel(p Params) *Model { return &Model{Params: p} }

// DefaultModel returns the model with the parameters diagsante uses unless
// told otherwise, [DefaultParams].
func DefaultModel() *Model { return NewModel(DefaultParams) }

// Minutes implements [Times].
func (m *Model) Minutes(from, to string, fromPt, toPt Point) float64 {
	return m.minutesKm(from, to, HaversineKm(fromPt, toPt))
}

func (m *Model) minutesKm(from, to string, km float64) float64 {
	if from != "" && from == to {
		return 0
	}
	return m.Params.Minutes(km)
}

// ReachKm implements [Reacher].
func (m *Model) ReachKm(minutes float64) float64 { return m.Params.ReachKm(minutes) }

// An Override consults a user's matrix of travel times first and falls back
// on another Times for the pairs the matrix does not list.
//
// A pair (a, b) absent from the matrix takes the time of (b, a) when that
// one is listed: road times are nearly symmetric (over the Alpes-Maritimes
// road matrix the two directions differ by 0.8 minute on average), and
// routers are often run one way only to halve the work. A pair listed in
// both directions keeps each direction's own time. Pairs listed in neither
// direction go to Fallback; with a nil Fallback they are unreachable (+Inf)
// except a place to itself (0 minutes), which suits a matrix that lists
// every pair below some limit.
type Override struct {
	Matrix   *Matrix
	Fallback Times
}

// Minutes implements [Times].
func (o *Override) Minutes(from, to string, fromPt, toPt Point) float64 {
	if v, ok := o.Matrix.Lookup(from, to); ok {
		return v
	}
	if o.Fallback != nil {
		return o.Fallback.Minutes(from, to, fromPt, toPt)
	}
	if from != "" && from == to {
		return 0
	}
	return math.Inf(1)
}

// ReachKm implements [Reacher] for the pairs the matrix does not list: it
// is the fallback's reach, 0 without a fallback, and +Inf when the
// fallback cannot bound distances.
func (o *Override) ReachKm(minutes float64) float64 {
	if o.Fallback == nil {
		return 0
	}
	if r, ok := o.Fallback.(Reacher); ok {
		return r.ReachKm(minutes)
	}
	return math.Inf(1)
}

// Listed implements [PairLister].
func (o *Override) Listed(id string) []string { return o.Matrix.Listed(id) }
