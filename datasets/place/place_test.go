package place

import (
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
	for in, want := range map[string]string{"770000214": "77", "2A0000014": "2A", "970400024": "974", "970211215": "972", "970300026": "973", "970106985": "971", "x": ""} {
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
