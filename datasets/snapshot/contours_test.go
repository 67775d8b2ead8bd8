package snapshot

import (
	"testing"

	"github.com/peterstace/simplefeatures/geom"
)

// contourShape parses a contour of the snapshot without validating it and
// counts its polygons and holes.
func contourShape(t *testing.T, code string, raw []byte) (g geom.Geometry, polygons, holes int) {
	t.Helper()
	g, err := geom.UnmarshalGeoJSON(raw, geom.NoValidate{})
	if err != nil {
		t.Fatalf("contour of %s: %v", code, err)
	}
	mp, ok := g.AsMultiPolygon()
	if p, isPoly := g.AsPolygon(); isPoly {
		mp, ok = p.AsMultiPolygon(), true
	}
	if !ok {
		t.Fatalf("contour of %s is a %s", code, g.Type())
	}
	for i := 0; i < mp.NumPolygons(); i++ {
		holes += mp.PolygonN(i).NumInteriorRings()
	}
	return g, mp.NumPolygons(), holes
}

// TestContoursValid: every contour of the embedded snapshot is a valid OGC
// geometry (rings simple, polygons of a multipolygon not touching along a
// line), as QGIS and PostGIS check it. Before the generator unioned the
// merged communes, 331 of them were not.
func TestContoursValid(t *testing.T) {
	s := mustLoad(t)
	n, invalid := 0, 0
	for _, d := range s.Departements {
		g, err := s.Contours(d.Code)
		if err != nil {
			t.Fatal(err)
		}
		for code, raw := range g {
			n++
			geo, _, _ := contourShape(t, code, raw)
			if err := geo.Validate(); err != nil {
				invalid++
				if invalid <= 10 {
					t.Errorf("%s (dep %s): %v", code, d.Code, err)
				}
			}
		}
	}
	// 34,868 = 34,969 communes - 101 without a COG 2018 contour (the raw
	// contours have no arrondissements).
	if n != 34868 || invalid != 0 {
		t.Errorf("%d contours, %d invalid; want 34,868 and none", n, invalid)
	}
}

// TestMergedCommunesOneRing: communes merged since 2018 are drawn as one
// polygon with a single ring, without the borders of their old communes
// (issue 12: 10 in Vendée, 3 in Seine-et-Marne, Saint-Denis).
func TestMergedCommunesOneRing(t *testing.T) {
	s := mustLoad(t)
	merged := map[string][]string{
		// Montaigu-Vendée (85146) gathers five COG 2018 communes, Terval
		// (85289) and Rives-du-Fougerais (85292) three, Les Sables-d'Olonne
		// (85194) three, the others two.
		"85": {"85001", "85076", "85146", "85162", "85177", "85194", "85223", "85289", "85292", "85302"},
		"77": {"77109", "77433", "77504"},
		"93": {"93066"},
	}
	for dep, codes := range merged {
		g, err := s.Contours(dep)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range codes {
			raw, ok := g[code]
			if !ok {
				t.Errorf("%s: no contour", code)
				continue
			}
			_, polygons, holes := contourShape(t, code, raw)
			if polygons != 1 || holes != 0 {
				t.Errorf("%s: %d polygons, %d holes; want one ring", code, polygons, holes)
			}
		}
	}
	// Vendée: 253 communes in the COG 2026, 2 without a COG 2018 contour.
	if g, _ := s.Contours("85"); len(g) != 251 {
		t.Errorf("Vendée: %d contours, want 251", len(g))
	}
}
