package access

import (
	"math"
	"slices"
	"sync"
)

// pairs are the (demand, supply) pairs with a positive decay weight, in
// compressed sparse rows cut in blocks of demand places: the pairs of
// demand place i, in block b = i/pairBlock, are the supply places
// j[b][start[i]:start[i+1]] in decay bands band[b][start[i]:start[i+1]]
// (start is relative to the block), sorted by supply index. The weight of
// band k is wt[k]. Flat slices keep the sums of both steps free of
// pointer chasing; one slice per block lets the workers write them
// without growing or copying a shared buffer.
type pairs struct {
	start []int32
	j     [][]int32
	band  [][]uint16
	wt    []float64
	n     int // number of pairs
}

// row returns the supply places and bands of demand place i.
func (p *pairs) row(i int) ([]int32, []uint16) {
	b := i / pairBlock
	lo, hi := p.start[i], p.start[i+1]
	if i%pairBlock == pairBlock-1 {
		hi = int32(len(p.j[b]))
	}
	return p.j[b][lo:hi], p.band[b][lo:hi]
}

// A pairFinder appends to buf the supply places with a positive weight
// for demand place i, each once, in any order, as pairKey(j, band). Each
// worker gets its own finder (scratch state); they share read-only data.
type pairFinder func(i int, buf []uint64) []uint64

// pairKey packs a supply index and a band so that keys sort by supply.
func pairKey(j int32, band int) uint64 { return uint64(j)<<32 | uint64(band) }

// maxBands bounds the bands of a decay profile (they are stored as uint16).
const maxBands = math.MaxUint16

// findPairs returns the pairs of positive weight of every demand place.
// Demand places are handed out to the workers in blocks; each worker
// sorts each place's pairs by supply index and writes its blocks. The
// result does not depend on the number of workers or on scheduling.
func (e *E2SFCA) findPairs(supply []Supply, demand []Demand, decay Decay) *pairs {
	newFinder := e.finder(supply, demand, decay)
	n := len(demand)
	nb := (n + pairBlock - 1) / pairBlock
	p := &pairs{start: make([]int32, n+1), j: make([][]int32, nb), band: make([][]uint16, nb), wt: make([]float64, len(decay))}
	for k, b := range decay {
		p.wt[k] = b.Weight
	}
	workers := max(1, min(e.workers(), nb))
	finders := make([]pairFinder, workers)
	scratch := make([][]uint64, workers)
	parallelWorkers(workers, n, pairBlock, func(wk, lo, hi int) {
		find := finders[wk]
		if find == nil {
			find = newFinder()
			finders[wk] = find
		}
		all := scratch[wk][:0]
		for i := lo; i < hi; i++ {
			at := len(all)
			all = find(i, all)
			sortKeys(all[at:])
			p.start[i] = int32(at)
		}
		b := lo / pairBlock
		js, bs := make([]int32, len(all)), make([]uint16, len(all))
		for k, key := range all {
			js[k], bs[k] = int32(key>>32), uint16(key)
		}
		p.j[b], p.band[b] = js, bs
		scratch[wk] = all
	})
	for b := range nb {
		p.n += len(p.j[b])
	}
	if n > 0 {
		p.start[n] = int32(len(p.j[nb-1]))
	}
	return p
}

// sortKeys sorts pair keys: by insertion for the short lists most places
// have.
func sortKeys(l []uint64) {
	if len(l) > 32 {
		slices.Sort(l)
		return
	}
	for k := 1; k < len(l); k++ {
		x := l[k]
		m := k
		for ; m > 0 && l[m-1] > x; m-- {
			l[m] = l[m-1]
		}
		l[m] = x
	}
}

// band returns the band of a trip of the given minutes as [Decay.Weight]
// finds it, −1 beyond the last one.
func (d Decay) band(minutes float64) int {
	for k, b := range d {
		if minutes < b.Below {
			return k
		}
	}
	return -1
}

// pairBlock is the number of demand places a worker takes at a time:
// small, because the work per place varies a lot (a city sees hundreds of
// places within reach, a mountain village few).
const pairBlock = 256

// finder returns a maker of per-worker pair finders: the crow-fly one for
// a [Model], the general one otherwise.
func (e *E2SFCA) finder(supply []Supply, demand []Demand, decay Decay) func() pairFinder {
	if m, ok := e.Times.(*Model); ok {
		if c := newCrowFly(m, decay, supply, demand); c != nil {
			return c.finder
		}
	}
	return e.generalFinder(supply, demand, decay)
}

