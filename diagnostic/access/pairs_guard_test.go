package access

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"
)

// Tests of the pair search's inner parts against brute force over real
// places (communes, arrondissements and the BPE GPs of the embedded
// snapshot): the rows it stores, the bands it reads, the work it saves
// (model evaluations, grid candidates) and the point index behind the
// general finder and the nearest facilities.

// referenceBand is the band a trip of the given minutes falls in: the
// first whose Below exceeds the minutes, −1 beyond the last.
func referenceBand(d Decay, minutes float64) int {
	k := sort.Search(len(d), func(k int) bool { return d[k].Below > minutes })
	if k == len(d) {
		return -1
	}
	return k
}

// referenceRows lists, for every demand place, the supply places of
// positive weight in increasing order with their band, over all pairs.
func referenceRows(t Times, d Decay, supply []Supply, demand []Demand) [][]uint64 {
	rows := make([][]uint64, len(demand))
	for i, dm := range demand {
		for j, s := range supply {
			if k := referenceBand(d, t.Minutes(dm.ID, s.ID, dm.Point, s.Point)); k >= 0 && d[k].Weight > 0 {
				rows[i] = append(rows[i], pairKey(int32(j), k))
			}
		}
	}
	return rows
}

func checkRows(t *testing.T, what string, p *pairs, want [][]uint64) {
	t.Helper()
	n := 0
	for i, w := range want {
		n += len(w)
		js, bs := p.row(i)
		got := make([]uint64, len(js))
		for k := range js {
			got[k] = pairKey(js[k], int(bs[k]))
		}
		if !slices.Equal(got, w) {
			t.Fatalf("%s: row %d has %d pairs %v, want %d %v", what, i, len(got), got, len(w), w)
		}
	}
	if p.n != n {
		t.Fatalf("%s: %d pairs counted, want %d", what, p.n, n)
	}
}

// zeroBandsDecay has bands of zero weight, the first one included: pairs
// in them (a commune and its own GPs, at 0 minutes, in the first) are not
// pairs of positive weight and must be neither stored nor counted.
var zeroBandsDecay = Decay{{Below: 5, Weight: 0}, {Below: 10, Weight: 1}, {Below: 15, Weight: 0}, {Below: 20, Weight: 0.5}}

// TestFindPairsRowsAreThePairsOfPositiveWeight: whatever the number of
// demand places (none, one, around one and two blocks of 256), the
// finder (crow-fly or general) and the workers, each demand place's row
// holds exactly the supply places of positive weight, in increasing
// order, with their band, and the count of pairs is their number.
func TestFindPairsRowsAreThePairsOfPositiveWeight(t *testing.T) {
	supply, demand := franceCase(t)
	demand = demand[:2*pairBlock]
	m := DefaultModel()
	for _, d := range []Decay{DREESDecay(), zeroBandsDecay} {
		ref := referenceRows(m, d, supply, demand)
		total := 0
		for _, r := range ref {
			total += len(r)
		}
		if total < 1000 {
			t.Fatalf("decay %v: only %d pairs in the reference", d, total)
		}
		for _, n := range []int{0, 1, pairBlock - 1, pairBlock, pairBlock + 1, 2*pairBlock - 1, 2 * pairBlock} {
			for _, times := range []Times{m, reacherOnly{m}} {
				for _, workers := range []int{1, 2} {
					p := (&E2SFCA{Times: times, Workers: workers}).findPairs(supply, demand[:n], d)
					checkRows(t, fmt.Sprintf("decay %v, %d places, %T, %d workers", d, n, times, workers), p, ref[:n])
				}
			}
		}
	}
}

// TestDecayBandIsTheBandOfWeight: the band the pair search stores is the
// one whose weight Decay.Weight gives: a trip at a band's bound belongs to
// the next band (bounds are exclusive), just under it to the band itself,
// and beyond the last bound (or at +Inf, or NaN) to none.
func TestDecayBandIsTheBandOfWeight(t *testing.T) {
	for _, d := range []Decay{DREESDecay(), zeroBandsDecay} {
		check := func(minutes float64, want int) {
			t.Helper()
			got := d.band(minutes)
			if got != want {
				t.Errorf("decay %v: band(%v) = %d, want %d", d, minutes, got, want)
			}
			w := 0.0
			if got >= 0 {
				w = d[got].Weight
			}
			if w != d.Weight(minutes) {
				t.Errorf("decay %v: band(%v) weighs %v, Weight %v", d, minutes, w, d.Weight(minutes))
			}
		}
		check(0, 0)
		for k, b := range d {
			check(math.Nextafter(b.Below, 0), k)
			next := k + 1
			if next == len(d) {
				next = -1
			}
			check(b.Below, next)
		}
		check(math.Inf(1), -1)
		check(math.NaN(), -1)
	}
}

