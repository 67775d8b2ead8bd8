package access

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// TestStaticIndexAsRTree: the banded index finds, for every search, the
// points the R-tree finds: on random points, on points sharing a position
// (facilities placed at their commune's point), on points lying exactly
// on band edges and on the searches' box edges, from the equator to the
// pole; and the k nearest are the same, in the same order.
func TestStaticIndexAsRTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	var pts []Point
	for range 3000 {
		pts = append(pts, Point{Lat: 41 + rng.Float64()*10, Lon: -5 + rng.Float64()*14})
	}
	for i := range 300 {
		// Positions shared by several points, and exact multiples of a
		// band's height.
		p := Point{Lat: 43 + float64(i%30)*bandDeg, Lon: 2 + float64(i%7)*0.05}
		pts = append(pts, p, p)
	}
	pts = append(pts, Point{Lat: -21.1, Lon: 55.5}, Point{Lat: 89.99, Lon: 10}, Point{Lat: math.NaN(), Lon: 1}, Point{Lat: 45, Lon: math.Inf(1)})
	tree, bands := newPointIndex(pts), newStaticPointIndex(pts)
	within := func(ix *pointIndex, p Point, km float64) []candidate {
		var out []candidate
		ix.within(p, km, func(i int32, h float64) { out = append(out, candidate{i, h}) })
		slices.SortFunc(out, func(a, b candidate) int { return int(a.i - b.i) })
		return out
	}
	queries := []Point{{Lat: 43, Lon: 2}, {Lat: 43 + 5*bandDeg, Lon: 2.1}, {Lat: -21, Lon: 55.4}, {Lat: 89.9, Lon: 0}, {Lat: 0, Lon: 0}, {Lat: 51.5, Lon: 9.5}}
	for range 400 {
		queries = append(queries, pts[rng.IntN(len(pts)-2)])
	}
	found := 0
	for n, q := range queries {
		for _, km := range []float64{0, 0.5, 3, 11.1, 40, 250, 3000, math.Inf(1)} {
			got, want := within(bands, q, km), within(tree, q, km)
			if !slices.EqualFunc(got, want, sameCandidate) {
				t.Fatalf("query %d %v within %g km: %d points in bands, %d in the R-tree", n, q, km, len(got), len(want))
			}
			found += len(got)
		}
		for _, k := range []int{1, 8, 50} {
			g, gk := bands.nearestK(q, k, nil, 0, 0)
			w, wk := tree.nearestK(q, k, nil, 0, 0)
			if !slices.Equal(g, w) || gk != wk {
				t.Fatalf("query %d %v: %d nearest differ", n, q, k)
			}
		}
	}
	if found < 100000 {
		t.Errorf("%d points found in all: the searches are too small to compare", found)
	}
	// An empty index and one of invalid points find nothing.
	for _, p := range [][]Point{nil, {{Lat: math.NaN(), Lon: 0}}} {
		if got := within(newStaticPointIndex(p), Point{Lat: 45, Lon: 2}, 100); len(got) != 0 {
			t.Errorf("%v: %v", p, got)
		}
	}
}

// sameCandidate compares candidates bit for bit (a NaN point's haversine
// is NaN, which equals nothing).
func sameCandidate(a, b candidate) bool {
	return a.i == b.i && math.Float64bits(a.hav) == math.Float64bits(b.hav)
}

// TestFacilityIndexBandsAsRTree: on France's pharmacies and emergency
// departments, the nearest facility of every commune is the same with
// the banded index as with the R-tree it replaced.
func TestFacilityIndexBandsAsRTree(t *testing.T) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	places := CommunePlaces(s)
	for _, kind := range []Kind{KindPharmacy, KindEmergency} {
		fac := Facilities(s, kind)
		x := NewFacilityIndex(fac)
		ref := NewFacilityIndex(fac)
		ref.ix = newPointIndex(ref.ix.pts)
		var q, qr query
		m := DefaultModel()
		for i, p := range places {
			got, want := q.nearest(x, p, 0, m), qr.nearest(ref, p, 0, m)
			if got != want {
				t.Fatalf("%s, commune %s (place %d): %+v with bands, %+v with the R-tree", kind, p.ID, i, got, want)
			}
		}
	}
}

// TestBandSearchEdges checks the band index at its edges, which random
// queries seldom hit: boxes whose top is the lowest indexed latitude or
// which are a single point find the points on their edge, and the bands
// are bandDeg high (so that a search scans about 11 km of latitude per band).
func TestBandSearchEdges(t *testing.T) {
	pts := []Point{{Lat: 43.25, Lon: 5.4}, {Lat: 43.25, Lon: 5.5}, {Lat: 44.02, Lon: 4.8}, {Lat: 48.85, Lon: 2.35}, {Lat: 43.25, Lon: 5.4}}
	x := newBandIndex(pts)
	search := func(lo, hi [2]float64) []int32 {
		var got []int32
		x.search(lo, hi, func(i int32) { got = append(got, i) })
		slices.Sort(got)
		return got
	}
	// The box's top is the lowest latitude: the points on it are found.
	if got := search([2]float64{5, 43}, [2]float64{6, 43.25}); !slices.Equal(got, []int32{0, 1, 4}) {
		t.Errorf("box topped at the lowest latitude: %v, want [0 1 4]", got)
	}
	// A box of one point finds the points there, and only them.
	if got := search([2]float64{5.4, 43.25}, [2]float64{5.4, 43.25}); !slices.Equal(got, []int32{0, 4}) {
		t.Errorf("box of one point: %v, want [0 4]", got)
	}
	if got := search([2]float64{4.8, 44.02}, [2]float64{4.8, 44.02}); !slices.Equal(got, []int32{2}) {
		t.Errorf("box of one point: %v, want [2]", got)
	}
	// Boxes above and below every point, or upside down, find nothing.
	for _, b := range [][2][2]float64{{{0, 49}, {9, 50}}, {{0, 42}, {9, 43.2}}, {{0, 44}, {9, 43}}, {{6, 43}, {5, 44}}} {
		if got := search(b[0], b[1]); len(got) != 0 {
			t.Errorf("box %v: %v, want nothing", b, got)
		}
	}
	// From 43.25 to 48.85, bands 0 to floor(5.6 / 0.1) = 56: 57 bands.
	if n := len(x.start) - 1; n != 57 {
		t.Errorf("%d bands, want 57 (0.1° each from 43.25 to 48.85)", n)
	}
}