// generalFinder looks at the pairs that can have a positive weight:
// within the crow-fly reach of the last decay band when Times is a
// [Reacher] (found through an R-tree), plus the pairs sharing an
// identifier and those a [PairLister] lists; otherwise at all pairs. Each
// candidate's weight comes from Times.Minutes.
func (e *E2SFCA) generalFinder(supply []Supply, demand []Demand, decay Decay) func() pairFinder {
	reach := math.Inf(1)
	if r, ok := e.Times.(Reacher); ok {
		// A small margin keeps pairs at the bisection's precision limit.
		reach = r.ReachKm(decay.Limit())*(1+1e-9) + 1e-6
	}
	lister, _ := e.Times.(PairLister)
	byID := newIDIndex(supply)
	var ix *pointIndex
	if !math.IsInf(reach, 1) {
		pts := make([]Point, len(supply))
		for j, s := range supply {
			pts[j] = s.Point
		}
		ix = newPointIndex(pts)
	}
	return func() pairFinder {
		// seen de-duplicates candidates found several ways (index, same
		// identifier, listed pair) without a map per demand place.
		seen := make([]int32, len(supply))
		for j := range seen {
			seen[j] = -1
		}
		return func(i int, l []uint64) []uint64 {
			d := &demand[i]
			try := func(j int32) {
				if seen[j] == int32(i) {
					return
				}
				seen[j] = int32(i)
				s := &supply[j]
				if k := decay.band(e.Times.Minutes(d.ID, s.ID, d.Point, s.Point)); k >= 0 && decay[k].Weight > 0 {
					l = append(l, pairKey(j, k))
				}
			}
			if ix != nil {
				ix.within(d.Point, reach, func(j int32, _ float64) { try(j) })
			} else {
				for j := range supply {
					try(int32(j))
				}
			}
			for j := byID.head(d.ID); j >= 0; j = byID.next[j] {
				try(j)
			}
			if lister != nil {
				for _, id := range lister.Listed(d.ID) {
					for j := byID.head(id); j >= 0; j = byID.next[j] {
						try(j)
					}
				}
			}
			return l
		}
	}
}

// idIndex lists the supply places by identifier: an open-addressing
// table of identifiers' hashes gives the first place with an identifier,
// next[j] the one after j (−1 at the end). It costs one probe in a small
// table per look-up, where a map of strings chased two or three cache
// misses.
type idIndex struct {
	supply []Supply
	slots  []idSlot // a power of two, at most half full
	next   []int32
}

type idSlot struct {
	hash uint64
	j1   int32 // first supply place + 1; 0 for an empty slot
}

func newIDIndex(supply []Supply) idIndex {
	size := 16
	for size < 2*len(supply) {
		size *= 2
	}
	x := idIndex{supply: supply, slots: make([]idSlot, size), next: make([]int32, len(supply))}
	for j := len(supply) - 1; j >= 0; j-- {
		id := supply[j].ID
		s := x.slot(id, idHash(id))
		x.next[j] = s.j1 - 1
		s.j1 = int32(j) + 1
		s.hash = idHash(id)
	}
	return x
}

// slot returns the slot of id: the one holding it, else the empty one
// where it goes.
func (x *idIndex) slot(id string, h uint64) *idSlot {
	mask := uint64(len(x.slots) - 1)
	for k := h & mask; ; k = (k + 1) & mask {
		s := &x.slots[k]
		if s.j1 == 0 || s.hash == h && x.supply[s.j1-1].ID == id {
			return s
		}
	}
}

// head returns the first supply place with identifier id, −1 if none.
func (x *idIndex) head(id string) int32 {
	return x.slot(id, idHash(id)).j1 - 1
}

// idHash is FNV-1a with a final mix, so that the low bits index the table.
func idHash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	h ^= h >> 31
	h *= 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// crowFly finds pairs for a [Model], whose minutes depend only on the
