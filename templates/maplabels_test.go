package templates

import (
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// nameSeries returns the names a map prints, and its neighbour regions.
func nameSeries(t *testing.T, spec chartSpec) (names []string, regions []string) {
	t.Helper()
	m := spec.Option
	for _, s := range m["series"].([]any) {
		sm, ok := s.(map[string]any)
		if !ok || sm["names"] != true {
			continue
		}
		for _, d := range sm["data"].([]map[string]any) {
			names = append(names, d["name"].(string))
		}
	}
	if rs, ok := m["geo"].(map[string]any)["regions"].([]map[string]any); ok {
		for _, r := range rs {
			regions = append(regions, r["name"].(string))
		}
	}
	return names, regions
}

// TestMapNames: a printed map names every commune of a small territory,
// the 15 most populous of a large one, and around a single commune its
// neighbours, drawn apart.
func TestMapNames(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	names, regions := nameSeries(t, mapChart(r))
	if len(names) != 21 || len(regions) != 0 {
		t.Errorf("CC Pays de Nemours: %d names (want its 21 communes), %d neighbour regions (want 0)", len(names), len(regions))
	}
	r, _ = testReport(t, "dep:48")
	names, _ = nameSeries(t, mapChart(r))
	if len(names) != largestNamed || names[0] != "Mende" || names[1] != "Marvejols" {
		t.Errorf("Lozère: names %v, want the %d most populous, Mende then Marvejols", names, largestNamed)
	}
	r, _ = testReport(t, "77333")
	names, regions = nameSeries(t, mapChart(r))
	if len(r.Neighbours) < 8 || len(names) != 1+len(r.Neighbours) || names[0] != "Nemours" || len(regions) != len(r.Neighbours) {
		t.Errorf("Nemours alone: names %v, %d neighbour regions, %d neighbours", names, len(regions), len(r.Neighbours))
	}
	if regions[0] != r.Neighbours[0].Code {
		t.Errorf("first neighbour region %s, want %s", regions[0], r.Neighbours[0].Code)
	}
	// The 65+ map names them too.
	if n, _ := nameSeries(t, share65MapChart(r)); len(n) != len(names) {
		t.Errorf("65+ map names %d places, the APL map %d", len(n), len(names))
	}
	// Neighbours are drawn: their contours join the page's map.
	_, contours := testReport(t, "77333")
	for _, n := range r.Neighbours {
		g, err := testSnap.Contours(n.Dep)
		if err != nil {
			t.Fatal(err)
		}
		contours[n.Code] = g[n.Code]
	}
	if fc := geoCollection(r, contours); len(fc.Features) != 1+len(r.Neighbours) {
		t.Errorf("map of Nemours alone has %d contours, want 1 + %d neighbours", len(fc.Features), len(r.Neighbours))
	}
	if got := len(labelledCommunes(&diagnostic.Report{})); got != 0 {
		t.Errorf("an empty report names %d communes", got)
	}
}

// TestMapNamesThreshold: a map names every commune up to 40 communes and
// only the 15 most populous from 41; communes of the same population keep
// the order of the report; a territory without neighbours adds no
// neighbour regions to the map (not even an empty list).
func TestMapNamesThreshold(t *testing.T) {
	lozere, _ := testReport(t, "dep:48")
	for _, tc := range []struct{ n, named int }{{nameEveryCommuneUpTo, nameEveryCommuneUpTo}, {nameEveryCommuneUpTo + 1, largestNamed}} {
		r := *lozere
		r.Communes = append([]diagnostic.CommuneFigures(nil), lozere.Communes[:tc.n]...)
		if got := len(labelledCommunes(&r)); got != tc.named {
			t.Errorf("%d communes of Lozère: %d named, want %d", tc.n, got, tc.named)
		}
		// The same population everywhere: the first communes of the report.
		for i := range r.Communes {
			r.Communes[i].Population = 100
		}
		got := labelledCommunes(&r)
		for i := range got {
			if got[i].Code != r.Communes[i].Code {
				t.Errorf("%d communes of equal population: name %d is %s, want %s (report order)", tc.n, i, got[i].Code, r.Communes[i].Code)
				break
			}
		}
	}
	m := mapChart(lozere).Option
	if _, ok := m["geo"].(map[string]any)["regions"]; ok {
		t.Error("the map of Lozère, which has no neighbours drawn, has a regions entry")
	}
}
