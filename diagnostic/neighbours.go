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
	for i := range s.Communes {
		o := &s.Communes[i]
		if o.Code == c.Code || !o.HasPoint() {
			continue
		}
		// A cheap box first: a degree of latitude is 111 km.
		if math.Abs(o.Lat-c.Lat) > 0.2 || math.Abs(o.Lon-c.Lon) > 0.3 {
			continue
		}
		if km := access.HaversineKm(access.Point{Lat: c.Lat, Lon: c.Lon}, access.Point{Lat: o.Lat, Lon: o.Lon}); km <= neighbourRadiusKm {
			out = append(out, cand{Neighbour{Code: o.Code, Name: o.Name, Dep: o.Dep, Lat: o.Lat, Lon: o.Lon}, km})
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