// crow-fly distance (strictly increasing) except between places sharing an
// identifier. Each candidate's distance is computed once, as the squared
// chord between unit vectors (no trigonometry per pair), and compared with
// the squared chords bounding each decay band: a pair clearly inside a
// band takes its weight without computing minutes; a pair within a hair
// (1e-7 relative) of a band's limit, or sharing an identifier, has its
// minutes computed by the model as in the general case. The weights are
// therefore exactly those of Times.Minutes: the bands are steps, so the
// index is bit for bit the same.
//
// Supply places are bucketed in a grid of latitude/longitude cells, row
// by row, so that the candidates of a demand place are a few contiguous
// runs of the grid's arrays.
type crowFly struct {
	m      *Model
	decay  Decay
	supply []Supply
	demand []Demand
	byID   idIndex
	// lo[k] and hi[k] bound band k in squared chord: below lo[k] a trip
	// takes less than decay[k].Below minutes, from hi[k] at least as much.
	lo, hi []float64
	g      chordGrid
	// exact, when set (by tests), is told of every pair whose minutes
	// the model computes, to check that only pairs near a band's limit
	// or sharing an identifier cost a model evaluation.
	exact func(i int, j int32)
}

// bandMargin is the relative and absolute (km) margin around each band's
// crow-fly limit within which minutes are computed by the model.
const bandMargin = 1e-7

// newCrowFly prepares the crow-fly finder, or returns nil when the band
// limits cannot be bounded safely (the general finder then applies).
func newCrowFly(m *Model, decay Decay, supply []Supply, demand []Demand) *crowFly {
	c := &crowFly{m: m, decay: decay, supply: supply, demand: demand}
	c.lo = make([]float64, len(decay))
	c.hi = make([]float64, len(decay))
	for k, b := range decay {
		lo, hi, ok := bandChords(m, b.Below)
		if !ok {
			return nil
		}
		c.lo[k], c.hi[k] = lo, hi
	}
	// Bands are in increasing order of minutes, hence of distance; keep the
	// bounds monotone so that the last hi bounds them all.
	for k := 1; k < len(decay); k++ {
		c.lo[k] = max(c.lo[k], c.lo[k-1])
		c.hi[k] = max(c.hi[k], c.hi[k-1])
	}
	c.byID = newIDIndex(supply)
	reach := math.Inf(1)
	if h := c.hi[len(c.hi)-1]; h < 4 {
		// Angle of the chord. It needs no margin for rounding in the box
		// computations: a place that near it is bandMargin beyond the last
		// band's limit, so its trip weighs 0 anyway.
		reach = 2 * math.Asin(math.Sqrt(h)/2)
	}
	c.g = newChordGrid(supply, reach)
	return c
}

// bandChords returns the squared chords below which a trip surely takes
// less than minutes and from which it surely takes at least minutes,
// checked against the model itself at the margins.
func bandChords(m *Model, minutes float64) (lo, hi float64, ok bool) {
	km := m.ReachKm(minutes)
	if math.IsNaN(km) || km < 0 {
		return 0, 0, false
	}
	if math.IsInf(km, 1) {
		// No distance on Earth takes that long: every pair is below.
		if m.minutesKm("", "", math.Pi*earthRadiusKm) >= minutes {
			return 0, 0, false
		}
		return math.Inf(1), math.Inf(1), true
	}
	loKm := max(0, km*(1-bandMargin)-bandMargin)
	hiKm := km*(1+bandMargin) + bandMargin
	// The model must agree: a bit beyond loKm is still under minutes, a
	// bit short of hiKm is not (minutes grow strictly with distance).
	if loKm > 0 && !(m.minutesKm("", "", loKm*(1+1e-9)) < minutes) {
		return 0, 0, false
	}
	if !(m.minutesKm("", "", hiKm*(1-1e-9)) >= minutes) {
		return 0, 0, false
	}
	return chordOfKm(loKm), chordOfKm(hiKm), true
}

// chordOfKm returns the squared chord between two points of the unit
// sphere a great-circle distance km apart.
func chordOfKm(km float64) float64 {
	s := math.Sin(math.Min(km/earthRadiusKm, math.Pi) / 2)
	return 4 * s * s
}

