package finess

import (
	"fmt"
	"math"
)

// FINESS gives coordinates in the official projected system of each
// territory. The projections are implemented here rather than through a
// PROJ binding: two closed-form maps are all that is needed, and a cgo
// dependency would break static builds. All the systems involved use the
// GRS80 ellipsoid (RGF93, RGAF09, RGFG95, RGR92, RGM04, RGSPM06) or WGS84,
// whose difference (0.1 mm on the semi-minor axis) and datum shifts
// (below 1 m) are far under the precision of the addresses geocoded.
const (
	grs80A = 6378137.0
	grs80F = 1 / 298.257222101
)

// A Projection converts between projected metres and WGS84 degrees.
type Projection interface {
	// Inverse returns longitude and latitude in degrees.
	Inverse(x, y float64) (lon, lat float64)
	// Forward returns easting and northing in metres.
	Forward(lon, lat float64) (x, y float64)
}

// ProjectionFor returns the projection of an EPSG code used by FINESS:
// 2154 (RGF93 / Lambert-93, metropolitan France), 5490 / 4559 / 32620
// (UTM 20N, Antilles), 2972 / 32622 (UTM 22N, Guyane), 2975 / 32740
// (UTM 40S, Réunion), 4471 / 32738 (UTM 38S, Mayotte), 32621 / 4467
// (UTM 21N, Saint-Pierre-et-Miquelon).
func ProjectionFor(epsg int) (Projection, error) {
	switch epsg {
	case 2154:
		return Lambert93, nil
	case 5490, 4559, 32620:
		return UTM(20, false), nil
	case 32621, 4467:
		return UTM(21, false), nil
	case 2972, 32622:
		return UTM(22, false), nil
	case 4471, 32738:
		return UTM(38, true), nil
	case 2975, 32740:
		return UTM(40, true), nil
	}
	return nil, fmt.Errorf("unsupported coordinate system EPSG:%d", epsg)
}

// LCC is a Lambert conformal conic projection with two standard parallels
// (EPSG method 9802) on the GRS80 ellipsoid.
type LCC struct {
	lon0, e, n, aF, rho0, x0, y0 float64
}

// Lambert93 is EPSG:2154, RGF93 / Lambert-93.
var Lambert93 = NewLCC(3, 46.5, 44, 49, 700000, 6600000)

// NewLCC returns the projection with central meridian lon0, latitude of
// origin lat0, standard parallels lat1 and lat2 (degrees) and false
// easting/northing x0, y0 (metres).
func NewLCC(lon0, lat0, lat1, lat2, x0, y0 float64) *LCC {
	e := math.Sqrt(grs80F * (2 - grs80F))
	m := func(phi float64) float64 { s := math.Sin(phi); return math.Cos(phi) / math.Sqrt(1-e*e*s*s) }
	t := func(phi float64) float64 {
		s := math.Sin(phi)
		return math.Tan(math.Pi/4-phi/2) / math.Pow((1-e*s)/(1+e*s), e/2)
	}
	p0, p1, p2 := rad(lat0), rad(lat1), rad(lat2)
	n := (math.Log(m(p1)) - math.Log(m(p2))) / (math.Log(t(p1)) - math.Log(t(p2)))
	aF := grs80A * m(p1) / (n * math.Pow(t(p1), n))
	return &LCC{lon0: rad(lon0), e: e, n: n, aF: aF, rho0: aF * math.Pow(t(p0), n), x0: x0, y0: y0}
}

// Forward projects degrees to metres.
func (p *LCC) Forward(lon, lat float64) (x, y float64) {
	phi := rad(lat)
	s := math.Sin(phi)
	t := math.Tan(math.Pi/4-phi/2) / math.Pow((1-p.e*s)/(1+p.e*s), p.e/2)
	rho := p.aF * math.Pow(t, p.n)
	theta := p.n * (rad(lon) - p.lon0)
	return p.x0 + rho*math.Sin(theta), p.y0 + p.rho0 - rho*math.Cos(theta)
}

