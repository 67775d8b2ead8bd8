package diagnostic

import (
	"slices"
	"testing"

	"github.com/diagsante/diagsante/diagnostic/access"
)

// TestFacilitiesClassifiedOnce: the facilities of each nearest kind, from
// the engine's classification (NewEngine classifies every establishment
// once), are those the access engine finds classifying them itself.
func TestFacilitiesClassifiedOnce(t *testing.T) {
	e := realEngine(t)
	n := 0
	for _, k := range accessKinds {
		if !slices.ContainsFunc(Kinds, func(r Kind) bool { return r.Key == k.key }) {
			continue
		}
		n++
		got := access.FacilitiesClassified(e.Snap, k.kind, func(i int) bool { return slices.Contains(e.kindsAt[i], k.key) })
		want := access.Facilities(e.Snap, k.kind)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: %d facilities from the engine's classification, %d classified by the access engine", k.key, len(got), len(want))
		}
	}
	if n < 3 {
		t.Errorf("%d nearest kinds among the report's kinds, want the MSP, centres de santé, hospitals…", n)
	}
}
