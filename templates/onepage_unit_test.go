package templates

import (
	"fmt"
	"slices"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestStructureTableNemours: the 20 structures of the CC Pays de Nemours
// are counted by commune and type: types in the order of the list, the
// total row by type (1 MSP, 1 hospital, 1 hôpital de proximité, 1
// emergency service, 10 pharmacies, 1 laboratory, 5 EHPAD), each commune's
// cells as its structures of that type ("" for none), communes by number
// of structures then name. A list of 12 prints whole: no table.
func TestStructureTableNemours(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	v, err := newView(rep, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tab := v.StructTable
	if tab == nil || tab.N != "20" || len(v.Structures) != 20 {
		t.Fatalf("table %+v for %d structures", tab, len(v.Structures))
	}
	var kinds []string
	count := map[[2]string]int{}
	for _, s := range v.Structures {
		if !slices.Contains(kinds, s.Kind) {
			kinds = append(kinds, s.Kind)
		}
		count[[2]string{s.Commune, s.Kind}]++
	}
	if !slices.Equal(tab.Kinds, kinds) {
		t.Errorf("types %q, want %q (the list's order)", tab.Kinds, kinds)
	}
	totals := map[string]string{"msp": "1", "hospital": "1", "proximity": "1", "emergency": "1", "pharmacy": "10", "lab": "1", "ehpad": "5"}
	for i, k := range tab.Kinds {
		key := ""
		for _, kd := range diagnostic.Kinds {
			if kd.Label == k {
				key = kd.Key
			}
		}
		if want := totals[key]; tab.Total.Counts[i] != want {
			t.Errorf("total %s: %q, want %q", k, tab.Total.Counts[i], want)
		}
	}
	if tab.Total.Commune != "Total" || tab.Total.n != 20 {
		t.Errorf("total row %q n=%d", tab.Total.Commune, tab.Total.n)
	}
	sum := 0
	for i, r := range tab.Rows {
		n := 0
		for j, k := range tab.Kinds {
			want := ""
			if c := count[[2]string{r.Commune, k}]; c > 0 {
				want = fmt.Sprint(c)
				n += c
			}
			if r.Counts[j] != want {
				t.Errorf("%s, %s: %q, want %q", r.Commune, k, r.Counts[j], want)
			}
		}
		if r.n != n {
			t.Errorf("%s: n=%d, want %d", r.Commune, r.n, n)
		}
		sum += n
		if i > 0 {
			p := tab.Rows[i-1]
			if p.n < r.n || p.n == r.n && p.Commune >= r.Commune {
				t.Errorf("rows %d and %d out of order: %s (%d) then %s (%d)", i-1, i, p.Commune, p.n, r.Commune, r.n)
			}
		}
	}
	if sum != 20 {
		t.Errorf("rows count %d structures", sum)
	}
	if structureTable(v.Structures[:maxPrintedList]) != nil {
		t.Errorf("a list of %d structures gets a table", maxPrintedList)
	}
	if tb := structureTable(v.Structures[:maxPrintedList+1]); tb == nil || tb.N != "13" {
		t.Errorf("a list of 13 structures: %+v", tb)
	}
}

// TestSplitCards: the need index goes to the details wherever it stands,
// and the first page keeps at most 7 figures, in order.
func TestSplitCards(t *testing.T) {
	var cs []card
	for i := range 9 {
		cs = append(cs, card{Label: fmt.Sprintf("Chiffre %d", i)})
	}
	cs = slices.Insert(cs, 2, card{Label: "Indice de besoin de soins"})
	key, more := splitCards(cs)
	var kl, ml []string
	for _, c := range key {
		kl = append(kl, c.Label)
	}
	for _, c := range more {
		ml = append(ml, c.Label)
	}
	if len(key) != maxKeyCards || kl[0] != "Chiffre 0" || kl[6] != "Chiffre 6" || slices.Contains(kl, "Indice de besoin de soins") {
		t.Errorf("first page %q", kl)
	}
	if !slices.Equal(ml, []string{"Indice de besoin de soins", "Chiffre 7", "Chiffre 8"}) {
		t.Errorf("details %q", ml)
	}
}

// TestEmergencyCardModelError: the first page's emergency card of the CC
// Pays de Nemours (mean 17 minutes, 5 % beyond 30) recalls, for modelled
// times, the model's measured error (3.7 minutes, section 4); for times
// from a full matrix (no error stated) it says nothing more.
func TestEmergencyCardModelError(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	r := *rep
	withAccess(&r)
	if r.TravelTimeError == "" {
		t.Fatal("the engine's report states no travel-time error")
	}
	const base = "5\u00a0% de la population à plus de 30 minutes"
	for _, tc := range []struct{ err, want string }{
		{r.TravelTimeError, base + " ; temps estimés par un modèle, écart moyen mesuré de 3,7\u00a0min (section 4)"},
		{"", base},
	} {
		r.TravelTimeError = tc.err
		found := false
		for _, c := range cards(&r, newNotebook()) {
			if c.Label == "Temps d'accès moyen aux urgences" {
				found = true
				if c.Note != tc.want || c.Value.Text != "17" {
					t.Errorf("error %q: card %q %q, want 17 and %q", tc.err, c.Value.Text, c.Note, tc.want)
				}
			}
		}
		if !found {
			t.Error("no emergency card")
		}
	}
}
