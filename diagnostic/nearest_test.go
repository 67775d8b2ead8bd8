package diagnostic

import (
	"github.com/diagsante/diagsante/datasets/taxonomy"
	"slices"
	"testing"

	"github.com/diagsante/diagsante/diagnostic/access"
)

// TestFacilitiesClassifiedOnce: the facilities of each nearest kind, from
// the engine's classification (NewEngine classifies every establishment
// once, and the categories whose names do not matter once per category),
// are those the access engine finds classifying each establishment itself
// (and the SAE's lists, for emergency departments and maternities).
func TestFacilitiesClassifiedOnce(t *testing.T) {
	e := realEngine(t)
	n := 0
	for _, k := range accessKinds {
		at, ok := e.ofKind[k.key]
		if !ok {
			continue
		}
		n++
		got := access.FacilitiesAt(e.Snap, at)
		want := access.Facilities(e.Snap, k.kind)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: %d facilities from the engine's classification, %d classified by the access engine", k.key, len(got), len(want))
		}
	}
	if n != len(accessKinds) {
		t.Errorf("%d of the %d nearest kinds classified by the engine", n, len(accessKinds))
	}
}

// TestKindsAtAsClassify: the kinds the engine keeps for each establishment
// of France are taxonomy.Classify's (those the report counts, in order),
// then "emergency" and "maternity" for the SAE's sites, although most
// categories are classified once and their result shared.
func TestKindsAtAsClassify(t *testing.T) {
	e := realEngine(t)
	report := map[string]bool{}
	for _, k := range Kinds {
		report[k.Key] = true
	}
	counts := map[string]int{}
	for i := range e.Snap.Establishments {
		est := &e.Snap.Establishments[i]
		var want []string
		for _, k := range taxonomy.Classify(est) {
			if report[k] {
				want = append(want, k)
			}
		}
		if _, ok := e.emergency[est.Finess]; ok {
			want = append(want, "emergency")
		}
		if _, ok := e.maternity[est.Finess]; ok {
			want = append(want, "maternity")
		}
		if !slices.Equal(e.kindsAt[i], want) {
			t.Fatalf("%s (category %s): kinds %v, Classify gives %v", est.Finess, est.Category, e.kindsAt[i], want)
		}
		for _, k := range want {
			counts[k]++
		}
	}
	// Counted independently with Python from the embedded tables
	// (establishments.tsv.gz by category and proximity flag; FINESS
	// listed in urgences.tsv.gz and maternites.tsv.gz).
	want := map[string]int{"pharmacy": 21017, "msp": 1936, "ehpad": 7495, "lab": 4092, "cpts": 180, "had": 146,
		"emergency": 621, "maternity": 478, "proximity": 42}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%d establishments of kind %s, want %d", counts[k], k, n)
		}
	}
}

// TestEstablishmentsInAsMap: the engine's establishments by commune and
// by arrondissement are those a map of slices gives, in the same order,
// for every commune and arrondissement of France, and a place without
// any has none.
func TestEstablishmentsInAsMap(t *testing.T) {
	e := realEngine(t)
	s := e.Snap
	byCommune, byArr := map[string][]int{}, map[string][]int{}
	for i := range s.Establishments {
		est := &s.Establishments[i]
		if len(e.kindsAt[i]) == 0 {
			continue
		}
		if est.Commune != "" {
			byCommune[est.Commune] = append(byCommune[est.Commune], i)
		}
		if est.Arrondissement != "" {
			byArr[est.Arrondissement] = append(byArr[est.Arrondissement], i)
		}
	}
	n := 0
	for _, c := range s.Communes {
		got := e.byCommune.Of(c.Code)
		if !slices.Equal(got, byCommune[c.Code]) {
			t.Fatalf("commune %s: %v, want %v", c.Code, got, byCommune[c.Code])
		}
		if cap(got) != len(got) {
			t.Fatalf("commune %s: the list is not clipped", c.Code)
		}
		n += len(got)
	}
	for _, a := range s.Arrondissements {
		if got := e.establishmentsIn(a.Code); !slices.Equal(got, byArr[a.Code]) || len(got) == 0 {
			t.Fatalf("arrondissement %s: %v, want %v", a.Code, got, byArr[a.Code])
		}
	}
	if n != 39136 || len(byCommune) != 9029 {
		t.Errorf("%d establishments in %d communes", n, len(byCommune))
	}
	if got := e.establishmentsIn("99999"); got != nil {
		t.Errorf("unknown place: %v", got)
	}
}
