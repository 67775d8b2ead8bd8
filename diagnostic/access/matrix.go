package access

import (
	"slices"

	"github.com/diagsante/diagsante/datasets/traveltimes"
)

// A Matrix is a user's table of road times between places, as read by
// [traveltimes.Read] (datasets/traveltimes) and built by [NewMatrix]. It is read-only once built and safe for concurrent
// use; wrap it in an [Override] to use it as a [Times].
type Matrix struct {
	minutes map[[2]string]float64
	// listed gives, for each identifier, the identifiers it is listed with
	// in either direction, sorted: the E2SFCA engine adds those pairs to
	// the ones its spatial index finds.
	listed map[string][]string
	pairs  []Pair
}

// A Pair is one row of a [Matrix]: from, to, minutes and the line of
// the file it was read from.
type Pair = traveltimes.Pair

// Lookup returns the minutes from one place to another: the pair as
// listed, else the reverse pair (see [Override] for why), and false when
// neither is listed.
func (m *Matrix) Lookup(from, to string) (float64, bool) {
	if m == nil {
		return 0, false
	}
	if v, ok := m.minutes[[2]string{from, to}]; ok {
		return v, true
	}
	v, ok := m.minutes[[2]string{to, from}]
	return v, ok
}

// Len returns the number of pairs listed.
func (m *Matrix) Len() int { return len(m.pairs) }

// Pairs returns the pairs in file order.
func (m *Matrix) Pairs() []Pair { return slices.Clone(m.pairs) }

// NewMatrix builds the Matrix of pairs read by [traveltimes.Read], which
// lists each pair once.
func NewMatrix(pairs []Pair) *Matrix {
	m := &Matrix{minutes: make(map[[2]string]float64, len(pairs)), listed: map[string][]string{}, pairs: slices.Clone(pairs)}
	for _, p := range pairs {
		m.minutes[[2]string{p.From, p.To}] = p.Minutes
		m.listed[p.From] = append(m.listed[p.From], p.To)
		if p.To != p.From {
			m.listed[p.To] = append(m.listed[p.To], p.From)
		}
	}
	for id, l := range m.listed {
		slices.Sort(l)
		m.listed[id] = slices.Compact(l)
	}
	return m
}

// Listed returns the identifiers listed with id, in either direction,
// sorted.
func (m *Matrix) Listed(id string) []string {
	if m == nil {
		return nil
	}
	return m.listed[id]
}
