package access

import (
	"cmp"
	"math"
	"strings"
	"testing"
)

// bruteNearest scans every facility for the least (minutes, km, ID).
func bruteNearest(fac []Facility, from Place, t Times) Hit {
	best := Hit{Km: math.Inf(1), Minutes: math.Inf(1)}
	for i := range fac {
		f := &fac[i]
		km := HaversineKm(from.Point, f.Point)
		m := t.Minutes(from.ID, f.Commune, from.Point, f.Point)
		if best.Facility == nil || m < best.Minutes || m == best.Minutes && (km < best.Km || km == best.Km && cmp.Less(f.ID, best.Facility.ID)) {
			best = Hit{Facility: f, Km: km, Minutes: m}
		}
	}
	return best
}

// TestNearestMatchesBruteForce checks the R-tree search against a scan of
// all facilities, for every kind, on one commune in 100 across France: with
// the monotone model, the k nearest by km plus the own commune's
// facilities always hold the quickest one.
func TestNearestMatchesBruteForce(t *testing.T) {
	s := loadSnapshot(t)
	all := CommunePlaces(s)
	var places []Place
	for i := 0; i < len(all); i += 100 {
		places = append(places, all[i])
	}
	m := DefaultModel()
	for _, k := range Kinds() {
		fac := Facilities(s, k)
		hits := Nearest(fac, places, 0, m)
		for i, p := range places {
			want := bruteNearest(fac, p, m)
			if hits[i].Facility != want.Facility || hits[i].Minutes != want.Minutes || hits[i].Km != want.Km {
				t.Fatalf("%s from %s: got %+v, want %+v", k, p.ID, hits[i], want)
			}
		}
	}
}

func TestNearestKnownCommunes(t *testing.T) {
	s := loadSnapshot(t)
	m := DefaultModel()
	places := map[string]Place{}
	for _, p := range CommunePlaces(s) {
		places[p.ID] = p
	}
	for _, c := range []struct {
		kind     Kind
		from     string
		facility string // FINESS
		zero     bool   // in the commune itself: 0 minutes
	}{
		{KindEmergency, "48095", "480000017", true}, // Mende: Hôpital Lozère
		{KindMaternity, "48095", "480000017", true},
		{KindEmergency, "77333", "770000214", true}, // Nemours: CH de Nemours
		{KindMSP, "77333", "770022341", true},
		{KindEmergency, "77016", "770000214", false}, // Bagneaux-sur-Loing: Nemours is the nearest
	} {
		hit := NewFacilityIndex(Facilities(s, c.kind)).Nearest(places[c.from], 0, m)
		if hit.Facility == nil || hit.Facility.ID != c.facility {
			t.Errorf("%s from %s: %+v, want %s", c.kind, c.from, hit.Facility, c.facility)
			continue
		}
		t.Logf("%s from %s: %s (%s) %.1f km %.1f min", c.kind, c.from, hit.Facility.Name, hit.Facility.Commune, hit.Km, hit.Minutes)
		if c.zero != (hit.Minutes == 0) || hit.Km > 30 {
			t.Errorf("%s from %s: %.1f km, %.1f minutes", c.kind, c.from, hit.Km, hit.Minutes)
		}
	}
	// The hôpital de proximité flag reaches the report.
	prox := 0
	for _, f := range Facilities(s, KindHospital) {
		if f.ProximityHospital {
			prox++
		}
	}
	if prox == 0 {
		t.Error("no hôpital de proximité among hospitals")
	}
}

func TestNearestWithMatrix(t *testing.T) {
	fac := []Facility{
		{ID: "near", Commune: "B", Point: Point{45.01, 3}},
		{ID: "far", Commune: "C", Point: Point{45.5, 3}},
	}
	m, err := ReadTravelTimes(strings.NewReader("origin;destination;minutes\nA;B;40\nA;C;25\n"), "m.csv")
	if err != nil {
		t.Fatal(err)
	}
	from := Place{ID: "A", Point: Point{45, 3}}
	// The matrix says the farther facility is quicker (a motorway): the
	// listed commune is considered although it is not among the k nearest.
	hit := NewFacilityIndex(fac).Nearest(from, 1, &Override{Matrix: m, Fallback: DefaultModel()})
	if hit.Facility == nil || hit.Facility.ID != "far" || hit.Minutes != 25 {
		t.Errorf("got %+v", hit)
	}
	if hit := NewFacilityIndex(nil).Nearest(from, 3, DefaultModel()); hit.Facility != nil || !math.IsInf(hit.Minutes, 1) {
		t.Errorf("no facility: %+v", hit)
	}
}

// BenchmarkNearestAllCommunes finds the nearest facility of every kind for
// every commune of France (~34,900 communes × 7 kinds), indexes included.
func BenchmarkNearestAllCommunes(b *testing.B) {
	s := loadSnapshot(b)
	places := CommunePlaces(s)
	fac := map[Kind][]Facility{}
	for _, k := range Kinds() {
		fac[k] = Facilities(s, k)
	}
	m := DefaultModel()
	for b.Loop() {
		for _, k := range Kinds() {
			Nearest(fac[k], places, 0, m)
		}
	}
}
