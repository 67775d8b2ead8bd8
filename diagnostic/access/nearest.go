package access

import (
	"cmp"
	"math"
	"runtime"
	"slices"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
	"github.com/diagsante/diagsante/diagnostic/internal/groups"
)

// A Facility is a place of care one travels to.
type Facility struct {
	ID       string // FINESS géographique
	Name     string
	Commune  string // current INSEE code of the commune it stands in, "" when unknown
	Category string // FINESS category code
	Point    Point
	// ProximityHospital is true for an "hôpital de proximité" (labelled in
	// the FINESS long name; the 2021 national extraction predates the
	// label, so outside Occitanie it is mostly false).
	ProximityHospital bool
}

// A Place is where a trip starts: a commune (ID is its INSEE code) or an
// arrondissement.
type Place struct {
	ID    string
	Point Point
}

// A Hit is the nearest facility found for a place.
type Hit struct {
	Facility *Facility // nil when there is no facility at all (Km and Minutes are then +Inf)
	Km       float64   // crow-fly distance from the place's point to the facility's
	// Minutes is the road time from Times, with the facility's commune as
	// destination: 0 for a facility in the place's own commune (the INSEE
	// convention for the time to the nearest equipment), +Inf when Times
	// knows no way (a matrix without fallback).
	Minutes float64
}

// DefaultCandidates is the number of facilities, nearest as the crow
// flies, among which [Nearest] picks the quickest when given k ≤ 0.
const DefaultCandidates = 8

// A FacilityIndex finds the facilities nearest to places. It is read-only
// once built and safe for concurrent use.
type FacilityIndex struct {
	fac       []Facility
	ix        *pointIndex
	byCommune *groups.Index[int32]
}

// NewFacilityIndex indexes facilities by point (R-tree) and by commune.
func NewFacilityIndex(fac []Facility) *FacilityIndex {
	pts := make([]Point, len(fac))
	x := &FacilityIndex{fac: fac}
	// Facilities stand about one commune for two or three (pharmacies:
	// 21,017 in 8,206 communes).
	by := groups.NewBuilder[int32](len(fac), len(fac)/2)
	for i, f := range fac {
		pts[i] = f.Point
		by.Add(int32(i), f.Commune)
	}
	x.byCommune = by.Index()
	x.ix = newStaticPointIndex(pts)
	return x
}

// Nearest returns the facility with the least road minutes from a place.
//
// With the crow-fly model minutes grow strictly with distance, so the
// nearest facility by minutes is the nearest by kilometres, except that a
// facility in the place's own commune is at 0 minutes wherever it stands.
// A user's matrix can order facilities differently. So Nearest takes the k
// nearest facilities by kilometres (R-tree searches), adds those of the
// place's own commune and, for a [PairLister], those of the communes listed
// with it, and keeps the least minutes (ties: fewer km, then the smaller
// ID).
func (x *FacilityIndex) Nearest(from Place, k int, t Times) Hit {
	var q query
	return q.nearest(x, from, k, t)
}

// A query carries what successive searches of one goroutine share: the
// candidate buffer, and the previous place and k-th distance, which bound
// the next search radius.
type query struct {
	buf    []candidate
	prev   Point
	prevKm float64 // 0 before the first search
}

func (q *query) nearest(x *FacilityIndex, from Place, k int, t Times) Hit {
	if k <= 0 {
		k = DefaultCandidates
	}
	best := Hit{Km: math.Inf(1), Minutes: math.Inf(1)}
	model, _ := t.(*Model)
	consider := func(i int32) {
		f := &x.fac[i]
		km := HaversineKm(from.Point, f.Point)
		var m float64
		if model != nil {
			// Same as model.Minutes without computing the distance twice.
			m = model.minutesKm(from.ID, f.Commune, km)
		} else {
			m = t.Minutes(from.ID, f.Commune, from.Point, f.Point)
		}
		if best.Facility == nil || m < best.Minutes ||
			m == best.Minutes && (km < best.Km || km == best.Km && cmp.Less(f.ID, best.Facility.ID)) {
			best = Hit{Facility: f, Km: km, Minutes: m}
		}
	}
	bound := 0.0
	if q.prevKm > 0 && !math.IsInf(q.prevKm, 1) {
		// A small margin absorbs rounding in the triangle inequality.
		bound = (q.prevKm+HaversineKm(q.prev, from.Point))*(1+1e-9) + 1e-6
	}
	q.buf, q.prevKm = x.ix.nearestK(from.Point, k, q.buf, q.prevKm, bound)
	q.prev = from.Point
	for _, c := range q.buf {
		consider(c.i)
	}
	for _, i := range x.byCommune.Of(from.ID) {
		consider(i)
	}
	if l, ok := t.(PairLister); ok {
		for _, id := range l.Listed(from.ID) {
			for _, i := range x.byCommune.Of(id) {
				consider(i)
			}
		}
	}
	return best
}