func (c *crowFly) finder() pairFinder {
	hiMax := c.hi[len(c.hi)-1]
	var runs [][2]int32
	// heads[i−headLo] is the first supply place sharing demand place i's
	// identifier. They are looked up a batch at a time: independent
	// look-ups overlap their cache misses, interleaved with the search
	// they do not.
	var heads [64]int32
	headLo, headHi := 0, 0
	return func(i int, l []uint64) []uint64 {
		d := &c.demand[i]
		if i < headLo || i >= headHi {
			headLo, headHi = i, min(i+len(heads), len(c.demand))
			for k := headLo; k < headHi; k++ {
				heads[k-headLo] = -1
				if id := c.demand[k].ID; id != "" {
					heads[k-headLo] = c.byID.head(id)
				}
			}
		}
		same := heads[i-headLo]
		q := unitVector(d.Point)
		runs = c.g.visit(d.Point, q, runs[:0])
		for _, r := range runs {
			for _, it := range c.g.items[r[0]:r[1]] {
				dx, dy, dz := it.x-q.x, it.y-q.y, it.z-q.z
				c2 := dx*dx + dy*dy + dz*dz
				if c2 >= hiMax || same >= 0 && c.sameID(same, it.j) {
					continue // same identifier: done below
				}
				// The first band the trip may fall in (there is one, as
				// c2 < hiMax): surely in it below lo, else the model
				// decides.
				band := 0
				for c2 >= c.hi[band] {
					band++
				}
				if c2 >= c.lo[band] {
					if c.exact != nil {
						c.exact(i, it.j)
					}
					s := &c.supply[it.j]
					band = c.decay.band(c.m.Minutes(d.ID, s.ID, d.Point, s.Point))
				}
				if band >= 0 && c.decay[band].Weight > 0 {
					l = append(l, pairKey(it.j, band))
				}
			}
		}
		for j := same; j >= 0; j = c.byID.next[j] {
			if c.exact != nil {
				c.exact(i, j)
			}
			s := &c.supply[j]
			if k := c.decay.band(c.m.Minutes(d.ID, s.ID, d.Point, s.Point)); k >= 0 && c.decay[k].Weight > 0 {
				l = append(l, pairKey(j, k))
			}
		}
		return l
	}
}

// sameID reports whether supply place j is in the chain starting at first.
func (c *crowFly) sameID(first, j int32) bool {
	for k := first; k >= 0; k = c.byID.next[k] {
		if k == j {
			return true
		}
	}
	return false
}

// vec3 is a point of the unit sphere.
type vec3 struct{ x, y, z float64 }

func unitVector(p Point) vec3 {
	sLat, cLat := math.Sincos(p.Lat * deg)
	sLon, cLon := math.Sincos(p.Lon * deg)
	return vec3{cLat * cLon, cLat * sLon, sLat}
}

// gridItem is a supply place in a chordGrid.
type gridItem struct {
	x, y, z float64
	j       int32
}

// chordGrid buckets points in latitude/longitude cells, row-major, so
// that a row of cells is one run of items.
type chordGrid struct {
	reach            float64 // search radius, radians
	sinReach         float64
	all              bool // the radius is too large for boxes: visit everything
	minLat, minLon   float64
	cellLat, cellLon float64
	rows, cols       int
	cellStart        []int32 // rows·cols+1
	items            []gridItem
}

func newChordGrid(supply []Supply, reach float64) chordGrid {
	g := chordGrid{reach: reach, sinReach: math.Sin(reach), rows: 1, cols: 1}
	g.items = make([]gridItem, len(supply))
	if len(supply) == 0 {
		g.cellStart = make([]int32, 2)
		g.all = true
		return g
	}
	minLat, maxLat := math.Inf(1), math.Inf(-1)
	minLon, maxLon := math.Inf(1), math.Inf(-1)
	for _, s := range supply {
		minLat, maxLat = min(minLat, s.Point.Lat), max(maxLat, s.Point.Lat)
		minLon, maxLon = min(minLon, s.Point.Lon), max(maxLon, s.Point.Lon)
	}
	g.minLat, g.minLon = minLat, minLon
	// Boxes around a cap are exact for radii well below a quadrant; past
	// 0.5 radian (3,200 km) the grid would not prune anything anyway.
	g.all = !(reach < 0.5)
	if !g.all {
		// Cells of half the radius: a search box covers about 5×5 cells,
		// twice the area of the cap.
		g.cellLat = reach / deg / 2
		midCos := math.Max(0.1, math.Cos((minLat+maxLat)/2*deg))
		g.cellLon = g.cellLat / midCos
		rows := (maxLat-minLat)/g.cellLat + 1
		cols := (maxLon-minLon)/g.cellLon + 1
		// Bound the cells by the points (points spread over the globe).
		if limit := float64(4*len(supply) + 4096); rows*cols > limit {
			f := math.Sqrt(rows * cols / limit)
			g.cellLat *= f
			g.cellLon *= f
		}
		g.rows = int((maxLat-minLat)/g.cellLat) + 1
		g.cols = int((maxLon-minLon)/g.cellLon) + 1
	}
	cell := make([]int32, len(supply))
	g.cellStart = make([]int32, g.rows*g.cols+1)
	for j, s := range supply {
		c := int32(0)
		if !g.all {
			c = int32(g.row(s.Point.Lat)*g.cols + g.col(s.Point.Lon))
		}
		cell[j] = c
		g.cellStart[c+1]++
	}
	for k := range g.rows * g.cols {
		g.cellStart[k+1] += g.cellStart[k]
	}
	fill := slices.Clone(g.cellStart[:g.rows*g.cols])
	for j, s := range supply {
		v := unitVector(s.Point)
		g.items[fill[cell[j]]] = gridItem{v.x, v.y, v.z, int32(j)}
		fill[cell[j]]++
	}
	return g
}

