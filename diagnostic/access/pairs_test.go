package access

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestIDIndex: the identifier table lists, for every identifier, the
// supply places holding it in increasing order, as a map of slices would;
// short identifiers (held in the slot) and long ones (held by hash),
// repeated ones, the empty one and prefixes of each other.
func TestIDIndex(t *testing.T) {
	ids := []string{"77333", "", "77333", "7733", "773330", "75056", "a-very-long-identifier", "a-very-long-identifier", "a-very-long-identifieR", "12345678", "123456789", "77333"}
	for i := range 3000 {
		ids = append(ids, fmt.Sprintf("%05d", i*7%2000), fmt.Sprintf("facility-%d", i%1500))
	}
	supply := make([]Supply, len(ids))
	want := map[string][]int32{}
	for j, id := range ids {
		supply[j].ID = id
		want[id] = append(want[id], int32(j))
	}
	x := newIDIndex(supply)
	for id, w := range want {
		var got []int32
		for j := x.head(id); j >= 0; j = x.next[j] {
			got = append(got, j)
		}
		if !slices.Equal(got, w) {
			t.Fatalf("%q: %v, want %v", id, got, w)
		}
	}
	for _, id := range []string{"77334", "a-very-long-identifiex", "1234567", "0", "12345678 "} {
		if j := x.head(id); j != -1 {
			t.Errorf("%q: found %d (%q)", id, j, ids[j])
		}
	}
}

// TestE2SFCAEdgesOfTheMap: the crow-fly finder's grid finds pairs across
// the antimeridian and around a pole, where longitude boxes wrap or cover
// every longitude; its weights must be those of the model's minutes over
// all pairs.
func TestE2SFCAEdgesOfTheMap(t *testing.T) {
	var supply []Supply
	var demand []Demand
	n := 0
	add := func(lat, lon float64) {
		n++
		id := fmt.Sprintf("P%03d", n)
		demand = append(demand, Demand{ID: id, Point: Point{lat, lon}, Weight: float64(100 + n)})
		if n%2 == 0 {
			supply = append(supply, Supply{ID: id, Point: Point{lat, lon}, Value: float64(n % 7)})
		}
	}
	// Both sides of the antimeridian, a few km apart.
	for k := range 12 {
		d := float64(k) * 0.02
		add(-14.3+d/3, 180-d)
		add(-14.3-d/3, -180+d)
	}
	// Around the north pole, on all sides.
	for k := range 12 {
		add(89.9+float64(k%3)*0.02, float64(k)*30-180)
	}
	// Lone supply far from the others, in the middle of the grid's span.
	supply = append(supply, Supply{ID: "alone", Point: Point{0, 0}, Value: 1})
	res, err := (&E2SFCA{Times: DefaultModel()}).Compute(supply, demand)
	if err != nil {
		t.Fatal(err)
	}
	wantA, wantR := referenceE2SFCA(DefaultModel(), DREESDecay(), supply, demand)
	sameValues(t, "access", res.Access, wantA)
	sameValues(t, "ratio", res.Ratio, wantR)
	// Pairs cross the antimeridian and the pole: more than each place
	// would find on its own side.
	cross := 0
	for _, d := range demand {
		for _, s := range supply {
			if math.Abs(d.Point.Lon-s.Point.Lon) > 180 && DREESDecay().Weight(DefaultModel().Minutes(d.ID, s.ID, d.Point, s.Point)) > 0 {
				cross++
			}
		}
	}
	if cross < 20 {
		t.Errorf("%d pairs across the antimeridian or the pole", cross)
	}
}
