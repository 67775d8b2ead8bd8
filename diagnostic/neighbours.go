package diagnostic

import (
	"math"
	"sort"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// A Neighbour is a commune around a one-commune territory, drawn on its
// maps for context (not counted in any figure).
type Neighbour struct {
	Code string  `json:"code"`
	Name string  `json:"name"`
	Dep  string  `json:"departement"`
	Lat  float64 `json:"lat"`
	Lon  float64 `json:"lon"`
}

// Around a single commune, the maps show the communes within
// neighbourRadiusKm of its point, the maxNeighbours nearest.
const (
	neighbourRadiusKm = 12
	maxNeighbours     = 16
)

// Neighbours returns the communes around the territory when it is a single
// commune (not an arrondissement, which is drawn with its city's outline),
// nearest first; nil otherwise. A map of one commune alone is a shape on a
// blank page: its neighbours, named, say where it is.
func Neighbours(s *snapshot.Snapshot, r *Report) []Neighbour {
	return neighboursIn(s, r, nil)
}

// communesByLat are the indexes of the communes with a point, by latitude:
// a batch by commune looks for the neighbours of each of its units, and
// the communes within 0.2° of latitude are about a twentieth of France.
func communesByLat(s *snapshot.Snapshot) []int32 {
	idx := make([]int32, 0, len(s.Communes))
	for i := range s.Communes {
		if s.Communes[i].HasPoint() {
			idx = append(idx, int32(i))
		}
	}
	sort.Slice(idx, func(a, b int) bool { return s.Communes[idx[a]].Lat < s.Communes[idx[b]].Lat })
	return idx
}

// neighbours is Neighbours for a report of e: from its second one-commune
// report on (a batch by commune), through the communes by latitude.
func (e *Engine) neighbours(r *Report) []Neighbour {
	if len(r.Communes) != 1 {
		return nil
	}
	if e.neighbourCalls.Add(1) == 1 { // one diagnose: a scan costs less than sorting
		return neighboursIn(e.Snap, r, nil)
	}
	e.latOnce.Do(func() { e.byLat = communesByLat(e.Snap) })
	return neighboursIn(e.Snap, r, e.byLat)
}

// neighboursIn is Neighbours; byLat, when not nil, is communesByLat(s).
func neighboursIn(s *snapshot.Snapshot, r *Report, byLat []int32) []Neighbour {
	if len(r.Communes) != 1 {
		return nil
	}
	c := s.Commune(r.Communes[0].Code)
	if c == nil || !c.HasPoint() {
		return nil
	}
	type cand struct {
		n  Neighbour
		km float64
	}
	var out []cand
	consider := func(o *snapshot.Commune) {
		if o.Code == c.Code || !o.HasPoint() {
			return
		}
		// A cheap box first: a degree of latitude is 111 km.
		if math.Abs(o.Lat-c.Lat) > 0.2 || math.Abs(o.Lon-c.Lon) > 0.3 {
			return
		}
		if km := access.HaversineKm(access.Point{Lat: c.Lat, Lon: c.Lon}, access.Point{Lat: o.Lat, Lon: o.Lon}); km <= neighbourRadiusKm {
			out = append(out, cand{Neighbour{Code: o.Code, Name: o.Name, Dep: o.Dep, Lat: o.Lat, Lon: o.Lon}, km})
		}
	}
	if byLat == nil {
		for i := range s.Communes {
			consider(&s.Communes[i])
		}
	} else {
		// The band of latitudes of the box, a little wider (the box's test
		// decides).
		lo := c.Lat - 0.2 - 1e-6
		from := sort.Search(len(byLat), func(k int) bool { return s.Communes[byLat[k]].Lat >= lo })
		for _, i := range byLat[from:] {
			o := &s.Communes[i]
			if o.Lat > c.Lat+0.2+1e-6 {
				break
			}
			consider(o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].km != out[j].km {
			return out[i].km < out[j].km
		}
		return out[i].n.Code < out[j].n.Code
	})
	var res []Neighbour
	for i := 0; i < len(out) && i < maxNeighbours; i++ {
		res = append(res, out[i].n)
	}
	return res
}
