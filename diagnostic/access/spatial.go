package access

import (
	"math"

	"github.com/tidwall/rtree"
)

// pointIndex is an R-tree over points in longitude/latitude degrees. It
// does not handle the antimeridian: no French commune lies within reach of
// it (Wallis-et-Futuna, the nearest, is 4° away), and a search box there
// is clipped rather than wrapped.
type pointIndex struct {
	tr  rtree.RTreeGN[float64, int32]
	pts []Point
	// rad holds each point's latitude and longitude in radians and the
	// cosine of its latitude, so that distance filters cost two sines.
	rad []radPoint
}

type radPoint struct{ lat, lon, cos float64 }

func toRad(p Point) radPoint {
	return radPoint{p.Lat * deg, p.Lon * deg, math.Cos(p.Lat * deg)}
}

func newPointIndex(pts []Point) *pointIndex {
	ix := &pointIndex{pts: pts, rad: make([]radPoint, len(pts))}
	for i, p := range pts {
		k := [2]float64{p.Lon, p.Lat}
		ix.tr.Insert(k, k, int32(i))
		ix.rad[i] = toRad(p)
	}
	return ix
}

// hav returns the haversine of the central angle between q and indexed
// point i, which grows with distance: comparing it avoids an arcsine.
func (ix *pointIndex) hav(q radPoint, i int32) float64 {
	r := ix.rad[i]
	s1 := math.Sin((r.lat - q.lat) / 2)
	s2 := math.Sin((r.lon - q.lon) / 2)
	return s1*s1 + q.cos*r.cos*s2*s2
}

// havOfKm is the haversine of the central angle of a distance.
func havOfKm(km float64) float64 {
	s := math.Sin(math.Min(km/earthRadiusKm, math.Pi) / 2)
	return s * s
}

// within calls fn for every indexed point at most km from p, in no
// particular order, with the haversine of its distance.
func (ix *pointIndex) within(p Point, km float64, fn func(i int32, hav float64)) {
	q := toRad(p)
	if math.IsInf(km, 1) || km >= math.Pi*earthRadiusKm {
		for i := range ix.pts {
			fn(int32(i), ix.hav(q, int32(i)))
		}
		return
	}
	// Bounding box of the spherical cap (J. P. Matuschek, "Finding points
	// within a distance of a latitude/longitude using bounding
	// coordinates"): exact in latitude; in longitude the widest point of
	// the cap is not on p's parallel, hence asin(sin r / cos φ) rather
	// than r / cos φ.
	r := km / earthRadiusKm
	dLat := r / deg
	// A cap holding a pole spans every longitude.
	lonLo, lonHi := -180.0, 180.0
	if c := math.Cos(p.Lat * deg); c > math.Sin(r) {
		dLon := math.Asin(math.Sin(r)/c) / deg
		lonLo, lonHi = p.Lon-dLon, p.Lon+dLon
	}
	lo := [2]float64{lonLo, p.Lat - dLat}
	hi := [2]float64{lonHi, p.Lat + dLat}
	limit := havOfKm(km)
	ix.tr.Search(lo, hi, func(_, _ [2]float64, i int32) bool {
		if h := ix.hav(q, i); h <= limit {
			fn(i, h)
		}
		return true
	})
}

// candidate is an indexed point and the haversine of its distance from a
// query point.
type candidate struct {
	i   int32
	hav float64
}

// nearestK appends to buf[:0] the k indexed points nearest to p (fewer
// when the index holds fewer), sorted by distance then index, and returns
// them with the distance of the last one in km.
//
// It searches caps rather than walking the tree best-first: rectangle
// tests need no trigonometry and no priority queue, which made the
// best-first search (rtree's Nearby) several times slower here. Once a cap
// holds at least k points, nothing outside it can be nearer, so the k
// nearest inside it are the k nearest overall. The first cap has radius
// guessKm (a neighbour's k-th distance: density varies slowly), or a
// quarter of the radius holding k points on average over metropolitan
// France (550,000 km²); it doubles until it holds k points, but never
// beyond boundKm when positive, a radius known to hold k points (a
// previous query's k-th distance plus the distance between the two query
// points, by the triangle inequality).
func (ix *pointIndex) nearestK(p Point, k int, buf []candidate, guessKm, boundKm float64) ([]candidate, float64) {
	buf = buf[:0]
	if k <= 0 || len(ix.pts) == 0 {
		return buf, math.Inf(1)
	}
	k = min(k, len(ix.pts))
	r := guessKm * 1.25
	if !(r > 0) || math.IsInf(r, 1) {
		r = math.Sqrt(float64(k)*550000/(math.Pi*float64(len(ix.pts)))) / 4
	}
	if boundKm > 0 {
		r = min(r, boundKm)
	}
	less := func(a, b candidate) bool { return a.hav < b.hav || a.hav == b.hav && a.i < b.i }
	for {
		// Keep the k best seen so far, sorted, by insertion: k is small
		// and a dense town can put hundreds of points in the cap.
		buf = buf[:0]
		ix.within(p, r, func(i int32, h float64) {
			c := candidate{i, h}
			if len(buf) == k && !less(c, buf[k-1]) {
				return
			}
			if len(buf) < k {
				buf = append(buf, c)
			}
			j := len(buf) - 1
			for ; j > 0 && less(c, buf[j-1]); j-- {
				buf[j] = buf[j-1]
			}
			buf[j] = c
		})
		if len(buf) >= k || r >= math.Pi*earthRadiusKm {
			break
		}
		// Never overshoot a radius known to be enough; should rounding
		// make it fall short, keep doubling past it.
		next := r * 2
		if boundKm > r {
			next = min(next, boundKm)
		}
		r = next
	}
	if len(buf) == 0 {
		return buf, math.Inf(1)
	}
	return buf, 2 * earthRadiusKm * math.Asin(math.Sqrt(math.Min(1, buf[len(buf)-1].hav)))
}
