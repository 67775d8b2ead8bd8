package access

import (
	"cmp"
	"math"
	"slices"

	"github.com/tidwall/rtree"
)

// pointIndex is an R-tree over points in longitude/latitude degrees. It
// does not handle the antimeridian: no French commune lies within reach of
// it (Wallis-et-Futuna, the nearest, is 4° away), and a search box there
// is clipped rather than wrapped.
type pointIndex struct {
	tr rtree.RTreeGN[float64, int32]
	// bands, when set, replaces the R-tree (see newStaticPointIndex).
	bands *bandIndex
	pts   []Point
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

// newStaticPointIndex is newPointIndex for the nearest-facility searches:
// the points are sorted into latitude bands instead of inserted one by one
// into an R-tree, which was most of the cost of building a facility index
// at each start. Searches find the same points: both test the same
// bounding box, inclusive, then the same distance.
func newStaticPointIndex(pts []Point) *pointIndex {
	ix := &pointIndex{pts: pts, rad: make([]radPoint, len(pts)), bands: newBandIndex(pts)}
	for i, p := range pts {
		ix.rad[i] = toRad(p)
	}
	return ix
}

// bandDeg is the height of a latitude band: about 11 km.
const bandDeg = 0.1

// A bandIndex holds points sorted by latitude band (of bandDeg degrees
// from the southernmost point), then by longitude and index.
type bandIndex struct {
	minLat float64
	start  []int32 // entries of band b: ent[start[b]:start[b+1]]
	ent    []bandEntry
}

type bandEntry struct {
	lon, lat float64
	i        int32
}

func newBandIndex(pts []Point) *bandIndex {
	x := &bandIndex{minLat: math.Inf(1)}
	maxLat := math.Inf(-1)
	for _, p := range pts {
		if finitePoint(p) {
			x.minLat, maxLat = math.Min(x.minLat, p.Lat), math.Max(maxLat, p.Lat)
		}
	}
	if math.IsInf(x.minLat, 1) {
		return x
	}
	bands := x.band(maxLat) + 1
	x.start = make([]int32, bands+1)
	for _, p := range pts {
		if finitePoint(p) {
			x.start[x.band(p.Lat)+1]++
		}
	}
	for b := range bands {
		x.start[b+1] += x.start[b]
	}
	x.ent = make([]bandEntry, x.start[bands])
	next := slices.Clone(x.start[:bands])
	for i, p := range pts {
		if finitePoint(p) {
			b := x.band(p.Lat)
			x.ent[next[b]] = bandEntry{p.Lon, p.Lat, int32(i)}
			next[b]++
		}
	}
	for b := range bands {
		slices.SortFunc(x.ent[x.start[b]:x.start[b+1]], func(u, v bandEntry) int {
			return cmp.Or(cmp.Compare(u.lon, v.lon), cmp.Compare(u.i, v.i))
		})
	}
	return x
}

// finitePoint reports whether a point can be indexed: a NaN or infinite
// coordinate is never within a finite distance.
func finitePoint(p Point) bool { return finite(p.Lat) && finite(p.Lon) }

// band is the band of a latitude: floor((lat−minLat)/bandDeg), which
// grows with lat, so that a point between two latitudes is in a band
// between theirs.
func (x *bandIndex) band(lat float64) int {
	return int(math.Floor((lat - x.minLat) / bandDeg))
}

// search calls fn for every point in the box lo–hi (longitude, latitude),
// bounds included, as the R-tree's Search does.
func (x *bandIndex) search(lo, hi [2]float64, fn func(i int32)) {
	if len(x.ent) == 0 || !(hi[1] >= x.minLat) || !(lo[1] <= hi[1]) || !(lo[0] <= hi[0]) {
		return
	}
	b0, b1 := 0, len(x.start)-2
	if lo[1] > x.minLat {
		b0 = min(x.band(lo[1]), b1+1)
	}
	if b := x.band(hi[1]); b < b1 {
		b1 = b
	}
	for b := b0; b <= b1; b++ {
		seg := x.ent[x.start[b]:x.start[b+1]]
		j, _ := slices.BinarySearchFunc(seg, lo[0], func(e bandEntry, lon float64) int { return cmp.Compare(e.lon, lon) })
		for ; j < len(seg) && seg[j].lon <= hi[0]; j++ {
			if e := &seg[j]; e.lat >= lo[1] && e.lat <= hi[1] {
				fn(e.i)
			}
		}
	}
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
	if ix.bands != nil {
		ix.bands.search(lo, hi, func(i int32) {
			if h := ix.hav(q, i); h <= limit {
				fn(i, h)
			}
		})
		return
	}
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
