package diagnostic

import (
	"reflect"
	"testing"

	"github.com/diagsante/diagsante/diagnostic/access"
)

// TestNeighboursOfOneCommune: the map of Nemours alone draws the communes
// around it, nearest first, within 12 km; a territory of several communes
// has none.
func TestNeighboursOfOneCommune(t *testing.T) {
	r := buildReport(t, "77333")
	n := r.Neighbours
	if len(n) < 8 || len(n) > maxNeighbours {
		t.Fatalf("%d neighbours of Nemours, want 8 to %d", len(n), maxNeighbours)
	}
	// The nearest by their La Poste points, computed apart from this code
	// (python over raw/laposte-hexasmal): Darvault 2.33 km,
	// Saint-Pierre-lès-Nemours 3.35 km, Bagneaux-sur-Loing 4.04 km.
	if n[0].Code != "77156" || n[0].Name != "Darvault" || n[0].Dep != "77" || n[1].Code != "77431" || n[2].Code != "77016" {
		t.Errorf("nearest neighbours %+v, want Darvault, Saint-Pierre-lès-Nemours, Bagneaux-sur-Loing", n[:3])
	}
	s := realEngine(t).Snap
	c := s.Commune("77333")
	prev := 0.0
	codes := map[string]bool{}
	for _, x := range n {
		km := access.HaversineKm(access.Point{Lat: c.Lat, Lon: c.Lon}, access.Point{Lat: x.Lat, Lon: x.Lon})
		if km > neighbourRadiusKm || km < prev {
			t.Errorf("%s at %.2f km (previous %.2f): want nearest first, within %d km", x.Code, km, prev, neighbourRadiusKm)
		}
		prev = km
		if x.Code == "77333" || codes[x.Code] {
			t.Errorf("neighbour %s listed twice or is Nemours itself", x.Code)
		}
		codes[x.Code] = true
	}
	for _, want := range []string{"77431", "77016", "77156"} { // Saint-Pierre, Bagneaux-sur-Loing, Darvault
		if !codes[want] {
			t.Errorf("neighbours lack %s", want)
		}
	}
	if got := buildReport(t, "epci:200023240").Neighbours; got != nil {
		t.Errorf("an EPCI has neighbours on its map: %v", got)
	}
	// An arrondissement is drawn with its city's outline: no neighbours.
	if got := buildReport(t, "13216").Neighbours; got != nil {
		t.Errorf("Marseille 16e has neighbours: %v", got)
	}
}

// TestNeighboursByLatitude: through the communes sorted by latitude, the
// neighbours of every 50th commune (and of communes at the edges: Corsica,
// the overseas départements, the far north) are those of the full scan.
func TestNeighboursByLatitude(t *testing.T) {
	s := realEngine(t).Snap
	byLat := communesByLat(s)
	codes := []string{"2A004", "2B033", "97101", "97411", "97608", "59183", "66136", "29019", "67482", "06088"}
	for i := 0; i < len(s.Communes); i += 50 {
		codes = append(codes, s.Communes[i].Code)
	}
	found := 0
	for _, code := range codes {
		r := &Report{Communes: []CommuneFigures{{Code: code}}}
		want, got := neighboursIn(s, r, nil), neighboursIn(s, r, byLat)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, the full scan gives %v", code, got, want)
		}
		found += len(want)
	}
	if found < 5*len(codes) {
		t.Errorf("%d neighbours for %d communes: too few to compare", found, len(codes))
	}
}
