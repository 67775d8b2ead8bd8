package main

import (
	"fmt"
	"math"
	"sort"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/orb/simplify"
	"github.com/peterstace/simplefeatures/geom"
)

// The contours are held as orb geometries; the polygon overlay (union) and
// the OGC validity checks come from simplefeatures, a pure-Go port of the
// JTS/GEOS algorithms. Only the generator needs them: the program serves the
// snapshot's GeoJSON as it is.

// contourStats counts what the generator did to the contours, for the
// manifest.
type contourStats struct {
	merged        int // current communes made of several COG 2018 communes
	partsBefore   int // their polygons side by side
	polygonsAfter int // their polygons once unioned
	repaired      []string
	finer         int      // contours simplified with a smaller tolerance to stay valid
	overlaid      int      // rounded contours whose rings touched themselves, split by an overlay
	finest        []string // contours kept at the raw 5 decimals: 4 made them cross themselves
}

// toGeom converts a multipolygon to simplefeatures without validating it:
// the parts of a merged commune touch along their shared borders, which the
// polygons of a MultiPolygon may not do.
func toGeom(mp orb.MultiPolygon) geom.MultiPolygon {
	polys := make([]geom.Polygon, len(mp))
	for i, p := range mp {
		rings := make([]geom.LineString, len(p))
		for j, r := range p {
			xy := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				xy = append(xy, pt[0], pt[1])
			}
			rings[j] = geom.NewLineString(geom.NewSequence(xy, geom.DimXY))
		}
		polys[i] = geom.NewPolygon(rings)
	}
	return geom.NewMultiPolygon(polys)
}

// fromGeom converts a polygonal geometry back to orb, with the orientation
// of the raw contours (exterior rings clockwise, holes counter-clockwise).
func fromGeom(g geom.Geometry) (orb.MultiPolygon, error) {
	mp, ok := g.AsMultiPolygon()
	if p, isPoly := g.AsPolygon(); isPoly {
		mp, ok = p.AsMultiPolygon(), true
	}
	if !ok {
		return nil, fmt.Errorf("overlay gave a %s, want polygons", g.Type())
	}
	mp = mp.ForceCW()
	out := make(orb.MultiPolygon, mp.NumPolygons())
	for i := range out {
		p := mp.PolygonN(i)
		rings := make(orb.Polygon, 1+p.NumInteriorRings())
		rings[0] = toRing(p.ExteriorRing())
		for j := 1; j < len(rings); j++ {
			rings[j] = toRing(p.InteriorRingN(j - 1))
		}
		out[i] = rings
	}
	return out, nil
}

func toRing(ls geom.LineString) orb.Ring {
	seq := ls.Coordinates()
	r := make(orb.Ring, seq.Length())
	for i := range r {
		xy := seq.GetXY(i)
		r[i] = orb.Point{xy.X, xy.Y}
	}
	return r
}

// unionParts dissolves the polygons of a multipolygon into each other:
// shared borders disappear, parts that do not touch stay separate polygons
// (islands, exclaves). Each polygon enters the overlay on its own, so they
// may touch or overlap.
func unionParts(mp orb.MultiPolygon) (orb.MultiPolygon, error) {
	parts := toGeom(mp)
	gs := make([]geom.Geometry, parts.NumPolygons())
	for i := range gs {
		gs[i] = parts.PolygonN(i).AsGeometry()
	}
	u, err := geom.UnionMany(gs)
	if err != nil {
		return nil, err
	}
	return fromGeom(u)
}

// validate reports why a multipolygon is not a valid OGC geometry, or nil.
func validate(mp orb.MultiPolygon) error { return toGeom(mp).Validate() }

// sliverArea is the area, in square degrees (about 8,000 m²), under which
// a hole or a separate polygon left by the union of neighbouring old
// communes is a gap or overlap between their contours, not territory.
const sliverArea = 1e-6

