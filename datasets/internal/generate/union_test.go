package main

import (
	"encoding/json"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// sampleContours reads testdata/contours_sample.geojson: the raw COG 2018
// features (contours-france-geojson) of a few communes, grouped by the
// current commune they belong to.
func sampleContours(t *testing.T) (map[string]orb.MultiPolygon, map[string]int) {
	t.Helper()
	b, err := os.ReadFile("testdata/contours_sample.geojson")
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Properties struct{ Code, Commune2026 string }
			Geometry   struct {
				Type        string
				Coordinates json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		t.Fatal(err)
	}
	geoms, parts := map[string]orb.MultiPolygon{}, map[string]int{}
	for _, f := range fc.Features {
		var mp orb.MultiPolygon
		if f.Geometry.Type == "Polygon" {
			var p orb.Polygon
			err = json.Unmarshal(f.Geometry.Coordinates, &p)
			mp = orb.MultiPolygon{p}
		} else {
			err = json.Unmarshal(f.Geometry.Coordinates, &mp)
		}
		if err != nil {
			t.Fatal(err)
		}
		geoms[f.Properties.Commune2026] = append(geoms[f.Properties.Commune2026], mp...)
		parts[f.Properties.Commune2026]++
	}
	return geoms, parts
}

func vertices(mp orb.MultiPolygon) int {
	n := 0
	for _, p := range mp {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// TestUnionMergedCommunes: the old communes of Montaigu-Vendée (85146, five
// COG 2018 communes merged in 2019) and of Saint-Denis (93066, with
// Pierrefitte-sur-Seine in 2025) become one polygon with one ring: their
// shared borders are gone, the area is the sum of the parts (the raw
// contours share their borders exactly: no sliver, no overlap).
func TestUnionMergedCommunes(t *testing.T) {
	geoms, parts := sampleContours(t)
	g := &gen{log: slog.New(slog.DiscardHandler)}
	before := map[string]orb.MultiPolygon{}
	for code, mp := range geoms {
		before[code] = mp.Clone()
	}
	cs := &contourSet{geom: geoms}
	if err := g.unionMerged(cs, parts); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]int{"85146": 5, "93066": 2, "08173": 4} {
		if parts[code] != want || len(before[code]) != want {
			t.Fatalf("%s: %d parts, %d polygons in the sample, want %d", code, parts[code], len(before[code]), want)
		}
		if validate(before[code]) == nil {
			t.Errorf("%s: parts side by side pass as a valid multipolygon: the check cannot fail", code)
		}
	}
	for _, code := range []string{"85146", "93066"} {
		u := cs.geom[code]
		if len(u) != 1 || len(u[0]) != 1 {
			t.Errorf("%s: %d polygons, first with %d rings; want one polygon, one ring", code, len(u), len(u[0]))
		}
		if err := validate(u); err != nil {
			t.Errorf("%s: union not valid: %v", code, err)
		}
		if a, b := planar.Area(before[code]), planar.Area(u); math.Abs(a-b) > 1e-12 {
			t.Errorf("%s: area %.12f, parts add up to %.12f", code, b, a)
		}
		if vb, va := vertices(before[code]), vertices(u); va >= vb {
			t.Errorf("%s: %d vertices after the union, %d before: shared borders kept", code, va, vb)
		}
		if u[0][0].Orientation() != orb.CW {
			t.Errorf("%s: exterior ring not clockwise like the raw contours", code)
		}
	}
	// Flize (08173) surrounds an exclave of Singly (08422): its union has a
	// hole, the size of that exclave.
	f := cs.geom["08173"]
	if len(f) != 1 || len(f[0]) != 2 {
		t.Fatalf("Flize: %d polygons, first with %d rings; want one polygon with one hole", len(f), len(f[0]))
	}
	exclave := math.Min(planar.Area(cs.geom["08422"][0]), planar.Area(cs.geom["08422"][1]))
	if hole := planar.Area(f[0][1]); math.Abs(hole-exclave) > 1e-12 {
		t.Errorf("Flize's hole: %.9f square degrees, Singly's exclave %.9f", hole, exclave)
	}
	// Communes of a single COG 2018 feature are left as they are.
	if len(cs.geom["35351"]) != 1 || vertices(cs.geom["35351"]) != vertices(before["35351"]) {
		t.Error("Verger (35351), a single feature, was changed")
	}
	if g.contourStats.merged != 3 || g.contourStats.partsBefore != 11 || g.contourStats.polygonsAfter != 3 {
		t.Errorf("stats %+v, want 3 communes, 11 polygons -> 3", g.contourStats)
	}
}

// TestRepairInvalid: Condé-en-Normandie (14174) has a ring that touches
// itself in the raw data; the overlay splits it and keeps the area. A ring
// that crosses itself cannot be repaired so: the generator refuses it.
func TestRepairInvalid(t *testing.T) {
	geoms, _ := sampleContours(t)
	conde := geoms["14174"]
	if validate(conde) == nil {
		t.Fatal("Condé-en-Normandie's raw contour passes as valid")
	}
	g := &gen{log: slog.New(slog.DiscardHandler)}
	m := map[string]orb.MultiPolygon{"14174": conde.Clone(), "35351": geoms["35351"]}
	if err := g.repairInvalid(m); err != nil {
		t.Fatal(err)
	}
	if err := validate(m["14174"]); err != nil {
		t.Errorf("repaired contour not valid: %v", err)
	}
	if a, b := planar.Area(conde), planar.Area(m["14174"]); math.Abs(a-b) > 1e-9*a {
		t.Errorf("repair changed the area: %g -> %g", a, b)
	}
	if len(g.contourStats.repaired) != 1 || g.contourStats.repaired[0] != "14174" {
		t.Errorf("repaired %v, want 14174 only", g.contourStats.repaired)
	}
	bowtie := map[string]orb.MultiPolygon{"x": {{{{0, 0}, {2, 2}, {2, 0}, {0, 2}, {0, 0}}}}}
	if err := g.repairInvalid(bowtie); err == nil {
		t.Errorf("a bowtie was repaired into %v", bowtie["x"])
	}
}

// TestSimplifyValid: every contour of the sample comes out valid; the ones
// the default simplification or rounding would break take the documented
// way out.
func TestSimplifyValid(t *testing.T) {
	geoms, parts := sampleContours(t)
	g := &gen{log: slog.New(slog.DiscardHandler)}
	if err := g.unionMerged(&contourSet{geom: geoms}, parts); err != nil {
		t.Fatal(err)
	}
	if err := g.repairInvalid(geoms); err != nil {
		t.Fatal(err)
	}
	type way struct {
		finer, overlay bool
		factor         int
	}
	want := map[string]way{
		"85146": {factor: roundFactor}, "93066": {factor: roundFactor}, "08173": {factor: roundFactor},
		"08422": {factor: roundFactor}, "14174": {factor: roundFactor},
		// Verger narrows below 10 m: 4 decimals make its border cross itself.
		"35351": {finer: true, factor: rawRoundFactor},
		// Autricourt: rounding makes its ring touch itself, the overlay splits it.
		"21034": {overlay: true, factor: roundFactor},
		// Bandraboua (Mayotte): both.
		"97602": {finer: true, overlay: true, factor: roundFactor},
	}
	for code, mp := range geoms {
		s, tol, factor, overlaid, err := simplifyValid(mp)
		if err != nil {
			t.Errorf("%s: %v", code, err)
			continue
		}
		if err := validate(s); err != nil {
			t.Errorf("%s: simplified contour not valid: %v", code, err)
		}
		if got := (way{tol < simplifyTolerance, overlaid, factor}); got != want[code] {
			t.Errorf("%s: %+v (tolerance %g), want %+v", code, got, tol, want[code])
		}
		for _, p := range s {
			for _, r := range p {
				for _, pt := range r {
					if x := pt[0] * float64(factor); math.Abs(x-math.Round(x)) > 1e-6 {
						t.Fatalf("%s: %v not rounded to 1/%d", code, pt, factor)
					}
				}
			}
		}
	}
	// The overlay of a ring that crosses itself loses a lobe: refused.
	if r, ok := overlayRounded(orb.MultiPolygon{{{{0, 0}, {0.02, 0.02}, {0.02, 0}, {0, 0.02}, {0, 0}}}}, roundFactor); ok {
		t.Errorf("bowtie accepted as %v", r)
	}
	if len(want) != len(geoms) {
		t.Errorf("%d communes in the sample, want %d", len(geoms), len(want))
	}
}

// TestUnionRefusesSlivers: two old communes whose contours leave a 1 m gap
// between them would be drawn with a sliver hole; the generator stops.
func TestUnionRefusesSlivers(t *testing.T) {
	g := &gen{log: slog.New(slog.DiscardHandler)}
	// Two squares of 0.01° side stacked in a U around a third, with a
	// gap of 1e-5° (about 1 m) between them on one side.
	left := orb.Polygon{{{0, 0}, {0, 0.03}, {0.01, 0.03}, {0.01, 0}, {0, 0}}}
	right := orb.Polygon{{{0.01, 0}, {0.01, 0.01}, {0.02, 0.01}, {0.02, 0.02}, {0.01, 0.02}, {0.01, 0.03}, {0.03, 0.03}, {0.03, 0}, {0.01, 0}}}
	gapped := orb.Polygon{{{0.01001, 0.01}, {0.01001, 0.02}, {0.02, 0.02}, {0.02, 0.01}, {0.01001, 0.01}}}
	cs := &contourSet{geom: map[string]orb.MultiPolygon{"00001": {left, right}, "00002": {left, right, gapped}}}
	if err := g.unionMerged(cs, map[string]int{"00001": 2}); err != nil {
		t.Fatalf("U with a real hole refused: %v", err)
	}
	if u := cs.geom["00001"]; len(u) != 1 || len(u[0]) != 2 {
		t.Errorf("U of two squares: %v, want one polygon with its hole", u)
	}
	err := g.unionMerged(cs, map[string]int{"00002": 3})
	if err == nil || !strings.Contains(err.Error(), "sliver") {
		t.Errorf("union with a 1 m gap: %v, want a sliver error", err)
	}
}