func (g *chordGrid) row(lat float64) int {
	return min(g.rows-1, max(0, int(math.Floor((lat-g.minLat)/g.cellLat))))
}

func (g *chordGrid) col(lon float64) int {
	return min(g.cols-1, max(0, int(math.Floor((lon-g.minLon)/g.cellLon))))
}

// visit appends to runs the runs of items (index ranges) that include
// every point within the search radius of p, and others.
func (g *chordGrid) visit(p Point, q vec3, runs [][2]int32) [][2]int32 {
	if g.all {
		return append(runs, [2]int32{0, int32(len(g.items))})
	}
	// Bounding box of the spherical cap (see pointIndex.within), with
	// asin(x) ≤ x/√(1−x²) for the longitude half-width.
	dLat := g.reach / deg
	if p.Lat-dLat > g.minLat+float64(g.rows)*g.cellLat || p.Lat+dLat < g.minLat {
		return runs
	}
	r0, r1 := g.row(p.Lat-dLat), g.row(p.Lat+dLat)
	dLon := 360.0
	// The cosine of p's latitude is the length of q's equatorial part.
	if c := math.Sqrt(q.x*q.x + q.y*q.y); c > 0 {
		if x := g.sinReach / c; x < 0.5 {
			dLon = x / math.Sqrt(1-x*x) / deg
		}
	}
	if dLon >= 180 {
		return g.cols2runs(runs, r0, r1, 0, g.cols-1)
	}
	lo, hi := p.Lon-dLon, p.Lon+dLon
	runs = g.lon2runs(runs, r0, r1, max(lo, -180), min(hi, 180))
	// The box crosses the antimeridian: the other side too.
	if lo < -180 {
		runs = g.lon2runs(runs, r0, r1, lo+360, 180)
	}
	if hi > 180 {
		runs = g.lon2runs(runs, r0, r1, -180, hi-360)
	}
	return runs
}

// lon2runs appends the runs of the cells of rows r0 to r1 between
// longitudes lo and hi. A box beyond the grid's span is clamped to its
// edge column, whose places the distance test then leaves out.
func (g *chordGrid) lon2runs(runs [][2]int32, r0, r1 int, lo, hi float64) [][2]int32 {
	return g.cols2runs(runs, r0, r1, g.col(lo), g.col(hi))
}

func (g *chordGrid) cols2runs(runs [][2]int32, r0, r1, c0, c1 int) [][2]int32 {
	for r := r0; r <= r1; r++ {
		a, b := g.cellStart[r*g.cols+c0], g.cellStart[r*g.cols+c1+1]
		if a < b {
			runs = append(runs, [2]int32{a, b})
		}
	}
	return runs
}

// parallelWorkers hands out [lo, hi) blocks of [0, n) to the workers on
// demand, telling each call which worker (0 to workers−1, at least one)
// runs it.
func parallelWorkers(workers, n, block int, fn func(worker, lo, hi int)) {
	var next sync.Mutex
	at := 0
	take := func() int {
		next.Lock()
		defer next.Unlock()
		lo := at
		at += block
		return lo
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := take(); lo < n; lo = take() {
				fn(w, lo, min(lo+block, n))
			}
		}()
	}
	wg.Wait()
}