// Nearest returns, for every place, the facility with the least road
// minutes among the k nearest by crow-fly distance (see
// [FacilityIndex.Nearest]), working on all cores.
func Nearest(fac []Facility, from []Place, k int, t Times) []Hit {
	x := NewFacilityIndex(fac)
	out := make([]Hit, len(from))
	// Visit places along a Z-order curve so that each goroutine's
	// successive places are neighbours: the previous search then gives a
	// good first radius and a tight bound for the next one (see nearestK).
	order := make([]int, len(from))
	keys := make([]uint64, len(from))
	for i, p := range from {
		order[i] = i
		keys[i] = zorder(p.Point)
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
	parallelBlocks(runtime.GOMAXPROCS(0), len(from), func(lo, hi int) {
		var q query
		for _, i := range order[lo:hi] {
			out[i] = q.nearest(x, from[i], k, t)
		}
	})
	return out
}

// A Kind is a kind of facility whose travel time METHOD.md asks for: a key
// of the taxonomy of structures (datasets/taxonomy) marked Nearest.
type Kind string

// The kinds of facility, with the taxonomy's keys.
const (
	KindMSP         Kind = taxonomy.MSP       // maison de santé pluriprofessionnelle, category 603
	KindCentreSante Kind = taxonomy.CDS       // centre de santé médical ou polyvalent (124, 439 typed by name)
	KindEmergency   Kind = taxonomy.Emergency // emergency department: FINESS listed in the SAE emergency table
	KindMaternity   Kind = taxonomy.Maternity // maternity unit: FINESS listed in the SAE perinatal table
	KindPharmacy    Kind = taxonomy.Pharmacy  // pharmacie d'officine, category 620
	KindHAD         Kind = taxonomy.HAD       // hospitalisation à domicile, category 127
	KindHospital    Kind = taxonomy.Hospital  // CHR/CHU 101, CH 355, ex-hôpital local 106, sites with beds
)

// Kinds returns every kind, in the taxonomy's order.
func Kinds() []Kind {
	var out []Kind
	for _, k := range taxonomy.NearestKinds() {
		out = append(out, Kind(k.Key))
	}
	return out
}

// Facilities returns the facilities of one kind in the snapshot that have a
// point (those the generator could not place are left out). FINESS kinds
// follow taxonomy.Classify; emergency departments and maternities are the
// SAE's.
func Facilities(s *snapshot.Snapshot, kind Kind) []Facility {
	return FacilitiesClassified(s, kind, nil)
}

// FacilitiesClassified is Facilities with the FINESS kinds already known:
// is(i) says whether establishment i of the snapshot is of kind, as
// taxonomy.Classify would (the report engine classifies every
// establishment once, and the name rules are the costly part). With is
// nil, establishments are classified here.
func FacilitiesClassified(s *snapshot.Snapshot, kind Kind, is func(i int) bool) []Facility {
	var keep func(i int, e *snapshot.Establishment) bool
	switch kind {
	case KindEmergency, KindMaternity:
		in := map[string]bool{}
		if kind == KindEmergency {
			for _, e := range s.Emergency {
				in[e.Finess] = true
			}
		} else {
			for _, m := range s.Maternities {
				in[m.Finess] = true
			}
		}
		keep = func(_ int, e *snapshot.Establishment) bool { return in[e.Finess] }
	default:
		// Only establishments of the kind's categories can be of the kind:
		// classify those alone (the name rules are the costly part).
		var cats []string
		if k, ok := taxonomy.Lookup(string(kind)); ok {
			cats = k.Categories
		}
		keep = func(_ int, e *snapshot.Establishment) bool {
			return slices.Contains(cats, e.Category) && slices.Contains(taxonomy.Classify(e), string(kind))
		}
		if is != nil {
			keep = func(i int, _ *snapshot.Establishment) bool { return is(i) }
		}
	}
	// The establishments kept are listed first, then copied into a slice
	// of their number: growing it was half of the memory the facility
	// indexes allocate at each start.
	var kept []int32
	for i := range s.Establishments {
		if e := &s.Establishments[i]; e.HasPoint && keep(i, e) {
			kept = append(kept, int32(i))
		}
	}
	return FacilitiesAt(s, kept)
}

// FacilitiesAt returns the establishments of the snapshot at indexes idx
// as facilities, in that order: the establishments of one kind with a
// point, found by a caller that classified them (see
// FacilitiesClassified).
func FacilitiesAt(s *snapshot.Snapshot, idx []int32) []Facility {
	out := make([]Facility, len(idx))
	for j, i := range idx {
		e := &s.Establishments[i]
		out[j] = Facility{ID: e.Finess, Name: e.Name, Commune: e.Commune, Category: e.Category,
			Point: Point{e.Lat, e.Lon}, ProximityHospital: e.ProximityHospital}
	}
	return out
}

// CommunePlaces returns every current commune with a point, as places.
func CommunePlaces(s *snapshot.Snapshot) []Place {
	out := make([]Place, 0, len(s.Communes))
	for i := range s.Communes {
		c := &s.Communes[i]
		if c.HasPoint() {
			out = append(out, Place{ID: c.Code, Point: Point{c.Lat, c.Lon}})
		}
	}
	return out
}

// zorder interleaves the bits of a point's quantised longitude and
// latitude (Morton code): places close on the curve are close on the map.
func zorder(p Point) uint64 {
	x := uint64((p.Lon + 180) / 360 * (1 << 20))
	y := uint64((p.Lat + 90) / 180 * (1 << 20))
	return spread(x) | spread(y)<<1
}

// spread puts the 21 low bits of v on the even bit positions.
func spread(v uint64) uint64 {
	v &= 1<<21 - 1
	v = (v | v<<32) & 0x1f00000000ffff
	v = (v | v<<16) & 0x1f0000ff0000ff
	v = (v | v<<8) & 0x100f00f00f00f00f
	v = (v | v<<4) & 0x10c30c30c30c30c3
	v = (v | v<<2) & 0x1249249249249249
	return v
}
