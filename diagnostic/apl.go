package diagnostic

import (
	"sort"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// An OfficialAPL is the DREES APL of a current commune for one vintage.
type OfficialAPL struct {
	Value           float64 // consultations per standardised inhabitant per year
	PopTotal        float64 // population the APL was computed on
	PopStandardised float64
	// Parts is the number of APL rows aggregated: more than one for Paris,
	// Lyon and Marseille (arrondissements) and for communes merged after the
	// APL vintage (their former communes).
	Parts int
}

// APLIndex gives the official APL of current communes. The DREES publishes
// APL in the geography of its vintage, by arrondissement for Paris, Lyon and
// Marseille: a current commune's value is the mean of the rows that map onto
// it, weighted by the total population of each row (the population the DREES
// used), which is how the DREES itself aggregates APL to larger zones.
type APLIndex struct {
	byVintage map[int]map[string]OfficialAPL
}

// NewAPLIndex maps every APL row of the snapshot onto current communes.
func NewAPLIndex(s *snapshot.Snapshot) *APLIndex {
	idx := &APLIndex{byVintage: map[int]map[string]OfficialAPL{}}
	arr := map[string]string{}
	for _, a := range s.Arrondissements {
		arr[a.Code] = a.Commune
	}
	type acc struct {
		wsum, pop, std, first float64
		n                     int
	}
	sums := map[int]map[string]*acc{}
	for _, r := range s.APL {
		cur := r.Code
		if s.Commune(cur) == nil {
			if o := s.OldCode(cur); o != nil {
				cur = o.Current
			} else if c, ok := arr[cur]; ok {
				cur = c
			} else {
				continue
			}
		}
		if sums[r.Vintage] == nil {
			sums[r.Vintage] = map[string]*acc{}
		}
		a := sums[r.Vintage][cur]
		if a == nil {
			a = &acc{}
			sums[r.Vintage][cur] = a
		}
		if a.n == 0 {
			a.first = r.Value
		}
		a.wsum += r.Value * r.PopTotal
		a.pop += r.PopTotal
		a.std += r.PopStandardised
		a.n++
	}
	for v, m := range sums {
		out := make(map[string]OfficialAPL, len(m))
		for code, a := range m {
			if a.pop <= 0 {
				continue
			}
			v := a.wsum / a.pop
			if a.n == 1 {
				v = a.first // exactly the published value, not value×pop/pop
			}
			out[code] = OfficialAPL{Value: v, PopTotal: a.pop, PopStandardised: a.std, Parts: a.n}
		}
		idx.byVintage[v] = out
	}
	return idx
}

// Get returns the official APL of a current commune for a vintage.
func (x *APLIndex) Get(code string, vintage int) (OfficialAPL, bool) {
	a, ok := x.byVintage[vintage][code]
	return a, ok
}

// Vintages lists the vintages held, latest last.
func (x *APLIndex) Vintages() []int {
	var v []int
	for y := range x.byVintage {
		v = append(v, y)
	}
	sort.Ints(v)
	return v
}
