package diagnostic

import (
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func TestCountGPPersons(t *testing.T) {
	sites := []snapshot.GPSite{
		// A: libéral in Mende and Langogne.
		{Person: "810000000101", Code: "48095", Mode: snapshot.GPModeLiberal},
		{Person: "810000000101", Code: "48080", Mode: snapshot.GPModeLiberal},
		// B: salaried in a centre de santé in Mende.
		{Person: "810000000102", Code: "48095", Mode: snapshot.GPModeCDS},
		// C: in Paris 13e and Paris 15e.
		{Person: "810000000103", Code: "75113", Mode: snapshot.GPModeLiberal},
		{Person: "810000000103", Code: "75115", Mode: snapshot.GPModeLiberal},
	}
	in := func(codes ...string) func(string) bool {
		set := map[string]bool{}
		for _, c := range codes {
			set[c] = true
		}
		return func(code string) bool { return set[code] }
	}
	paris := func(code string) bool { return len(code) == 5 && code[:3] == "751" }
	for _, tc := range []struct {
		name  string
		place func(string) bool
		want  int
	}{
		{"dep:48, A's two sites count once", in("48095", "48080"), 2},
		{"Mende", in("48095"), 2},
		{"Langogne", in("48080"), 1},
		{"Paris, C's two arrondissements count once", paris, 1},
		{"Paris 13e only", in("75113"), 1},
		{"Nemours", in("77333"), 0},
	} {
		if got := CountGPPersons(sites, tc.place); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := CountGPPersons(nil, paris); got != 0 {
		t.Errorf("no sites: %d", got)
	}
}
