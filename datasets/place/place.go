// Package place puts FINESS establishments in today's communes (and in the
// arrondissements municipaux of Paris, Lyon and Marseille). The generator of
// the embedded snapshot and `datasets import` share it, so that one
// establishment lands in the same commune whichever path read it.
//
// The order of the rules, first match deciding:
//  1. the INSEE code the source gives, mapped to today's commune ("insee");
//  2. the point inside a commune contour ("polygon"); a site the embedded
//     table placed by its point keeps that commune while its point is the
//     same (see Source.Previous);
//  3. the postcode and the city name, from La Poste and COG postcodes when
//     the caller has them ("postcode"), or the only commune of the
//     postcode ("postcode-unique");
//  4. the city name among the communes of the établissement's département,
//     which the FINESS number gives ("finess-dep-name"): this places the
//     overseas sites with CEDEX postcodes and no point (CHU de Martinique,
//     CH de Cayenne…).
//
// Then, for Paris (75056), Lyon (69123) and Marseille (13055), the
// arrondissement: the source's arrondissement code, else the postcode
// (75001–75020, 75116, 69001–69009, 13001–13016), else the arrondissement
// whose point is nearest (CEDEX postcodes; Placement then ends with
// "+arrondissement-nearest").
package place

import (
	"math"
	"regexp"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// A Postal is one commune of a postcode, as La Poste lists it.
type Postal struct {
	Code string // INSEE code as given (may be old)
	Name string // folded with textnorm.FoldPlace
}

// A Placer places establishments. Build it with New.
type Placer struct {
	// Current maps a commune code of any vintage to today's commune; kind
	// is "arrondissement" for an arrondissement municipal code.
	current func(code string) (cur, kind string, ok bool)
	// Locate returns the commune whose contour holds a point, or "".
	locate func(lat, lon float64) string
	// Postal lists, by postcode, La Poste's communes (optional).
	postal map[string][]Postal
	// cogPostcode lists, by postcode, the COG communes (optional).
	cogPostcode map[string][]string
	previous    map[string]snapshot.Establishment
	names       map[string]string // current code -> folded name
	depNames    map[string]map[string][]string
	depOf       map[string]string
	arrs        []snapshot.Arrondissement
}

// A Source gives a Placer what it needs; Postal and CogPostcode are
// optional (the embedded snapshot does not carry postcodes).
type Source struct {
	Communes        []snapshot.Commune
	Arrondissements []snapshot.Arrondissement
	Current         func(code string) (cur, kind string, ok bool)
	Locate          func(lat, lon float64) string
	Postal          map[string][]Postal
	CogPostcode     map[string][]string
	// Previous holds, by FINESS number, the establishments of the embedded
	// snapshot (optional). Its generator located points in the
	// full-resolution contours; the binary carries them simplified (about
	// 45 m), in which 79 of the 36,951 sites it placed by point fall in a
	// neighbouring commune, 55 of them against their address (CH La
	// Palmosa, Menton, would go to Roquebrune-Cap-Martin). A site whose
	// point is unchanged therefore keeps the commune it was given; a new or
	// moved point is located in the contours at hand.
	Previous map[string]snapshot.Establishment
}

// New indexes the communes by département and folded name.
func New(src Source) *Placer {
	p := &Placer{current: src.Current, locate: src.Locate, postal: src.Postal, cogPostcode: src.CogPostcode, previous: src.Previous,
		names: map[string]string{}, depNames: map[string]map[string][]string{}, depOf: map[string]string{}, arrs: src.Arrondissements}
	add := func(dep, name, code string) {
		if p.depNames[dep] == nil {
			p.depNames[dep] = map[string][]string{}
		}
		if l := p.depNames[dep][name]; len(l) == 0 || l[len(l)-1] != code {
			for _, c := range l {
				if c == code {
					return
				}
			}
			p.depNames[dep][name] = append(l, code)
		}
	}
	for _, c := range src.Communes {
		f := textnorm.FoldPlace(c.Name)
		p.names[c.Code] = f
		p.depOf[c.Code] = c.Dep
		add(c.Dep, f, c.Code)
	}
	// La Poste's names (including localities such as Sainte-Clotilde in
	// Saint-Denis de La Réunion), in a stable order.
	pcs := make([]string, 0, len(src.Postal))
	for pc := range src.Postal {
		pcs = append(pcs, pc)
	}
	sort.Strings(pcs)
	for _, pc := range pcs {
		for _, x := range src.Postal[pc] {
			if cur, _, ok := p.current(x.Code); ok {
				add(p.depOf[cur], x.Name, cur)
			}
		}
	}
	return p
}

// cedex removes the CEDEX mention of a postal line ("NIMES CEDEX 4").
var cedex = regexp.MustCompile(`(?i)\s+cedex(\s+\d+)?\s*$`)

// City folds a FINESS city (ligne d'acheminement without postcode) for
// matching: without CEDEX, abbreviations expanded.
func City(s string) string {
	return textnorm.FoldPlace(strings.TrimSpace(cedex.ReplaceAllString(strings.TrimSpace(s), "")))
}

// DepOfFiness returns the département a FINESS number belongs to: its
// first two characters, or for the overseas numbers 9701…, 9702…, 9703…,
// 9704…, 9706… the département 971, 972, 973, 974, 976.
func DepOfFiness(finess string) string {
	if len(finess) < 4 {
		return ""
	}
	if strings.HasPrefix(finess, "970") {
		return "97" + finess[3:4]
	}
	return finess[:2]
}

// Place sets x.Commune, x.Placement and x.Arrondissement. insee is the
// commune code the source gives ("" when it has none).
func (p *Placer) Place(x *snapshot.Establishment, insee string) {
	x.Commune, x.Placement, x.Arrondissement = "", "", ""
	arr := ""
	if insee != "" {
		if cur, kind, ok := p.current(insee); ok {
			x.Commune, x.Placement = cur, "insee"
			if kind == "arrondissement" {
				arr = insee
			}
		}
	}
	if x.Commune == "" && x.HasPoint {
		p.byPoint(x)
	}
	if x.Commune == "" {
		p.byPostcode(x)
	}
	if x.Commune == "" {
		dep := DepOfFiness(x.Finess)
		if l := p.depNames[dep][City(x.City)]; len(l) == 1 {
			x.Commune, x.Placement = l[0], "finess-dep-name"
		}
	}
	if x.Commune != "" {
		p.arrondissement(x, arr)
	}
}

// byPoint places by the point: the commune previously given to the same
// point of the same site, else the contour that holds it.
func (p *Placer) byPoint(x *snapshot.Establishment) {
	if prev, ok := p.previous[x.Finess]; ok && prev.HasPoint && prev.Lat == x.Lat && prev.Lon == x.Lon &&
		strings.HasPrefix(prev.Placement, "polygon") && prev.Commune != "" {
		if cur, _, ok := p.current(prev.Commune); ok {
			x.Commune, x.Placement = cur, "polygon"
			return
		}
	}
	if p.locate != nil {
		if code := p.locate(x.Lat, x.Lon); code != "" {
			x.Commune, x.Placement = code, "polygon"
		}
	}
}

func (p *Placer) byPostcode(x *snapshot.Establishment) {
	if x.Postcode == "" {
		return
	}
	city := City(x.City)
	candidates := map[string]bool{}
	for _, pc := range p.postal[x.Postcode] {
		if cur, _, ok := p.current(pc.Code); ok {
			candidates[cur] = true
			if pc.Name == city {
				x.Commune, x.Placement = cur, "postcode"
				return
			}
		}
	}
	for _, code := range p.cogPostcode[x.Postcode] {
		candidates[code] = true
		if p.names[code] == city {
			x.Commune, x.Placement = code, "postcode"
			return
		}
	}
	if len(candidates) == 1 {
		for code := range candidates {
			x.Commune, x.Placement = code, "postcode-unique"
		}
	}
}

// cityArr gives, for the three cities with arrondissements, the code prefix
// of their arrondissements and of their postcodes.
var cityArr = map[string]struct {
	postPrefix, arrPrefix string
	n                     int
}{
	"75056": {"750", "751", 20},
	"69123": {"6900", "6938", 9},
	"13055": {"130", "132", 16},
}

func (p *Placer) arrondissement(x *snapshot.Establishment, fromSource string) {
	if _, ok := cityArr[x.Commune]; !ok {
		return
	}
	if fromSource != "" {
		x.Arrondissement = fromSource
		return
	}
	if a := ArrondissementOfPostcode(x.Commune, x.Postcode); a != "" {
		x.Arrondissement = a
		return
	}
	if !x.HasPoint {
		return
	}
	best, bestKm := "", math.Inf(1)
	for _, a := range p.arrs {
		if a.Commune != x.Commune {
			continue
		}
		if km := haversineKm(x.Lat, x.Lon, a.Lat, a.Lon); km < bestKm || km == bestKm && a.Code < best {
			best, bestKm = a.Code, km
		}
	}
	if best != "" {
		x.Arrondissement = best
		x.Placement += "+arrondissement-nearest"
	}
}

// ArrondissementOfPostcode returns the arrondissement municipal a postcode
// designates in Paris, Lyon or Marseille ("75008" → "75108", "75116" →
// "75116", "69003" → "69383", "13016" → "13216"), or "" (CEDEX postcodes,
// other cities).
func ArrondissementOfPostcode(commune, postcode string) string {
	c, ok := cityArr[commune]
	if !ok || len(postcode) != 5 {
		return ""
	}
	if postcode == "75116" {
		return "75116"
	}
	if !strings.HasPrefix(postcode, c.postPrefix) {
		return ""
	}
	n := 0
	for _, r := range postcode[len(c.postPrefix):] {
		if r < '0' || r > '9' {
			return ""
		}
		n = n*10 + int(r-'0')
	}
	if n < 1 || n > c.n {
		return ""
	}
	if commune == "69123" {
		return c.arrPrefix + postcode[4:]
	}
	return c.arrPrefix + postcode[3:]
}

func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0088
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := p2-p1, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}
