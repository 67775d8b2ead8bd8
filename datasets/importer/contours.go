package importer

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// A ContourIndex holds the commune contours of a snapshot (the simplified
// COG 2018 geometries, merged onto today's communes) with an R-tree on
// their bounding boxes, to place points in communes and measure how far a
// point lies outside its commune.
type ContourIndex struct {
	geom map[string]orb.MultiPolygon
	tree rtree.RTreeG[string]
}

// LoadContours reads the contours of every département of a snapshot.
// Arrondissements municipaux (also in the files, for maps) are left out:
// their commune has the union of their polygons.
func LoadContours(s *snapshot.Snapshot) (*ContourIndex, error) {
	ci := &ContourIndex{geom: map[string]orb.MultiPolygon{}}
	for _, d := range s.Departements {
		g, err := s.Contours(d.Code)
		if err != nil {
			return nil, err
		}
		for code, raw := range g {
			if s.Commune(code) == nil {
				continue
			}
			mp, err := parseGeometry(raw)
			if err != nil {
				return nil, fmt.Errorf("contour of %s: %w", code, err)
			}
			ci.geom[code] = mp
		}
	}
	for code, mp := range ci.geom {
		b := mp.Bound()
		ci.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, code)
	}
	return ci, nil
}

func parseGeometry(raw json.RawMessage) (orb.MultiPolygon, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, err
	}
	switch g.Type {
	case "Polygon":
		var p orb.Polygon
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, err
		}
		return orb.MultiPolygon{p}, nil
	case "MultiPolygon":
		var mp orb.MultiPolygon
		if err := json.Unmarshal(g.Coordinates, &mp); err != nil {
			return nil, err
		}
		return mp, nil
	}
	return nil, fmt.Errorf("geometry %s, want a polygon", g.Type)
}

// Has reports whether a commune has a contour.
func (ci *ContourIndex) Has(code string) bool {
	_, ok := ci.geom[code]
	return ok
}

// Locate returns the commune whose contour holds the point, "" when none
// does; on a shared border the smallest code wins, so results do not
// depend on map order.
func (ci *ContourIndex) Locate(lat, lon float64) string {
	p := orb.Point{lon, lat}
	var found []string
	ci.tree.Search([2]float64{lon, lat}, [2]float64{lon, lat}, func(_, _ [2]float64, code string) bool {
		if planar.MultiPolygonContains(ci.geom[code], p) {
			found = append(found, code)
		}
		return true
	})
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return found[0]
}

// DistanceKm returns how far a point lies outside the contour of a commune,
// in kilometres: 0 inside; ok is false when the commune has no contour.
func (ci *ContourIndex) DistanceKm(code string, lat, lon float64) (km float64, ok bool) {
	mp, ok := ci.geom[code]
	if !ok {
		return 0, false
	}
	if planar.MultiPolygonContains(mp, orb.Point{lon, lat}) {
		return 0, true
	}
	// An equirectangular projection centred on the point is exact enough
	// for the few kilometres that matter here.
	kx := 111.320 * math.Cos(lat*math.Pi/180)
	const ky = 110.574
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				ax, ay := (ring[i-1][0]-lon)*kx, (ring[i-1][1]-lat)*ky
				bx, by := (ring[i][0]-lon)*kx, (ring[i][1]-lat)*ky
				best = math.Min(best, segmentDistance(ax, ay, bx, by))
			}
		}
	}
	return best, true
}

// segmentDistance is the distance from the origin to the segment AB.
func segmentDistance(ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l := dx*dx + dy*dy; l > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l))
	}
	x, y := ax+t*dx, ay+t*dy
	return math.Hypot(x, y)
}
