package groups

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIndexAsMap: the index lists, for every key, the indexes a map of
// slices lists, in the same order; clipped; nil for an unknown key or the
// empty one; an index added with no key is in no list.
func TestIndexAsMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	b := NewBuilder[int32](n, 10)
	want := map[string][]int32{}
	for i := range int32(n) {
		if i%7 == 3 {
			continue // not added
		}
		key := fmt.Sprintf("%05d", rng.IntN(300))
		if i%11 == 0 {
			key = ""
		}
		b.Add(i, key)
		if key != "" {
			want[key] = append(want[key], i)
		}
	}
	x := b.Index()
	if x.Len() != len(want) {
		t.Errorf("%d keys, want %d", x.Len(), len(want))
	}
	total := 0
	for key, w := range want {
		got := x.Of(key)
		if !slices.Equal(got, w) {
			t.Fatalf("%s: %v, want %v", key, got, w)
		}
		if cap(got) != len(got) {
			t.Fatalf("%s: not clipped", key)
		}
		total += len(got)
	}
	if total < 3000 {
		t.Errorf("%d indexes filed", total)
	}
	if x.Of("nope") != nil || x.Of("") != nil {
		t.Error("an unknown key has indexes")
	}
	empty := NewBuilder[int](0, 0).Index()
	if empty.Of("a") != nil || empty.Len() != 0 {
		t.Error("empty index")
	}
}
