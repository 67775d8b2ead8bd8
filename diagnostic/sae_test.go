package diagnostic

import "testing"

// TestSAEUnknownPassagesAndSitesWithoutBirths: the SAE 2020 reports no
// passages for the CH de Chaumont (520000027: empty PASSU; 21,091 in 2019),
// which the report says instead of "0 passage"; an authorised maternity
// site without a birth in 2020 is not a maternity (GHPSO Creil, 600000467,
// closed: 1,290 births in 2018, 80 in 2019, 0 in 2020), so Creil's nearest
// maternity is the GHPSO's site in Senlis (600000053), 9.1 km as the crow
// flies (haversine from the commune points, checked with python).
func TestSAEUnknownPassagesAndSitesWithoutBirths(t *testing.T) {
	r := buildReport(t, "52121")
	found := 0
	for _, s := range r.Structures {
		if s.Finess != "520000027" {
			continue
		}
		switch s.Kind {
		case "emergency":
			found++
			if s.Detail != "urgences générales ; nombre de passages non renseigné dans la SAE 2020" {
				t.Errorf("Chaumont emergency detail %q", s.Detail)
			}
		case "maternity":
			found++
			if s.Detail != "maternité de type 2 ; 540 accouchements en 2020" {
				t.Errorf("Chaumont maternity detail %q", s.Detail)
			}
		}
	}
	if found != 2 {
		t.Errorf("CH de Chaumont: %d of its emergency and maternity entries", found)
	}

	r = buildReport(t, "60175")
	m, ok := r.Communes[0].Nearest["maternity"]
	if !ok || m.Finess != "600000053" || m.Km != 9.1 {
		t.Errorf("Creil's nearest maternity %+v, want CH GHPSO Senlis (600000053) at 9.1 km", m)
	}
	for _, s := range r.Structures {
		if s.Finess == "600000467" && s.Kind == "maternity" {
			t.Error("GHPSO Creil, without a birth in 2020, listed as a maternity")
		}
	}
}