// TestCrowFlyTakesEveryBandOfAModel: the crow-fly finder (distances
// compared with band limits) serves a model even when a band's reach is
// under a kilometre or zero (a band at or below the access penalty), and
// gives the pairs of all-pairs brute force there.
func TestCrowFlyTakesEveryBandOfAModel(t *testing.T) {
	supply, demand := franceCase(t)
	demand = demand[:300]
	def := DefaultModel()
	short := Decay{{Below: def.Params.Minutes(0.3), Weight: 1}, {Below: def.Params.Minutes(0.9), Weight: 0.8}, {Below: 20, Weight: 0.5}}
	if km := def.ReachKm(short[0].Below); !(km > 0.29 && km < 0.31) {
		t.Fatalf("first band reaches %v km", km)
	}
	for _, c := range []struct {
		name  string
		m     *Model
		decay Decay
	}{
		{"default model", def, DREESDecay()},
		{"bands under a kilometre", def, short},
		// The first band ends at the penalty (reach 0 km) or under it.
		{"access penalty of 10 minutes", NewModel(Params{Access: 10, Detour: 1.4, Start: 20, Cruise: 90, Ramp: 3}), DREESDecay()},
		{"access penalty of 12 minutes", NewModel(Params{Access: 12, Detour: 1.4, Start: 20, Cruise: 90, Ramp: 3}), DREESDecay()},
	} {
		if newCrowFly(c.m, c.decay, supply, demand) == nil {
			t.Errorf("%s: no crow-fly finder", c.name)
			continue
		}
		p := (&E2SFCA{Times: c.m}).findPairs(supply, demand, c.decay)
		checkRows(t, c.name, p, referenceRows(c.m, c.decay, supply, demand))
	}
}

// TestCrowFlyEvaluatesOnlyPairsNearALimit: over all of France, the
// crow-fly finder asks the model for minutes only for a place and its own
// supply (same identifier, 0 minutes) and for pairs within a hair of a
// band's crow-fly limit; a demand place without an identifier shares it
// with no supply place.
func TestCrowFlyEvaluatesOnlyPairsNearALimit(t *testing.T) {
	supply, demand := franceCase(t)
	for i := range demand {
		if i%2 == 1 {
			demand[i].ID = ""
		}
	}
	m, d := DefaultModel(), DREESDecay()
	var limits []float64
	for _, b := range d {
		limits = append(limits, m.ReachKm(b.Below))
	}
	c := newCrowFly(m, d, supply, demand)
	if c == nil {
		t.Fatal("no crow-fly finder for the default model")
	}
	same, near, other := 0, 0, 0
	c.exact = func(i int, j int32) {
		dm, s := demand[i], supply[j]
		if dm.ID != "" && dm.ID == s.ID {
			same++
			return
		}
		km := HaversineKm(dm.Point, s.Point)
		for _, l := range limits {
			if math.Abs(km-l) <= 1e-6*l {
				near++
				return
			}
		}
		if other++; other <= 5 {
			t.Errorf("minutes computed for %q to %q at %.9f km, limits %v", dm.ID, s.ID, km, limits)
		}
	}
	find := c.finder()
	var buf []uint64
	for i := range demand {
		buf = find(i, buf[:0])
	}
	wantSame := 0
	supplyIDs := map[string]int{}
	for _, s := range supply {
		supplyIDs[s.ID]++
	}
	for _, dm := range demand {
		if dm.ID != "" {
			wantSame += supplyIDs[dm.ID]
		}
	}
	if same != wantSame || other != 0 {
		t.Errorf("minutes computed for %d pairs sharing an identifier (want %d), %d near a limit, %d others", same, wantSame, near, other)
	}
	if wantSame < 4000 {
		t.Errorf("only %d places with their own GPs", wantSame)
	}
}

