package finess

import (
	"math"
	"testing"
)

// Reference values computed with PROJ 9 (cs2cs EPSG:xxxx EPSG:4326).
var projCases = []struct {
	epsg     int
	x, y     float64
	lat, lon float64
}{
	{2154, 870262.2, 6571540.8, 46.222285715, 5.209181131},   // DATA.md control point
	{2154, 652528.4, 6170082.7, 42.628859309, 2.422035192},   // Prades
	{2154, 716739.9, 6263401.8, 43.469513880, 3.206786187},   // Magalas (Occitanie file's own WGS84)
	{2154, 1200000, 6100000, 41.829506140, 9.010871732},      // south of Corsica, far from the origin
	{5490, 657242.9, 1795384.4, 16.234004328, -61.528737061}, // Guadeloupe
	{2972, 353000, 542000, 4.902209019, -52.325752250},       // Guyane
	{2975, 338000, 7690000, -20.883144691, 55.442593827},     // Réunion
	{4471, 515000, 8587000, -12.781709485, 45.138203691},     // Mayotte
	{32621, 560000, 5190000, 46.860833580, -56.212831908},    // Saint-Pierre-et-Miquelon
}

func TestInverseAgainstPROJ(t *testing.T) {
	for _, c := range projCases {
		p, err := ProjectionFor(c.epsg)
		if err != nil {
			t.Fatal(err)
		}
		lon, lat := p.Inverse(c.x, c.y)
		// 1e-7 degree is about 1 cm.
		if math.Abs(lon-c.lon) > 1e-7 || math.Abs(lat-c.lat) > 1e-7 {
			t.Errorf("EPSG:%d (%v, %v) → lon %.9f lat %.9f, want %.9f %.9f", c.epsg, c.x, c.y, lon, lat, c.lon, c.lat)
		}
	}
}

func TestControlPoint(t *testing.T) {
	lon, lat := Lambert93.Inverse(870262.2, 6571540.8)
	if math.Abs(lon-5.20918) > 1e-5 || math.Abs(lat-46.22229) > 1e-5 {
		t.Fatalf("control point → lon %v lat %v, want 5.20918 46.22229", lon, lat)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, c := range projCases {
		p, _ := ProjectionFor(c.epsg)
		for _, d := range []float64{-0.5, 0, 0.7} {
			x, y := p.Forward(c.lon+d, c.lat+d)
			lon, lat := p.Inverse(x, y)
			if math.Abs(lon-(c.lon+d)) > 1e-9 || math.Abs(lat-(c.lat+d)) > 1e-9 {
				t.Errorf("EPSG:%d round trip of (%v, %v) gives (%v, %v)", c.epsg, c.lon+d, c.lat+d, lon, lat)
			}
		}
		x, y := p.Forward(c.lon, c.lat)
		if math.Abs(x-c.x) > 0.01 || math.Abs(y-c.y) > 0.01 {
			t.Errorf("EPSG:%d forward (%v, %v) = (%.3f, %.3f), want (%v, %v)", c.epsg, c.lon, c.lat, x, y, c.x, c.y)
		}
	}
}

// TestUTMMeridian checks the series against an independent value: on the
// central meridian, the UTM northing is k0 times the meridian arc, which
// is 4,984,944.378 m from the equator to 45° on GRS80.
func TestUTMMeridian(t *testing.T) {
	x, y := UTM(31, false).Forward(3, 45)
	if math.Abs(x-500000) > 1e-6 || math.Abs(y-0.9996*4984944.378) > 0.001 {
		t.Fatalf("UTM 31N (3°E, 45°N) = (%v, %v)", x, y)
	}
	if _, err := ProjectionFor(27572); err == nil {
		t.Fatal("EPSG:27572 accepted")
	}
}
