package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestViewOfNemours checks the page's view model where the page shows
// counts and choices: the France share of APL from GPs of 65 and over,
// communes without APL or contour counted for the notes, the EPCI column
// only for several EPCI, the CPTS cell (n.d. where unknown, else the
// names or "aucune"), the
// professions' level heads (the département with its code), and the
// structures rows (centre types under "cds", counts per 10,000).
func TestViewOfNemours(t *testing.T) {
	r, contours := testReport(t, "epci:200023240")
	v, err := newView(r, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fr := levelKind(r, "france")
	if fr == nil || fr.ShareFrom65Plus == nil || v.France65 != Pct(*fr.ShareFrom65Plus, 0) || v.France65 == "" {
		t.Errorf("France65 %q", v.France65)
	}
	if v.NoAPL != 0 || v.MapMissing != 0 || v.MultiEPCI {
		t.Errorf("Nemours: %d without APL, %d without contour, multi-EPCI %v", v.NoAPL, v.MapMissing, v.MultiEPCI)
	}
	if got := strings.Join(v.ProfLevels, " | "); got != "Seine-et-Marne (77) | Île-de-France | France" {
		t.Errorf("profession levels %q", got)
	}
	// The CPTS perimeters of Seine-et-Marne are unknown: n.d., not "aucune".
	for i, c := range r.Communes {
		if cell := v.Communes[i].CPTS.Text; cell != NA {
			t.Errorf("%s: CPTS cell %q, want %s", c.Code, cell, NA)
		}
	}
	t0 := r.Levels[0].Figures
	for _, k := range v.Kinds {
		if want := k.Key != "cds" && strings.HasPrefix(k.Key, "cds"); k.Sub != want {
			t.Errorf("%s: under cds %v", k.Key, k.Sub)
		}
		if n := t0.Structures[k.Key]; n != nil && t0.Population > 0 {
			if want := Num(float64(*n)/float64(t0.Population)*10000, 2); k.Per10k.Text != want {
				t.Errorf("%s: %q per 10,000, want %q", k.Key, k.Per10k.Text, want)
			}
		}
	}

	// A commune without APL, one without contour, two EPCI.
	r2 := *r
	r2.Communes = append([]diagnostic.CommuneFigures(nil), r.Communes...)
	r2.Communes[0].APL2023 = nil
	r2.Communes[1].EPCI = "other"
	// Two communes where the CPTS are known: one in two CPTS, one in none.
	r2.Communes[3].Gaps, r2.Communes[3].CPTS = nil, []string{"CPTS A", "CPTS B"}
	r2.Communes[4].Gaps, r2.Communes[4].CPTS = nil, nil
	c2 := map[string]json.RawMessage{}
	for k, g := range contours {
		if k != r2.Communes[2].Code {
			c2[k] = g
		}
	}
	v, err = newView(&r2, c2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.NoAPL != 1 || v.MapMissing != 1 || !v.MultiEPCI {
		t.Errorf("changed: %d without APL, %d without contour, multi-EPCI %v", v.NoAPL, v.MapMissing, v.MultiEPCI)
	}
	if a, b := v.Communes[3].CPTS.Text, v.Communes[4].CPTS.Text; a != "CPTS A, CPTS B" || b != "aucune" {
		t.Errorf("known CPTS cells %q, %q", a, b)
	}
}