// Inverse unprojects metres to degrees. The latitude is found by fixed-
// point iteration (Snyder, Map Projections, eq. 7-9), which converges to
// 1e-12 rad in a handful of steps at French latitudes.
func (p *LCC) Inverse(x, y float64) (lon, lat float64) {
	dx, dy := x-p.x0, p.rho0-(y-p.y0)
	rho := math.Copysign(math.Hypot(dx, dy), p.n)
	t := math.Pow(rho/p.aF, 1/p.n)
	theta := math.Atan2(dx, dy)
	phi := math.Pi/2 - 2*math.Atan(t)
	for range 20 {
		s := math.Sin(phi)
		next := math.Pi/2 - 2*math.Atan(t*math.Pow((1-p.e*s)/(1+p.e*s), p.e/2))
		if math.Abs(next-phi) < 1e-13 {
			phi = next
			break
		}
		phi = next
	}
	return deg(theta/p.n + p.lon0), deg(phi)
}

// TM is a transverse Mercator projection on the GRS80 ellipsoid, computed
// with Krüger's series to order n⁴ (Karney 2011), accurate to well under a
// millimetre within a UTM zone.
type TM struct {
	lon0, k0, x0, y0 float64
	n, A             float64
	alpha, beta      [4]float64
	delta            [4]float64
}

// UTM returns the projection of UTM zone (1–60), north or south.
func UTM(zone int, south bool) *TM {
	y0 := 0.0
	if south {
		y0 = 10000000
	}
	return NewTM(float64(zone)*6-183, 0.9996, 500000, y0)
}

// NewTM returns the transverse Mercator projection with central meridian
// lon0 (degrees), scale k0 and false easting/northing x0, y0.
func NewTM(lon0, k0, x0, y0 float64) *TM {
	n := grs80F / (2 - grs80F)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	return &TM{
		lon0: rad(lon0), k0: k0, x0: x0, y0: y0, n: n,
		A: grs80A / (1 + n) * (1 + n2/4 + n4/64),
		alpha: [4]float64{
			n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180,
			13*n2/48 - 3*n3/5 + 557*n4/1440,
			61*n3/240 - 103*n4/140,
			49561 * n4 / 161280,
		},
		beta: [4]float64{
			n/2 - 2*n2/3 + 37*n3/96 - n4/360,
			n2/48 + n3/15 - 437*n4/1440,
			17*n3/480 - 37*n4/840,
			4397 * n4 / 161280,
		},
		delta: [4]float64{
			2*n - 2*n2/3 - 2*n3 + 116*n4/45,
			7*n2/3 - 8*n3/5 - 227*n4/45,
			56*n3/15 - 136*n4/35,
			4279 * n4 / 630,
		},
	}
}

// Forward projects degrees to metres.
func (p *TM) Forward(lon, lat float64) (x, y float64) {
	phi, dl := rad(lat), rad(lon)-p.lon0
	c := 2 * math.Sqrt(p.n) / (1 + p.n)
	t := math.Sinh(math.Atanh(math.Sin(phi)) - c*math.Atanh(c*math.Sin(phi)))
	xi := math.Atan2(t, math.Cos(dl))
	eta := math.Atanh(math.Sin(dl) / math.Sqrt(1+t*t))
	X, E := xi, eta
	for j, a := range p.alpha {
		k := float64(2 * (j + 1))
		X += a * math.Sin(k*xi) * math.Cosh(k*eta)
		E += a * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	return p.x0 + p.k0*p.A*E, p.y0 + p.k0*p.A*X
}

// Inverse unprojects metres to degrees.
func (p *TM) Inverse(x, y float64) (lon, lat float64) {
	xi := (y - p.y0) / (p.k0 * p.A)
	eta := (x - p.x0) / (p.k0 * p.A)
	xp, ep := xi, eta
	for j, b := range p.beta {
		k := float64(2 * (j + 1))
		xp -= b * math.Sin(k*xi) * math.Cosh(k*eta)
		ep -= b * math.Cos(k*xi) * math.Sinh(k*eta)
	}
	chi := math.Asin(math.Sin(xp) / math.Cosh(ep))
	phi := chi
	for j, d := range p.delta {
		phi += d * math.Sin(float64(2*(j+1))*chi)
	}
	return deg(p.lon0 + math.Atan2(math.Sinh(ep), math.Cos(xp))), deg(phi)
}

func rad(d float64) float64 { return d * math.Pi / 180 }
func deg(r float64) float64 { return r * 180 / math.Pi }
