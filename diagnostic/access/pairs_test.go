package access

import (
	"fmt"
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