// unionMerged replaces the side-by-side polygons of each commune made of
// several COG 2018 communes by their union, so that maps show no old border
// inside it and its GeoJSON is valid. The raw contours were simplified with
// their topology kept (mapshaper), so neighbours share their border vertex
// for vertex and the exact union leaves no sliver: no snapping is needed
// (317 communes, 808 polygons -> 319; the two kept apart are exclaves of
// 50546 and 72138, the one hole an exclave of Singly inside Flize). Raw
// contours that stopped sharing their borders would leave slivers: the
// generator refuses them rather than draw them.
func (g *gen) unionMerged(cs *contourSet, parts map[string]int) error {
	codes := make([]string, 0, len(parts))
	for code, n := range parts {
		if n > 1 {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	st := &g.contourStats
	for _, code := range codes {
		u, err := unionParts(cs.geom[code])
		if err != nil {
			return fmt.Errorf("contours: union of the %d old communes of %s: %w", parts[code], code, err)
		}
		for i, p := range u {
			for j, r := range p {
				if (i > 0 || j > 0) && math.Abs(planar.Area(r)) < sliverArea {
					return fmt.Errorf("contours: the union of the %d old communes of %s leaves a sliver of %g square degrees near %v: their borders do not match, snap them first",
						parts[code], code, math.Abs(planar.Area(r)), r[0])
				}
			}
		}
		st.merged++
		st.partsBefore += len(cs.geom[code])
		st.polygonsAfter += len(u)
		cs.geom[code] = u
	}
	g.log.Info("contours: merged communes unioned", "communes", st.merged, "polygons before", st.partsBefore, "after", st.polygonsAfter)
	return nil
}

// repairInvalid rebuilds the few raw contours that are not valid (a ring
// that touches itself) by the overlay of their own rings, which splits them
// at the touching point. The repair must keep the area: anything else is a
// shape the generator should not guess at, and it stops.
func (g *gen) repairInvalid(geoms map[string]orb.MultiPolygon) error {
	codes := make([]string, 0, len(geoms))
	for code := range geoms {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		mp := geoms[code]
		verr := validate(mp)
		if verr == nil {
			continue
		}
		r, err := unionParts(mp)
		if err == nil {
			err = validate(r)
		}
		if a, b := planar.Area(mp), planar.Area(r); err == nil && math.Abs(a-b) > 1e-9*a {
			err = fmt.Errorf("area %g, was %g", b, a)
		}
		if err != nil {
			return fmt.Errorf("contours: %s is not valid (%v) and could not be repaired: %w", code, verr, err)
		}
		g.log.Warn("contours: invalid raw contour repaired", "code", code, "error", verr)
		g.contourStats.repaired = append(g.contourStats.repaired, code)
		geoms[code] = r
	}
	return nil
}

// simplifyValid simplifies a valid contour for the maps and rounds it to
// the snapshot's precision. Both can break validity: Douglas-Peucker works
// ring by ring and may make a ring cross itself or a neighbouring ring, and
// rounding may put two vertices on the same grid point (a ring touches
// itself) or, where a commune narrows to less than the grid's step, make
// its border cross itself. A ring that touches itself is split there by the
// overlay of the geometry's own rings (the area stays); a crossing is
// avoided by halving the tolerance until the result is valid, down to no
// simplification at all, and, if rounding alone makes it cross, by keeping
// the 5 decimals of the raw contours. It returns the tolerance and the
// rounding factor used, and whether the overlay was needed.
func simplifyValid(mp orb.MultiPolygon) (s orb.MultiPolygon, tol float64, factor int, overlaid bool, err error) {
	for _, factor = range []int{roundFactor, rawRoundFactor} {
		for tol = simplifyTolerance; ; tol /= 2 {
			if tol < simplifyTolerance/64 {
				tol = 0
			}
			s = mp.Clone()
			if tol > 0 {
				s = simplify.DouglasPeucker(tol).MultiPolygon(s)
			}
			if len(s) == 0 {
				s = mp.Clone() // a commune smaller than the tolerance keeps its shape
			}
			s = orb.Round(s, factor).(orb.MultiPolygon)
			if err = validate(s); err == nil {
				return s, tol, factor, false, nil
			}
			if r, ok := overlayRounded(s, factor); ok {
				return r, tol, factor, true, nil
			}
			if tol == 0 {
				break
			}
		}
	}
	return nil, 0, 0, false, fmt.Errorf("invalid once simplified and rounded, at any tolerance and precision: %w", err)
}

// overlayRounded rebuilds an invalid rounded contour by the overlay of its
// rings, rounded again. It is accepted only if valid and of the same area
// within a millionth or one cell of the grid (1e-8 square degree, about
// 80 m², at 4 decimals), whichever is larger: rounding the points where
// edges cross moves the area that little, while the overlay of a ring
// crossing itself may lose a lobe.
func overlayRounded(s orb.MultiPolygon, factor int) (orb.MultiPolygon, bool) {
	r, err := unionParts(s)
	if err != nil {
		return nil, false
	}
	r = orb.Round(r, factor).(orb.MultiPolygon)
	if validate(r) != nil {
		return nil, false
	}
	a, b := planar.Area(s), planar.Area(r)
	return r, math.Abs(a-b) <= math.Max(1e-6*a, 1/float64(factor*factor))
}