// gridCase returns, for the supply places and the search radius of the
// default model and DREES decay, the items the grid visits and the pairs
// within reach summed over the demand places, after checking that every
// supply place within reach is visited.
func gridCase(t *testing.T, supply []Supply, demand []Demand) (visited, within int) {
	t.Helper()
	c := newCrowFly(DefaultModel(), DREESDecay(), supply, demand)
	if c == nil {
		t.Fatal("no crow-fly finder")
	}
	t.Logf("%d supply places: %d × %d cells", len(supply), c.g.rows, c.g.cols)
	hiMax := c.hi[len(c.hi)-1]
	vs := make([]vec3, len(supply))
	for j, s := range supply {
		vs[j] = unitVector(s.Point)
	}
	seen := make([]int, len(supply))
	for i, dm := range demand {
		q := unitVector(dm.Point)
		runs := c.g.visit(dm.Point, q, nil)
		for _, r := range runs {
			visited += int(r[1] - r[0])
			for _, it := range c.g.items[r[0]:r[1]] {
				seen[it.j] = i + 1
			}
		}
		for j, v := range vs {
			dx, dy, dz := v.x-q.x, v.y-q.y, v.z-q.z
			if dx*dx+dy*dy+dz*dz < hiMax {
				within++
				if seen[j] != i+1 {
					t.Fatalf("%s: supply %s within reach is not visited", dm.ID, supply[j].ID)
				}
			}
		}
	}
	return visited, within
}

// TestChordGridVisitsFewCandidates: the grid of the crow-fly finder
// visits every supply place within reach (20 minutes) and few others.
// Over a département and over metropolitan France (the BPE GPs) its cells
// are half the search radius in latitude, as wide in kilometres at the
// middle latitude; with a place in every commune of France and overseas
// (spread over 72° of latitude) such cells would be 2 million: their
// number is bounded by that of the places, and the grid still finds every
// place within reach.
func TestChordGridVisitsFewCandidates(t *testing.T) {
	halfRadius := func(name string, supply []Supply, demand []Demand) {
		t.Helper()
		g := newCrowFly(DefaultModel(), DREESDecay(), supply, demand).g
		minLat, maxLat := math.Inf(1), math.Inf(-1)
		for _, s := range supply {
			minLat, maxLat = min(minLat, s.Point.Lat), max(maxLat, s.Point.Lat)
		}
		if math.Abs(g.cellLat-g.reach/deg/2) > 1e-12 || math.Abs(g.cellLon*math.Cos((minLat+maxLat)/2*deg)-g.cellLat) > 1e-12 {
			t.Errorf("%s: cells of %v° × %v° for a radius of %v°", name, g.cellLat, g.cellLon, g.reach/deg)
		}
	}
	supply, demand := departementCase(t, "77")
	halfRadius("77", supply, demand)
	visited, within := gridCase(t, supply, demand)
	t.Logf("77: %d visited for %d within reach (%.2f)", visited, within, float64(visited)/float64(within))
	// 12,034 visited for 6,714 within reach (1.79) when written.
	if within < 6000 || float64(visited) > 2*float64(within) {
		t.Errorf("77: %d supply places visited for %d within reach", visited, within)
	}
	supply, demand = franceCase(t)
	halfRadius("France", supply, demand)
	var some []Demand
	for i := 0; i < len(demand); i += 7 {
		some = append(some, demand[i])
	}
	visited, within = gridCase(t, supply, some)
	t.Logf("France: %d visited for %d within reach (%.2f)", visited, within, float64(visited)/float64(within))
	// 89,168 for 46,376 (1.92) when written.
	if within < 40000 || float64(visited) > 2.2*float64(within) {
		t.Errorf("France: %d supply places visited for %d within reach", visited, within)
	}
	everywhere := make([]Supply, len(demand))
	for i, d := range demand {
		everywhere[i] = Supply{ID: d.ID, Point: d.Point, Value: 1}
	}
	g := newCrowFly(DefaultModel(), DREESDecay(), everywhere, demand).g
	limit := 4*len(everywhere) + 4096
	if g.rows*g.cols > limit+g.rows+g.cols || g.rows*g.cols < limit/2 {
		t.Errorf("every commune: %d × %d cells for %d places", g.rows, g.cols, len(everywhere))
	}
	visited, within = gridCase(t, everywhere, some)
	t.Logf("every commune: %d visited for %d within reach (%.2f)", visited, within, float64(visited)/float64(within))
	// 808,320 for 183,968 (4.39) when written: coarser cells, more visits.
	if within < 150000 || float64(visited) > 5*float64(within) {
		t.Errorf("every commune: %d places visited for %d within reach", visited, within)
	}
}

