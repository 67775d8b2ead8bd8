package finess

import (
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// Field positions of a structureet line (0-based, field 0 is the type).
const (
	sNofinesset = 1 + iota
	sNofinessej
	sRs
	sRslongue
	sComplrs
	sCompldistrib
	sNumvoie
	sTypvoie
	sVoie
	sCompvoie
	sLieuditbp
	sCommune
	sDepartement
	sLibdepartement
	sLigneacheminement
	sTelephone
	sTelecopie
	sCategetab
	sLibcategetab
	sCategagretab
	sLibcategagretab
	sSiret
	sCodeape
	sCodemft
	sLibmft
	sCodesph
	sLibsph
	sDateouv
	sDateautor
	sMaj
	sNumuai
	structureFields
)

// StockHeader is the first line of a stock file.
type StockHeader struct {
	Count string // the number after "etalab" (its meaning is undocumented)
	Date  string // extraction date, YYYY-MM-DD
}

// ParseStockHeader reads the first line "finess;etalab;<n>;<YYYY-MM-DD>".
func ParseStockHeader(line string) (StockHeader, bool) {
	f := strings.Split(strings.TrimPrefix(strings.TrimRight(line, "\r\n"), "\ufeff"), ";")
	if len(f) < 2 || strings.ToLower(f[0]) != "finess" || strings.ToLower(f[1]) != "etalab" {
		return StockHeader{}, false
	}
	var h StockHeader
	if len(f) > 2 {
		h.Count = f[2]
	}
	if len(f) > 3 {
		h.Date = f[3]
	}
	return h, true
}

// communeCode rebuilds the INSEE code from the FINESS département and
// 3-character commune: metropolitan départements (01…95, 2A, 2B) are
// prefixed as is; overseas départements are coded 9A (Guadeloupe), 9B
// (Martinique), 9C (Guyane), 9D (Réunion), 9E (Saint-Pierre-et-Miquelon),
// 9F (Mayotte), whose INSEE codes are 97 + commune (97101…); 9J gives 98 +
// commune. Anything else gives "" rather than a guess.
func communeCode(dep, com string) string {
	dep, com = strings.TrimSpace(dep), strings.TrimSpace(com)
	if len(com) != 3 || !isDigits(com) || len(dep) != 2 {
		return ""
	}
	switch {
	case dep[0] == '9' && dep[1] >= 'A' && dep[1] <= 'F':
		return "97" + com
	case dep == "9J":
		return "98" + com
	case isDigits(dep) && dep != "00" && dep != "96" && dep < "97", dep == "2A", dep == "2B":
		return dep + com
	}
	return ""
}

var epsgRE = regexp.MustCompile(`(?i)EPSG\s*:?\s*(\d{4,5})`)

// legacySystems are the system names of pre-2023 extractions
// ("1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93").
var legacySystems = map[string]int{
	"LAMBERT_93": 2154, "LAMBERT93": 2154,
	"UTM_N20": 5490, "UTM_N21": 32621, "UTM_N22": 2972, "UTM_S38": 4471, "UTM_S40": 2975,
}

// sourceEPSG reads the coordinate system of a geolocalisation line: an
// "EPSG:2154" mention in recent files, a system name in older ones.
func sourceEPSG(src string) int {
	if m := epsgRE.FindStringSubmatch(src); m != nil {
		v, _ := strconv.Atoi(m[1])
		return v
	}
	for _, part := range strings.Split(strings.ToUpper(src), ",") {
		if v, ok := legacySystems[strings.TrimSpace(part)]; ok {
			return v
		}
	}
	return 0
}

type geoPoint struct {
	lon, lat float64
	epsg     int
}

// ReadStock reads an etalab stock file and calls fn for each structureet,
// in file order. The coordinates come at the end of the file
// (geolocalisation lines), so establishments are held in memory (about
// 100,000 for all France, some 50 MB) and fn is called once the whole
// file has been read. Establishments without a usable geolocalisation get
// HasPoint false; geolocalisation lines for unknown FINESS numbers are
// ignored. Other line types are skipped so that new record kinds do not
// break reading, but a line whose type is not a lower-case word is an
// error.
func ReadStock(r io.Reader, name string, fn func(Establishment) error) error {
	tr := textio.NewReader(r, name, ';')
	tr.Quotes = true
	tr.Fallback1252 = true
	f, err := tr.Next()
	if err == io.EOF {
		return tr.Errorf(0, "empty file: want a first line finess;etalab;<n>;<date>")
	}
	if err != nil {
		return err
	}
	if len(f) < 2 || textio.Field(f, 0) != "finess" || textio.Field(f, 1) != "etalab" {
		return tr.Errorf(1, "first line %s is not finess;etalab;<n>;<date>: not an etalab FINESS stock file", textio.Quote(string(firstBytes(f))))
	}
	var list []Establishment
	index := make(map[string]int)
	geo := make(map[string]geoPoint)
	for {
		f, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch typ := textio.Field(f, 0); typ {
		case "structureet":
			e, err := parseStructure(tr, f)
			if err != nil {
				return err
			}
			if prev, dup := index[e.Finess]; dup {
				return tr.Errorf(sNofinesset+1, "FINESS %s listed twice (first at line %d)", e.Finess, list[prev].Line)
			}
			index[e.Finess] = len(list)
			list = append(list, e)
		case "geolocalisation":
			if len(f) < 5 {
				return tr.Errorf(0, "geolocalisation line has %d fields, want 6 (type, nofinesset, coordxet, coordyet, sourcecoordet, datemaj)", len(f))
			}
			id := textio.Field(f, 1)
			xs, ys := textio.Field(f, 2), textio.Field(f, 3)
			if xs == "" || ys == "" {
				continue // not geocoded: the establishment keeps HasPoint false
			}
			x, err := parseCoord(xs)
			if err != nil {
				return tr.Errorf(3, "%w", err)
			}
			y, err := parseCoord(ys)
			if err != nil {
				return tr.Errorf(4, "%w", err)
			}
			epsg := sourceEPSG(textio.Field(f, 4))
			if epsg == 0 {
				return tr.Errorf(5, "no coordinate system in sourcecoordet %s (want EPSG:nnnn or LAMBERT_93)", textio.Quote(textio.Field(f, 4)))
			}
			p, err := ProjectionFor(epsg)
			if err != nil {
				return tr.Errorf(5, "%w", err)
			}
			lon, lat := p.Inverse(x, y)
			if !validLonLat(lon, lat) {
				return tr.Errorf(3, "coordinates (%v, %v) in EPSG:%d are not on Earth", x, y, epsg)
			}
			geo[id] = geoPoint{lon: lon, lat: lat, epsg: epsg}
		default:
			if !isWord(typ) {
				return tr.Errorf(1, "unknown line type %s: want structureet or geolocalisation", textio.Quote(typ))
			}
		}
	}
	for _, e := range list {
		if g, ok := geo[e.Finess]; ok {
			e.Lon, e.Lat, e.EPSG, e.HasPoint = g.lon, g.lat, g.epsg, true
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func firstBytes(f [][]byte) []byte {
	if len(f) == 0 {
		return nil
	}
	return f[0]
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func parseStructure(tr *textio.Reader, f [][]byte) (Establishment, error) {
	if len(f) < structureFields {
		return Establishment{}, tr.Errorf(0, "structureet line has %d fields, want %d (truncated line?)", len(f), structureFields)
	}
	for i := structureFields; i < len(f); i++ {
		if len(strings.TrimSpace(string(f[i]))) != 0 {
			return Establishment{}, tr.Errorf(i+1, "structureet line has %d fields, want %d (unquoted ';' in a field?)", len(f), structureFields)
		}
	}
	get := func(i int) string { return textio.Field(f, i) }
	e := Establishment{
		Finess:        get(sNofinesset),
		FinessEJ:      get(sNofinessej),
		Name:          get(sRs),
		LongName:      get(sRslongue),
		Category:      get(sCategetab),
		CategoryLabel: get(sLibcategetab),
		Address:       address(get(sNumvoie), get(sCompvoie), get(sTypvoie), get(sVoie), get(sLieuditbp), get(sCompldistrib)),
		Commune:       communeCode(get(sDepartement), get(sCommune)),
		Siret:         get(sSiret),
		Line:          tr.Line(),
	}
	if !validFiness(e.Finess) {
		return e, tr.Errorf(sNofinesset+1, "invalid FINESS number %s (want 9 characters)", textio.Quote(e.Finess))
	}
	e.Postcode, e.City = splitAcheminement(get(sLigneacheminement))
	var err error
	if e.Opened, err = normDate(get(sDateouv)); err != nil {
		return e, tr.Errorf(sDateouv+1, "dateouv: %w", err)
	}
	if e.Updated, err = normDate(get(sMaj)); err != nil {
		return e, tr.Errorf(sMaj+1, "maj: %w", err)
	}
	e.ProximityHospital = isProximity(e.LongName)
	return e, nil
}
