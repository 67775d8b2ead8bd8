package place

import (
	"math"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func TestArrondissementOfPostcode(t *testing.T) {
	for _, c := range []struct{ commune, postcode, want string }{
		{"75056", "75001", "75101"},
		{"75056", "75020", "75120"},
		{"75056", "75016", "75116"},
		{"75056", "75116", "75116"},
		{"75056", "75571", ""}, // CEDEX
		{"75056", "75021", ""},
		{"69123", "69003", "69383"},
		{"69123", "69009", "69389"},
		{"69123", "69010", ""},
		{"13055", "13016", "13216"},
		{"13055", "13001", "13201"},
		{"13055", "13100", ""},
		{"13055", "13017", ""},
		{"77333", "77140", ""},
	} {
		if got := ArrondissementOfPostcode(c.commune, c.postcode); got != c.want {
			t.Errorf("ArrondissementOfPostcode(%s, %s) = %q, want %q", c.commune, c.postcode, got, c.want)
		}
	}
}

func TestDepOfFiness(t *testing.T) {
	for in, want := range map[string]string{"770000214": "77", "2A0000014": "2A", "970400024": "974", "970211215": "972", "970300026": "973", "970106985": "971", "9704": "974", "970": "", "x": ""} {
		if got := DepOfFiness(in); got != want {
			t.Errorf("DepOfFiness(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCity(t *testing.T) {
	for in, want := range map[string]string{"ST DENIS CEDEX": "saint denis", "FORT DE FRANCE CEDEX 1": "fort de france", "STE CLOTILDE CEDEX": "sainte clotilde"} {
		if got := City(in); got != want {
			t.Errorf("City(%q) = %q, want %q", in, got, want)
		}
	}
}

// A site the embedded table placed by its point keeps that commune while
// its point is unchanged (the binary's contours are simplified); a moved
// point, or one the embedded table placed otherwise, is located again.
func TestPlaceKeepsPreviousPointPlacement(t *testing.T) {
	communes := []snapshot.Commune{{Code: "06083", Name: "Menton", Dep: "06"}, {Code: "06104", Name: "Roquebrune-Cap-Martin", Dep: "06"}}
	current := func(code string) (string, string, bool) {
		for _, c := range communes {
			if c.Code == code {
				return code, "current", true
			}
		}
		return "", "", false
	}
	locate := func(lat, lon float64) string { return "06104" }
	prev := map[string]snapshot.Establishment{
		"060002102": {Finess: "060002102", Commune: "06083", Placement: "polygon", Lat: 43.775722, Lon: 7.4735, HasPoint: true},
		"060000001": {Finess: "060000001", Commune: "06083", Placement: "insee", Lat: 43.775722, Lon: 7.4735, HasPoint: true},
	}
	p := New(Source{Communes: communes, Current: current, Locate: locate, Previous: prev})
	for _, c := range []struct {
		name, finess string
		lat, lon     float64
		want         string
	}{
		{"same point, placed by point", "060002102", 43.775722, 7.4735, "06083"},
		{"moved point", "060002102", 43.775723, 7.4735, "06104"},
		{"previously placed by INSEE code", "060000001", 43.775722, 7.4735, "06104"},
		{"unknown site", "060000002", 43.775722, 7.4735, "06104"},
	} {
		x := snapshot.Establishment{Finess: c.finess, Lat: c.lat, Lon: c.lon, HasPoint: true}
		p.Place(&x, "")
		if x.Commune != c.want || x.Placement != "polygon" {
			t.Errorf("%s: placed in %s (%s), want %s (polygon)", c.name, x.Commune, x.Placement, c.want)
		}
	}
}

// placeFixture is a small COG: Nemours and Fontainebleau (77), two
// Saint-Denis (93 and La Réunion), Paris with two arrondissements; 77999
// is an old code of Nemours; only Nemours has a contour.
func placeFixture() *Placer {
	communes := []snapshot.Commune{
		{Code: "77333", Name: "Nemours", Dep: "77"}, {Code: "77186", Name: "Fontainebleau", Dep: "77"},
		{Code: "93066", Name: "Saint-Denis", Dep: "93"}, {Code: "97411", Name: "Saint-Denis", Dep: "974"},
		{Code: "75056", Name: "Paris", Dep: "75"},
		{Code: "77001", Name: "Achères-la-Forêt", Dep: "77"}, {Code: "77002", Name: "Achères la Forêt", Dep: "77"},
	}
	arrs := []snapshot.Arrondissement{
		{Code: "75101", Name: "Paris 1er", Commune: "75056", Lat: 48.8626, Lon: 2.3363},
		{Code: "75108", Name: "Paris 8e", Commune: "75056", Lat: 48.8727, Lon: 2.3125},
	}
	current := func(code string) (string, string, bool) {
		switch code {
		case "77999":
			return "77333", "old", true
		case "75101", "75108":
			return "75056", "arrondissement", true
		}
		for _, c := range communes {
			if c.Code == code {
				return code, "current", true
			}
		}
		return "", "", false
	}
	locate := func(lat, lon float64) string {
		if math.Abs(lat-48.27) < 0.05 && math.Abs(lon-2.70) < 0.05 {
			return "77333"
		}
		return ""
	}
	postal := map[string][]Postal{
		"77300": {{Code: "77186", Name: "fontainebleau"}},
		"77250": {{Code: "77186", Name: "veneux les sablons"}, {Code: "77333", Name: "moret"}},
		"77140": {{Code: "77333", Name: "nemours"}},
		"77141": {{Code: "77999", Name: "nemours"}}, // the same commune again, by an old code
		"97490": {{Code: "97411", Name: "sainte clotilde"}},
		"77760": {{Code: "77998", Name: "nowhere"}}, // a code unknown to the COG
	}
	cog := map[string][]string{"77123": {"77186"}, "77124": {"77186", "77333"}}
	return New(Source{Communes: communes, Arrondissements: arrs, Current: current, Locate: locate, Postal: postal, CogPostcode: cog})
}

// TestPlaceRules checks each rule of the placement, in its order: the
// source's INSEE code, the point, the postcode and city, the city among
// the communes of the FINESS number's département, then the
// arrondissement of Paris, Lyon and Marseille.
func TestPlaceRules(t *testing.T) {
	p := placeFixture()
	nemoursPt := func(x snapshot.Establishment) snapshot.Establishment {
		x.Lat, x.Lon, x.HasPoint = 48.27, 2.70, true
		return x
	}
	for _, c := range []struct {
		name  string
		x     snapshot.Establishment
		insee string
		want  string // commune placement arrondissement
	}{
		{"INSEE code", snapshot.Establishment{Finess: "770000001"}, "77333", "77333 insee "},
		{"old INSEE code", snapshot.Establishment{Finess: "770000001"}, "77999", "77333 insee "},
		{"the code wins over the point", nemoursPt(snapshot.Establishment{Finess: "770000001"}), "77186", "77186 insee "},
		{"unknown code: the point", nemoursPt(snapshot.Establishment{Finess: "770000001", Postcode: "77300", City: "FONTAINEBLEAU"}), "77998", "77333 polygon "},
		{"point outside every contour: postcode and city", snapshot.Establishment{Finess: "770000001", Lat: 10, Lon: 10, HasPoint: true, Postcode: "77300", City: "FONTAINEBLEAU CEDEX"}, "", "77186 postcode "},
		{"point not used without HasPoint", snapshot.Establishment{Finess: "770000001", Lat: 48.27, Lon: 2.70, Postcode: "77300", City: "FONTAINEBLEAU"}, "", "77186 postcode "},
		{"postcode of two communes, city of one", snapshot.Establishment{Finess: "770000001", Postcode: "77250", City: "MORET"}, "", "77333 postcode "},
		{"postcode of two communes, city of none", snapshot.Establishment{Finess: "770000001", Postcode: "77250", City: "ECUELLES"}, "", "  "},
		{"postcode of one commune, other city", snapshot.Establishment{Finess: "770000001", Postcode: "77300", City: "AVON"}, "", "77186 postcode-unique "},
		{"postcode of one commune under two codes", snapshot.Establishment{Finess: "770000001", Postcode: "77141", City: "ORMESSON"}, "", "77333 postcode-unique "},
		{"postcode naming an unknown code", snapshot.Establishment{Finess: "770000001", Postcode: "77760", City: "NOWHERE"}, "", "  "},
		{"COG postcode and name", snapshot.Establishment{Finess: "770000001", Postcode: "77124", City: "NEMOURS"}, "", "77333 postcode "},
		{"COG postcode of one commune", snapshot.Establishment{Finess: "770000001", Postcode: "77123", City: "AVON"}, "", "77186 postcode-unique "},
		{"city in the FINESS département", snapshot.Establishment{Finess: "970400001", City: "ST DENIS CEDEX"}, "", "97411 finess-dep-name "},
		{"city in another département", snapshot.Establishment{Finess: "930000001", City: "ST DENIS"}, "", "93066 finess-dep-name "},
		{"La Poste locality", snapshot.Establishment{Finess: "970400001", City: "STE CLOTILDE"}, "", "97411 finess-dep-name "},
		{"name listed twice for one commune", snapshot.Establishment{Finess: "770000001", City: "NEMOURS"}, "", "77333 finess-dep-name "},
		{"name of two communes", snapshot.Establishment{Finess: "770000001", City: "ACHERES LA FORET"}, "", "  "},
		{"arrondissement from the source", snapshot.Establishment{Finess: "750000001", Postcode: "75001"}, "75108", "75056 insee 75108"},
		{"arrondissement from the postcode", snapshot.Establishment{Finess: "750000001", Postcode: "75001"}, "75056", "75056 insee 75101"},
		{"CEDEX: nearest arrondissement", snapshot.Establishment{Finess: "750000001", Postcode: "75571", Lat: 48.871, Lon: 2.313, HasPoint: true}, "75056", "75056 insee+arrondissement-nearest 75108"},
		{"CEDEX without point", snapshot.Establishment{Finess: "750000001", Postcode: "75571"}, "75056", "75056 insee "},
		{"not a city with arrondissements", snapshot.Establishment{Finess: "770000001", Postcode: "75001"}, "77333", "77333 insee "},
	} {
		x := c.x
		x.Commune, x.Placement, x.Arrondissement = "stale", "stale", "stale"
		p.Place(&x, c.insee)
		if got := x.Commune + " " + x.Placement + " " + x.Arrondissement; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A CEDEX site at equal distance from two arrondissements goes to the
// smaller code, whatever their order; the nearest wins otherwise.
func TestNearestArrondissementTie(t *testing.T) {
	a := snapshot.Arrondissement{Code: "69381", Commune: "69123", Lat: 45.0, Lon: 4.0}
	b := snapshot.Arrondissement{Code: "69382", Commune: "69123", Lat: 45.0, Lon: 4.5} // 4.25 ± 0.25: an exact tie
	far := snapshot.Arrondissement{Code: "69380", Commune: "69123", Lat: 46.0, Lon: 4.1}
	current := func(code string) (string, string, bool) { return code, "current", code == "69123" }
	for _, arrs := range [][]snapshot.Arrondissement{{a, b, far}, {b, a, far}, {far, b, a}} {
		p := New(Source{Communes: []snapshot.Commune{{Code: "69123", Name: "Lyon", Dep: "69"}}, Arrondissements: arrs, Current: current})
		for _, c := range []struct {
			lon  float64
			want string
		}{{4.25, "69381"}, {4.26, "69382"}, {4.24, "69381"}} {
			x := snapshot.Establishment{Finess: "690000001", Postcode: "69441", Lat: 45.0, Lon: c.lon, HasPoint: true}
			p.Place(&x, "69123")
			if x.Arrondissement != c.want {
				t.Errorf("order %s %s %s, lon %v: %s, want %s", arrs[0].Code, arrs[1].Code, arrs[2].Code, c.lon, x.Arrondissement, c.want)
			}
		}
	}
}

// haversineKm against known great-circle distances (mean Earth radius
// 6371.0088 km).
func TestHaversineKm(t *testing.T) {
	for _, c := range []struct {
		lat1, lon1, lat2, lon2, want float64
	}{
		{48.8566, 2.3522, 45.7640, 4.8357, 391.5}, // Paris – Lyon
		{0, 0, 0, 1, 111.195},                     // one degree of the equator
		{0, 0, 1, 0, 111.195},                     // one degree of a meridian
		{-21.115, 55.536, -20.882, 55.450, 27.36}, // Saint-Pierre – Saint-Denis (La Réunion)
		{45, 4, 45, 4, 0},
	} {
		got := haversineKm(c.lat1, c.lon1, c.lat2, c.lon2)
		back := haversineKm(c.lat2, c.lon2, c.lat1, c.lon1)
		if math.Abs(got-c.want) > 0.01*c.want+0.001 || math.Abs(got-back) > 1e-9 {
			t.Errorf("haversineKm(%v, %v, %v, %v) = %.3f (back %.3f), want %.3f", c.lat1, c.lon1, c.lat2, c.lon2, got, back, c.want)
		}
	}
}