// indexCase is the points of the BPE GPs' communes over France, a few
// around the north pole, and some twice (same point, two places).
func indexCase(t *testing.T) ([]Point, []Point) {
	supply, demand := franceCase(t)
	var pts []Point
	for _, s := range supply {
		pts = append(pts, s.Point)
	}
	for k := range 12 {
		pts = append(pts, Point{89.9 + float64(k%3)*0.03, float64(k)*30 - 180})
	}
	for j := 0; j < len(supply); j += 97 {
		pts = append(pts, supply[j].Point)
	}
	var queries []Point
	for i := 0; i < len(demand); i += 499 {
		queries = append(queries, demand[i].Point)
	}
	queries = append(queries, Point{89.95, 10}, Point{90, 0}, supply[0].Point)
	return pts, queries
}

// TestPointIndexWithinIsTheCap: the point index behind the general
// finder gives every point within a distance of a query point (at the
// pole too) and no other, each with the haversine of its distance.
func TestPointIndexWithinIsTheCap(t *testing.T) {
	pts, queries := indexCase(t)
	ix := newPointIndex(pts)
	found := 0
	for _, q := range queries {
		dist := make([]float64, len(pts))
		for i, p := range pts {
			dist[i] = HaversineKm(q, p)
		}
		for _, km := range []float64{0.5, 5, 12.3, 40} {
			got := make([]bool, len(pts))
			n := 0
			ix.within(q, km, func(i int32, h float64) {
				got[i] = true
				n++
				if d, want := 2*earthRadiusKm*math.Asin(math.Sqrt(h)), HaversineKm(q, pts[i]); math.Abs(d-want) > 1e-9*want+1e-9 {
					t.Fatalf("%v to %v: haversine of %v km, want %v km", q, pts[i], d, want)
				}
			})
			for i, d := range dist {
				if d < km*(1-1e-9) && !got[i] {
					t.Fatalf("%v within %v km: %v at %v km missing", q, km, pts[i], d)
				}
				if d > km*(1+1e-9) && got[i] {
					t.Fatalf("%v within %v km: %v at %v km given", q, km, pts[i], d)
				}
			}
			found += n
		}
	}
	if found < 2000 {
		t.Errorf("only %d points found", found)
	}
}

// TestNearestKIsTheKNearest: the point index gives the k nearest points
// (all of them when fewer), nearest first and, at equal distance, in
// index order, with the distance of the last in km; none for k = 0.
// Whatever the first radius guessed and the bound known.
func TestNearestKIsTheKNearest(t *testing.T) {
	pts, queries := indexCase(t)
	ix := newPointIndex(pts)
	for _, q := range queries {
		rq := toRad(q)
		all := make([]candidate, len(pts))
		for i := range pts {
			all[i] = candidate{int32(i), ix.hav(rq, int32(i))}
		}
		slices.SortFunc(all, func(a, b candidate) int {
			if a.hav != b.hav {
				return cmpFloat(a.hav, b.hav)
			}
			return int(a.i - b.i)
		})
		for _, k := range []int{0, 1, 3, 10} {
			for _, guess := range []float64{0, 0.01, 50} {
				got, km := ix.nearestK(q, k, nil, guess, 0)
				want := all[:k]
				if !slices.Equal(got, want) {
					t.Fatalf("%v, k %d, guess %v km: %v, want %v", q, k, guess, got, want)
				}
				wantKm := math.Inf(1)
				if k > 0 {
					wantKm = HaversineKm(q, pts[want[k-1].i])
				}
				if !(math.Abs(km-wantKm) <= 1e-9*wantKm+1e-9) && km != wantKm {
					t.Fatalf("%v, k %d: last at %v km, want %v", q, k, km, wantKm)
				}
			}
		}
	}
	few := newPointIndex(pts[:2])
	if got, km := few.nearestK(queries[0], 5, nil, 0, 0); len(got) != 2 || math.IsInf(km, 1) {
		t.Errorf("two points, k 5: %v, %v km", got, km)
	}
	none := newPointIndex(nil)
	if got, km := none.nearestK(queries[0], 5, nil, 0, 0); len(got) != 0 || !math.IsInf(km, 1) {
		t.Errorf("no points: %v, %v km", got, km)
	}
}

func cmpFloat(a, b float64) int {
	if a < b {
		return -1
	}
	return 1
}
