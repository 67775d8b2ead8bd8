package access

import "math"

// A Point is a WGS84 position in decimal degrees.
type Point struct {
	Lat, Lon float64
}

// earthRadiusKm is the mean Earth radius (IUGG). The spherical model errs by
// under 0.5 % against the ellipsoid, far below the error of a crow-fly
// travel-time model.
const earthRadiusKm = 6371.0088

// HaversineKm returns the great-circle (crow-fly) distance between a and b
// in kilometres. The haversine form stays accurate for the short distances
// between neighbouring communes, where the spherical law of cosines loses
// precision.
func HaversineKm(a, b Point) float64 {
	return earthRadiusKm * centralAngle(a.Lat*deg, a.Lon*deg, b.Lat*deg, b.Lon*deg)
}

const deg = math.Pi / 180

// centralAngle returns the angle in radians between two points given in
// radians.
func centralAngle(lat1, lon1, lat2, lon2 float64) float64 {
	s1 := math.Sin((lat2 - lat1) / 2)
	s2 := math.Sin((lon2 - lon1) / 2)
	h := s1*s1 + math.Cos(lat1)*math.Cos(lat2)*s2*s2
	return 2 * math.Asin(math.Sqrt(math.Min(1, h)))
}
