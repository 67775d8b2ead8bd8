package diagnostic

import (
	"strings"
	"testing"
)

// TestHADServing: HAD comes to the patient, so the report lists the HAD of
// the territory's départements (FINESS 2021: two in Seine-et-Marne) and no
// travel time to them.
func TestHADServing(t *testing.T) {
	r := buildReport(t, "epci:200023240")
	if !r.HADKnown || len(r.HADServing) != 2 || r.HADServing[0].Name != "HAD CENTRE 77 COULOMMIERS" || r.HADServing[1].Name != "HAD NORD SEINE ET MARNE" {
		t.Errorf("HAD of Seine-et-Marne: known %v, %+v", r.HADKnown, r.HADServing)
	}
	for _, a := range r.Access {
		if a.Kind == "had" {
			t.Error("a travel time to HAD is computed")
		}
	}
	for _, c := range r.Communes {
		if _, ok := c.Nearest["had"]; ok {
			t.Errorf("%s has a nearest HAD", c.Code)
		}
	}
	if !strings.Contains(r.TravelTimeError, "873 trajets") || !strings.Contains(r.TravelTimeError, "3,7 minutes en moyenne") {
		t.Errorf("model error: %q", r.TravelTimeError)
	}
	r = buildReport(t, "dep:48")
	for _, h := range r.HADServing {
		if !strings.HasPrefix(h.Commune, "48") || h.Kind != "had" {
			t.Errorf("Lozère's HAD list has %+v", h)
		}
	}
}
