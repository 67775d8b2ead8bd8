package main

import (
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func testCOG() *cog {
	return &cog{
		communes: map[string]*snapshot.Commune{"01033": {Code: "01033", Name: "Valserhône", Dep: "01"}, "13055": {Code: "13055", Name: "Marseille", Dep: "13"},
			"97411": {Code: "97411", Name: "Saint-Denis", Dep: "974"}},
		codes: []string{"01033", "13055", "97411"},
		arr: []snapshot.Arrondissement{{Code: "13201", Commune: "13055", Lat: 43.30, Lon: 5.38},
			{Code: "13208", Commune: "13055", Lat: 43.24, Lon: 5.38}},
		old:      map[string]snapshot.OldCode{"01091": {Code: "01091", Current: "01033"}},
		arrOf:    map[string]string{"13201": "13055"},
		postcode: map[string][]string{"01200": {"01033"}},
	}
}

func TestCurrent(t *testing.T) {
	c := testCOG()
	for in, want := range map[string]string{"01033": "01033 current", "01091": "01033 old", "13201": "13055 arrondissement", "99999": " "} {
		cur, kind, _ := c.current(in)
		if cur+" "+kind != want {
			t.Errorf("current(%s) = %s %s, want %s", in, cur, kind, want)
		}
	}
}

func TestPlace(t *testing.T) {
	g := &gen{cog: testCOG(), contours: &contourSet{geom: map[string]orb.MultiPolygon{
		"13055": {{{{5.3, 43.2}, {5.5, 43.2}, {5.5, 43.4}, {5.3, 43.4}, {5.3, 43.2}}}},
	}}, postalIndex: map[string][]postalCommune{
		"01200": {{Code: "01091", Name: "chatillon en michaille", Postcode: "01200"}, {Code: "01033", Name: "valserhone", Postcode: "01200"}},
	}}
	for code, mp := range g.contours.geom {
		b := mp.Bound()
		g.contours.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, code)
	}
	cases := []struct {
		e               snapshot.Establishment
		commune, placed string
	}{
		{snapshot.Establishment{HasPoint: true, Lat: 43.3, Lon: 5.4}, "13055", "polygon+arrondissement-nearest"},
		// A point at sea falls back on the postcode and city name; the old
		// commune of the postal file maps to today's.
		{snapshot.Establishment{HasPoint: true, Lat: 43.0, Lon: 5.4, Postcode: "01200", City: "CHATILLON EN MICHAILLE CEDEX 2"}, "01033", "postcode"},
		{snapshot.Establishment{Postcode: "01200", City: "AILLEURS"}, "01033", "postcode-unique"},
		{snapshot.Establishment{Postcode: "99999", City: "NULLE PART"}, "", ""},
		// Overseas CEDEX without point: the FINESS number gives 974, the
		// city name the commune (CHU Félix Guyon).
		{snapshot.Establishment{Finess: "970400024", Postcode: "97405", City: "ST DENIS CEDEX"}, "97411", "finess-dep-name"},
		// Marseille: the postcode gives the arrondissement, else the nearest point.
		{snapshot.Establishment{HasPoint: true, Lat: 43.25, Lon: 5.39, Postcode: "13008"}, "13055", "polygon"},
		{snapshot.Establishment{HasPoint: true, Lat: 43.25, Lon: 5.39, Postcode: "13285", City: "MARSEILLE CEDEX 08"}, "13055", "polygon+arrondissement-nearest"},
	}
	pl := g.placer()
	for i, c := range cases {
		pl.Place(&c.e, "")
		if c.e.Commune != c.commune || c.e.Placement != c.placed {
			t.Errorf("case %d: placed in %q by %q, want %q by %q", i, c.e.Commune, c.e.Placement, c.commune, c.placed)
		}
		if strings.HasPrefix(c.e.Postcode, "13") && c.e.Arrondissement != "13208" {
			t.Errorf("case %d: arrondissement %q, want 13208", i, c.e.Arrondissement)
		}
	}
}

func TestParseCSVShape(t *testing.T) {
	if _, err := parseCSV("x.csv", []byte("a;b\n1;2\n"), ';', "a", "c"); err == nil || !strings.Contains(err.Error(), "header changed") {
		t.Errorf("changed header accepted: %v", err)
	}
	if _, err := parseCSV("x.csv", []byte("a;b\n1;2;3\n"), ';', "a", "b"); err == nil || !strings.Contains(err.Error(), "x.csv:2") {
		t.Errorf("extra field: %v", err)
	}
	rows, err := parseCSV("x.csv", []byte("\ufeffa;b\r\n1;2\r\n"), ';', "a", "b")
	if err != nil || len(rows) != 1 || rows[0][1] != "2" {
		t.Errorf("BOM and CRLF: %v %v", rows, err)
	}
	if _, _, err := parseLatLon("91,2"); err == nil {
		t.Error("latitude 91 accepted")
	}
	if leftPad5("1001") != "01001" {
		t.Error("leftPad5")
	}
}

func TestRunFailsOnMissingInput(t *testing.T) {
	err := run(t.TempDir(), t.TempDir()+"/out")
	if err == nil || !strings.Contains(err.Error(), "missing input") {
		t.Errorf("run on an empty folder: %v", err)
	}
}
