package finess

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// FiNESS+ is the JSON flow that replaces the etalab CSV extraction
// (data.gouv.fr dataset finess-structures-1, schema structures v1 of the
// ANS, docs/formats/finess-plus): legal entities pmej[], each with its
// geographic establishments ege[]. ReadPlus turns each open ege into the
// same Establishment as the stock reader.
//
// What the reader accepts beyond the letter of the schema, because the
// published files do it (see the README of the schema):
//   - keys in any case ("categorieentiteGeographiqueExercice",
//     "informationsGeneralesPMEJ"), as encoding/json matches them;
//   - coded values as {code, system} or as a plain string ("603", "A");
//     strings given as numbers;
//   - dateDerniereMaj as {dateEvenement} or as a plain string
//     ("2021-10-18 00:00:00");
//   - gco / gcc as objects or arrays (both skipped), other top-level keys
//     (schemaVersion, generatedAt), and a top-level array of pmej;
//   - coordinates either way round (see plusPoint).
//
// Errors are *parseerr.Error values whose Column is the 1-based byte
// column of the JSON text (a JSON file has no fields to count); an error
// about an establishment points at its opening brace, or at the key at
// fault, and names its FINESS number.

// A Point is one reading of an establishment's coordinates, in WGS84
// degrees, with the system the source gave it in.
type Point struct {
	Lat, Lon float64
	EPSG     int
}

// categoryLabels are the labels (libcategetab) of the categories the
// snapshot keeps, as the etalab extraction writes them: FiNESS+ carries
// only the code, the label lives in the ANS nomenclature TRE_R66.
var categoryLabels = map[string]string{
	"101": "Centre Hospitalier Régional (C.H.R.)",
	"106": "Centre hospitalier, ex Hôpital local",
	"114": "Hôpital des armées",
	"122": "Etablissement Soins Obstétriques Chirurgico-Gynécologiques",
	"124": "Centre de Santé",
	"127": "Hospitalisation à Domicile",
	"128": "Etablissement de Soins Chirurgicaux",
	"129": "Etablissement de Soins Médicaux",
	"141": "Centre de dialyse",
	"156": "Centre Médico-Psychologique (C.M.P.)",
	"223": "Protection Maternelle et Infantile (P.M.I.)",
	"355": "Centre Hospitalier (C.H.)",
	"365": "Etablissement de Soins Pluridisciplinaire",
	"500": "Etablissement d'hébergement pour personnes âgées dépendantes",
	"603": "Maison de santé (L.6223-3)",
	"604": "Communautés professionnelles territoriales de santé (CPTS)",
	"606": "Dispositif d'appui à la coordination",
	"611": "Laboratoire de Biologie Médicale",
	"617": "Maison médicale de garde (MMG)",
	"620": "Pharmacie d'Officine",
	"648": "Structure qui contribue au Service d'Accès aux Soins",
	"697": "Groupement de coopération sanitaire - Etablissement de santé",
}

// CategoryLabel returns the etalab label of a kept FINESS category, "" for
// the others.
func CategoryLabel(code string) string { return categoryLabels[code] }

// ReadPlus reads a FiNESS+ structures file (JSON, already gunzipped) and
// calls fn for each open establishment, in file order. It streams: only
// one legal entity (pmej) is held at a time.
//
// Closed establishments are skipped, as the etalab stock lists only open
// ones (its reader filters nothing: the extraction itself leaves closed
// sites out): an ege is closed when its etatObjet is "I" (inactif; also
// "F", "FERME", "INACTIF") or when informationsGeneralesEGE.dateFermeture
// is on or before the file's date (generatedAt when it comes before pmej,
// else today). A closing date still to come leaves the site open.
func ReadPlus(r io.Reader, name string, fn func(Establishment) error) error {
	_, err := readPlus(r, name, time.Now().Format("2006-01-02"), fn)
	return err
}

// readPlus is ReadPlus with the reference date for closing dates, and
// returns the file's date (generatedAt) when it has one.
func readPlus(r io.Reader, name, today string, fn func(Establishment) error) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	p := &plusReader{name: name, today: today, fn: fn, lines: &lineIndex{r: br, lastNL: -1}}
	p.dec = json.NewDecoder(p.lines)
	p.dec.UseNumber()
	err := p.run()
	return p.date, err
}

type plusReader struct {
	name, today, date string
	dec               *json.Decoder
	lines             *lineIndex
	fn                func(Establishment) error
	npmej             int
}

// A pendingEGE is an ege read whole, waiting for the end of its pmej (whose
// FINESS number may come after it).
type pendingEGE struct {
	raw       json.RawMessage
	line, col int
}

func (p *plusReader) run() error {
	tok, err := p.tokenOrEOF()
	if err == io.EOF {
		return parseerr.New(p.name, 1, 0, "empty file: want a FiNESS+ structures JSON object {\"pmej\": [...]}")
	}
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('['):
		if err := p.pmejArray(); err != nil {
			return err
		}
	case json.Delim('{'):
		seen := false
		for p.dec.More() {
			key, err := p.key()
			if err != nil {
				return err
			}
			switch strings.ToLower(key) {
			case "pmej":
				seen = true
				if err := p.expect('[', "pmej"); err != nil {
					return err
				}
				if err := p.pmejArray(); err != nil {
					return err
				}
			case "generatedat", "dategeneration", "dateextraction":
				var s str
				if err := p.decode(&s); err != nil {
					return err
				}
				if d, err := normDate(string(s)); err == nil && d != "" {
					p.date = d
					if !seen {
						p.today = d
					}
				}
			default: // gco, gcc, schemaVersion…
				if err := p.skip(); err != nil {
					return err
				}
			}
		}
		if _, err := p.token(); err != nil {
			return err
		}
		if !seen {
			return p.errAt(p.lines.off, "no \"pmej\" array: not a FiNESS+ structures file")
		}
	default:
		return p.errAt(p.dec.InputOffset(), "the file starts with %s: want a FiNESS+ structures JSON object {\"pmej\": [...]}", describe(tok))
	}
	if tok, err := p.tokenOrEOF(); err != io.EOF {
		if err != nil {
			return err
		}
		return p.errAt(p.dec.InputOffset(), "%s after the end of the JSON document", describe(tok))
	}
	return nil
}

func (p *plusReader) pmejArray() error {
	for p.dec.More() {
		if err := p.pmej(); err != nil {
			return err
		}
	}
	_, err := p.token()
	return err
}

// pmej reads one legal entity and emits its open establishments.
func (p *plusReader) pmej() error {
	p.npmej++
	if err := p.expect('{', fmt.Sprintf("pmej[%d]", p.npmej-1)); err != nil {
		return err
	}
	var ej string
	var eges []pendingEGE
	for p.dec.More() {
		key, err := p.key()
		if err != nil {
			return err
		}
		switch strings.ToLower(key) {
		case "informationsgeneralespmej":
			var info struct {
				NumFinessPm str `json:"numFinessPm"`
			}
			if err := p.decode(&info); err != nil {
				return err
			}
			ej = strings.TrimSpace(string(info.NumFinessPm))
		case "ege":
			if err := p.expect('[', "ege"); err != nil {
				return err
			}
			for p.dec.More() {
				var raw json.RawMessage
				if err := p.decodeRaw(&raw); err != nil {
					return err
				}
				line, col := p.lines.pos(p.dec.InputOffset() - int64(len(raw)))
				eges = append(eges, pendingEGE{raw: raw, line: line, col: col})
			}
			if _, err := p.token(); err != nil {
				return err
			}
		default:
			if err := p.skip(); err != nil {
				return err
			}
		}
	}
	if _, err := p.token(); err != nil {
		return err
	}
	for _, g := range eges {
		e, keep, err := p.ege(g, ej)
		if err != nil {
			return err
		}
		if !keep {
			continue
		}
		if err := p.fn(e); err != nil {
			return err
		}
	}
	return nil
}

// plusInfo holds the identification of an ege (informationsGeneralesEGE;
// the same keys directly on the ege are read too).
type plusInfo struct {
	NumFinessEge  str       `json:"numFinessEge"`
	NomEgeCourt   str       `json:"nomEgeCourt"`
	NomEgeLong    str       `json:"nomEgeLong"`
	Siret         str       `json:"siret"`
	DateOuverture str       `json:"dateOuverture"`
	DateFermeture str       `json:"dateFermeture"`
	DateMaj       dateValue `json:"dateDerniereMaj"`
}

type plusEGE struct {
	plusInfo
	Info              *plusInfo       `json:"informationsGeneralesEGE"`
	Etat              coded           `json:"etatObjet"`
	Category          coded           `json:"categorieEntiteGeographiqueExercice"`
	Adresse           addresses       `json:"adresse"`
	ActivitesExercees json.RawMessage `json:"activitesExercees"`
}

type plusAddress struct {
	Usage                       coded                      `json:"usageAdresse"`
	NumeroVoie                  str                        `json:"numeroVoie"`
	TypeVoie                    str                        `json:"typeVoie"`
	LibelleVoie                 str                        `json:"libelleVoie"`
	ComplementVoie              str                        `json:"complementVoie"`
	ComplementPointGeographique str                        `json:"complementPointGeographique"`
	LieuDit                     str                        `json:"lieuDit"`
	CogCommune                  str                        `json:"cogCommune"`
	LigneAcheminement           str                        `json:"ligneAcheminement"`
	CodePostal                  str                        `json:"codePostal"`
	Coords                      map[string]json.RawMessage `json:"coordonneesGeographique"`
}

// ege converts one establishment; keep is false for a closed one.
func (p *plusReader) ege(g pendingEGE, ej string) (e Establishment, keep bool, err error) {
	var x plusEGE
	if err := json.Unmarshal(g.raw, &x); err != nil {
		id := finessOf(g.raw)
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// Offsets of nested decoders are relative: find the key instead.
			field := strings.Trim(te.Field, ".")
			return e, false, p.errKey(g, field[strings.LastIndexByte(field, '.')+1:], "%s: %s is %s, want %s", id, field, article(te.Value), wantOf(te.Type))
		}
		return e, false, parseerr.New(p.name, g.line, g.col, "%s: %w", id, err)
	}
	info := x.plusInfo
	if x.Info != nil {
		info = info.or(*x.Info)
	}
	fin := strings.TrimSpace(string(info.NumFinessEge))
	id := "FINESS " + fin
	if fin == "" {
		id = "establishment without FINESS number"
	}
	closing, err := normDate(string(info.DateFermeture))
	if err != nil {
		return e, false, p.errKey(g, "dateFermeture", "%s: dateFermeture: %w", id, err)
	}
	if closedState(x.Etat.Code) || closing != "" && closing <= p.today {
		return e, false, nil
	}
	if fin == "" {
		if x.Info == nil && len(x.ActivitesExercees) > 0 {
			return e, false, parseerr.New(p.name, g.line, g.col, "an ege with activitesExercees and no informationsGeneralesEGE: this is the FiNESS+ activités flow, --finess wants the structures flow (finess-structures)")
		}
		return e, false, parseerr.New(p.name, g.line, g.col, "establishment without FINESS number (informationsGeneralesEGE.numFinessEge)")
	}
	if !validFiness(fin) {
		return e, false, p.errKey(g, "numFinessEge", "invalid FINESS number %s (want 9 characters)", textio.Quote(fin))
	}
	cat := strings.TrimSpace(x.Category.Code)
	if cat == "" {
		return e, false, parseerr.New(p.name, g.line, g.col, "%s: no category (categorieEntiteGeographiqueExercice)", id)
	}
	e = Establishment{
		Finess: fin, FinessEJ: ej, Category: cat,
		Name: strings.TrimSpace(string(info.NomEgeCourt)), LongName: strings.TrimSpace(string(info.NomEgeLong)),
		CategoryLabel: strings.TrimSpace(x.Category.Label), Siret: strings.TrimSpace(string(info.Siret)), Line: g.line,
	}
	if e.Name == "" {
		e.Name = e.LongName
	}
	if e.CategoryLabel == "" {
		e.CategoryLabel = categoryLabels[cat]
	}
	e.ProximityHospital = isProximity(e.LongName)
	if e.Opened, err = normDate(string(info.DateOuverture)); err != nil {
		return e, false, p.errKey(g, "dateOuverture", "%s: dateOuverture: %w", id, err)
	}
	if e.Updated, err = normDate(string(info.DateMaj)); err != nil {
		return e, false, p.errKey(g, "dateDerniereMaj", "%s: dateDerniereMaj: %w", id, err)
	}
	if a := mainAddress(x.Adresse); a != nil {
		e.Address = address(string(a.NumeroVoie), string(a.ComplementVoie), string(a.TypeVoie), string(a.LibelleVoie), string(a.LieuDit), string(a.ComplementPointGeographique))
		e.Postcode, e.City = splitAcheminement(string(a.LigneAcheminement))
		if pc := strings.TrimSpace(string(a.CodePostal)); e.Postcode == "" && pc != "" {
			e.Postcode = pc
		}
		if c, ok := textio.CommuneCode(string(a.CogCommune)); ok {
			e.Commune = c
		}
		pts, err := plusPoints(a.Coords, e.Commune, fin)
		if err != nil {
			return e, false, p.errKey(g, "coordonneesGeographique", "%s: %w", id, err)
		}
		if len(pts) > 0 {
			e.Lat, e.Lon, e.EPSG, e.HasPoint = pts[0].Lat, pts[0].Lon, pts[0].EPSG, true
			e.OtherPoints = pts[1:]
		}
	}
	return e, true, nil
}

// or fills the empty fields of a with those of b (the nested
// informationsGeneralesEGE wins over keys on the ege itself).
func (a plusInfo) or(b plusInfo) plusInfo {
	pick := func(x, y str) str {
		if strings.TrimSpace(string(y)) != "" {
			return y
		}
		return x
	}
	a.NumFinessEge, a.NomEgeCourt, a.NomEgeLong = pick(a.NumFinessEge, b.NumFinessEge), pick(a.NomEgeCourt, b.NomEgeCourt), pick(a.NomEgeLong, b.NomEgeLong)
	a.Siret, a.DateOuverture, a.DateFermeture = pick(a.Siret, b.Siret), pick(a.DateOuverture, b.DateOuverture), pick(a.DateFermeture, b.DateFermeture)
	a.DateMaj = dateValue(pick(str(a.DateMaj), str(b.DateMaj)))
	return a
}

// closedState reports whether an etatObjet code says closed: "I"
// (inactif) in the published files; an empty or unknown code leaves the
// decision to the closing date.
func closedState(code string) bool {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "I", "F", "INACTIF", "FERME", "FERMÉ", "CLOS":
		return true
	}
	return false
}

// mainAddress picks the geographic address (usageAdresse "03" in the
// published files) when an ege has several, else the first with a commune
// code, else the first.
func mainAddress(as addresses) *plusAddress {
	if len(as) == 0 {
		return nil
	}
	for i := range as {
		if strings.TrimSpace(as[i].Usage.Code) == "03" {
			return &as[i]
		}
	}
	for i := range as {
		if strings.TrimSpace(string(as[i].CogCommune)) != "" {
			return &as[i]
		}
	}
	return &as[0]
}

// A territory is where an establishment lies, told by its commune code
// (else its FINESS number): the official projection of FINESS there and a
// box no point of it leaves.
type territory struct {
	name                           string
	epsg                           int
	minLon, maxLon, minLat, maxLat float64
}

var (
	metropole = territory{"metropolitan France", 2154, -5.8, 10.0, 41.0, 51.5}
	antilles  = territory{"the Antilles", 5490, -63.5, -60.5, 14.0, 18.5}
	guyane    = territory{"Guyane", 2972, -55.0, -51.0, 1.5, 6.5}
	reunion   = territory{"La Réunion", 2975, 55.0, 56.0, -21.6, -20.7}
	mayotte   = territory{"Mayotte", 4471, 44.8, 45.5, -13.2, -12.4}
	spm       = territory{"Saint-Pierre-et-Miquelon", 32621, -56.6, -55.9, 46.6, 47.3}
)

func (t territory) holds(lon, lat float64) bool {
	return lon >= t.minLon && lon <= t.maxLon && lat >= t.minLat && lat <= t.maxLat
}

func territoryOf(commune, fin string) territory {
	dep := ""
	switch {
	case len(commune) == 5 && strings.HasPrefix(commune, "97"):
		dep = commune[:3]
	case commune != "":
		return metropole
	case strings.HasPrefix(fin, "970") && len(fin) > 3:
		dep = "97" + fin[3:4]
	case strings.HasPrefix(fin, "97") && len(fin) > 2:
		dep = fin[:3]
	}
	switch dep {
	case "971", "972", "977", "978":
		return antilles
	case "973":
		return guyane
	case "974":
		return reunion
	case "975":
		return spm
	case "976":
		return mayotte
	}
	return metropole
}

// plusPoints reads coordonneesGeographique. The files give two pairs,
// (coordonneeX, coordonneeY) and (directionLongitude, directionLatitude),
// one in WGS84 degrees and one in the territory's projection, in either
// pair and either order (the ANS sample has the Lambert-93 northing in
// coordonneeX; the September 2026 file the longitude). Each pair is read
// as degrees when both values are within ±180, else as metres in the
// projection the object names (a key containing "system", "projection",
// "epsg" or "crs") or the territory's; both orders are tried and a
// reading counts when it falls in the territory's box. Readings from
// metres come first (they are what the etalab stock gave), then degrees;
// the first is the point, the others, when more than 100 m away, are
// returned after it for the importer to try against the commune. A pair
// of zeros or empty strings is no point; coordinates that give no
// reading in the territory are an error.
func plusPoints(coords map[string]json.RawMessage, commune, fin string) ([]Point, error) {
	if len(coords) == 0 {
		return nil, nil
	}
	get := func(key string) (string, error) {
		for k, v := range coords {
			if strings.EqualFold(k, key) {
				var s str
				if err := json.Unmarshal(v, &s); err != nil {
					return "", fmt.Errorf("coordonneesGeographique.%s is %s, want a string", key, textio.Quote(string(v)))
				}
				return strings.TrimSpace(string(s)), nil
			}
		}
		return "", nil
	}
	t := territoryOf(commune, fin)
	epsg := t.epsg
	given := 0
	for k, v := range coords {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "system") || strings.Contains(lk, "projection") || strings.Contains(lk, "epsg") || strings.Contains(lk, "crs") {
			var s str
			if json.Unmarshal(v, &s) == nil {
				src := string(s)
				if n, err := strconv.Atoi(strings.TrimSpace(src)); err == nil {
					src = "EPSG:" + strconv.Itoa(n)
				}
				if c := sourceEPSG(src); c != 0 {
					given = c
				}
			}
		}
	}
	if given != 0 && given != epsg {
		// The system the file names wins; without a commune it tells the
		// territory too (a UTM zone belongs to one territory).
		epsg = given
		if commune == "" {
			t = territoryOfEPSG(given, t)
		}
	}
	var pairs [2][2]string
	var err error
	for i, keys := range [2][2]string{{"coordonneeX", "coordonneeY"}, {"directionLongitude", "directionLatitude"}} {
		for j, k := range keys {
			if pairs[i][j], err = get(k); err != nil {
				return nil, err
			}
		}
	}
	var metres, degrees []Point
	some := false
	for _, pr := range pairs {
		if pr[0] == "" && pr[1] == "" {
			continue
		}
		a, errA := parseCoord(pr[0])
		b, errB := parseCoord(pr[1])
		if errA == nil && errB == nil && a == 0 && b == 0 {
			continue
		}
		some = true
		if errA != nil || errB != nil {
			continue
		}
		if math.Abs(a) <= 180 && math.Abs(b) <= 180 {
			for _, o := range [2][2]float64{{a, b}, {b, a}} {
				if t.holds(o[0], o[1]) {
					degrees = append(degrees, Point{Lon: o[0], Lat: o[1], EPSG: 4326})
				}
			}
			continue
		}
		if epsg == 4326 || math.Abs(a) < 1000 || math.Abs(b) < 1000 {
			continue
		}
		proj, err := ProjectionFor(epsg)
		if err != nil {
			return nil, err
		}
		for _, o := range [2][2]float64{{a, b}, {b, a}} {
			if lon, lat := proj.Inverse(o[0], o[1]); validLonLat(lon, lat) && t.holds(lon, lat) {
				metres = append(metres, Point{Lon: lon, Lat: lat, EPSG: epsg})
			}
		}
	}
	var out []Point
	for _, pt := range append(metres, degrees...) {
		far := true
		for _, q := range out {
			if distanceKm(pt, q) < 0.1 {
				far = false
				break
			}
		}
		if far {
			out = append(out, pt)
		}
	}
	if some && len(out) == 0 {
		return nil, fmt.Errorf("coordinates (coordonneeX %s, coordonneeY %s, directionLongitude %s, directionLatitude %s) fit no reading in %s: neither WGS84 degrees nor EPSG:%d metres, in either order",
			textio.Quote(pairs[0][0]), textio.Quote(pairs[0][1]), textio.Quote(pairs[1][0]), textio.Quote(pairs[1][1]), t.name, epsg)
	}
	return out, nil
}

// territoryOfEPSG is the territory of a projected system, def for others.
func territoryOfEPSG(epsg int, def territory) territory {
	switch epsg {
	case 2154:
		return metropole
	case 5490, 4559, 32620:
		return antilles
	case 2972, 32622:
		return guyane
	case 2975, 32740:
		return reunion
	case 4471, 32738:
		return mayotte
	case 32621, 4467:
		return spm
	}
	return def
}

// distanceKm is the equirectangular distance between two points, exact
// enough at the scale of a commune.
func distanceKm(a, b Point) float64 {
	kx := 111.320 * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	return math.Hypot((a.Lon-b.Lon)*kx, (a.Lat-b.Lat)*110.574)
}

// str is a JSON string that may also be given as a number, a boolean or
// null (read as empty).
type str string

func (s *str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
	case b[0] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		// The common case needs no unescaping: the decoder has already
		// checked the syntax.
		*s = str(b[1 : len(b)-1])
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = str(v)
	case b[0] == '{' || b[0] == '[':
		return typeErr(b, reflect.TypeFor[string]())
	default:
		*s = str(b)
	}
	return nil
}

// dateValue is dateDerniereMaj: {"dateEvenement": "…"} in the schema, a
// plain string in the published files.
type dateValue str

func (d *dateValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			DateEvenement str `json:"dateEvenement"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*d = dateValue(v.DateEvenement)
		return nil
	}
	return (*str)(d).UnmarshalJSON(b)
}

// coded is a NOS coded value: {"code": "603", "system": "…"} in the
// schema, "603" in the published files. A display or libelle key, when
// present, gives the label.
type coded struct{ Code, Label string }

func (c *coded) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var v struct {
			Code    str `json:"code"`
			Display str `json:"display"`
			Libelle str `json:"libelle"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		c.Code, c.Label = string(v.Code), string(v.Display)
		if c.Label == "" {
			c.Label = string(v.Libelle)
		}
		return nil
	}
	var s str
	if err := s.UnmarshalJSON(b); err != nil {
		return typeErr(b, reflect.TypeFor[coded]())
	}
	c.Code, c.Label = string(s), ""
	return nil
}

// addresses is adresse: an array in the schema; a single object is read
// as a one-element array.
type addresses []plusAddress

func (a *addresses) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '{':
		var one plusAddress
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*a = addresses{one}
		return nil
	case string(b) == "null":
		*a = nil
		return nil
	}
	var many []plusAddress
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// typeErr reports a value of the wrong kind the way encoding/json does,
// so that the decoder adds the path of the field.
func typeErr(b []byte, t reflect.Type) error {
	v := "number"
	switch b[0] {
	case '{':
		v = "object"
	case '[':
		v = "array"
	case '"':
		v = "string"
	case 't', 'f':
		v = "bool"
	}
	return &json.UnmarshalTypeError{Value: v, Type: t}
}

func article(v string) string {
	if v == "object" || v == "array" {
		return "an " + v
	}
	return "a " + v
}

// wantOf says what a field expects.
func wantOf(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[coded]():
		return "a code or {code, system}"
	case reflect.TypeFor[string](), reflect.TypeFor[str](), reflect.TypeFor[dateValue]():
		return "a string"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Slice:
		return "an array"
	}
	return t.String()
}

// finessOf names an ege that failed to decode by its FINESS number, when
// it can be found.
func finessOf(raw json.RawMessage) string {
	var v struct {
		Info struct {
			N json.RawMessage `json:"numFinessEge"`
		} `json:"informationsGeneralesEGE"`
		N json.RawMessage `json:"numFinessEge"`
	}
	_ = json.Unmarshal(raw, &v)
	for _, n := range []json.RawMessage{v.Info.N, v.N} {
		var s string
		if json.Unmarshal(n, &s) == nil && strings.TrimSpace(s) != "" {
			return "FINESS " + strings.TrimSpace(s)
		}
	}
	return "establishment without FINESS number"
}

// errKey reports an error at the first occurrence of key in the ege (at
// the ege itself when the key is not there).
func (p *plusReader) errKey(g pendingEGE, key, format string, args ...any) error {
	line, col := g.line, g.col
	if i := indexFold(g.raw, `"`+key+`"`); i >= 0 {
		line, col = posIn(g, int64(i))
	}
	return parseerr.New(p.name, line, col, format, args...)
}

func indexFold(b []byte, s string) int {
	n := len(s)
	for i := 0; i+n <= len(b); i++ {
		if bytes.EqualFold(b[i:i+n], []byte(s)) {
			return i
		}
	}
	return -1
}

// posIn is the line and column of byte off of an ege.
func posIn(g pendingEGE, off int64) (line, col int) {
	if off < 0 || off > int64(len(g.raw)) {
		return g.line, g.col
	}
	before := g.raw[:off]
	n := bytes.Count(before, []byte("\n"))
	if n == 0 {
		return g.line, g.col + int(off)
	}
	return g.line + n, int(off) - bytes.LastIndexByte(before, '\n')
}

// token reads the next token, positioning syntax errors; the end of the
// input is an error: the document is not finished.
func (p *plusReader) token() (json.Token, error) {
	tok, err := p.tokenOrEOF()
	if err == io.EOF {
		return nil, p.errAt(p.lines.off, "unexpected end of file (truncated download?)")
	}
	return tok, err
}

// tokenOrEOF is token where the input may end: before and after the
// document.
func (p *plusReader) tokenOrEOF() (json.Token, error) {
	tok, err := p.dec.Token()
	if err != nil && err != io.EOF {
		return nil, p.jsonErr(err)
	}
	return tok, err
}

func (p *plusReader) key() (string, error) {
	tok, err := p.token()
	if err != nil {
		return "", err
	}
	k, _ := tok.(string)
	return k, nil
}

func (p *plusReader) expect(d json.Delim, what string) error {
	start := p.dec.InputOffset()
	tok, err := p.token()
	if err != nil {
		return err
	}
	if tok != d {
		want := "an object"
		if d == '[' {
			want = "an array"
		}
		return p.errAt(start+1, "%s is %s, want %s", what, describe(tok), want)
	}
	return nil
}

func (p *plusReader) decode(v any) error {
	var raw json.RawMessage
	if err := p.decodeRaw(&raw); err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return p.errAt(p.dec.InputOffset()-int64(len(raw)), "%w", err)
	}
	return nil
}

func (p *plusReader) decodeRaw(raw *json.RawMessage) error {
	if err := p.dec.Decode(raw); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return p.jsonErr(err)
	}
	return nil
}

// skip passes over a value token by token, so that a large gco or gcc
// array is never held whole.
func (p *plusReader) skip() error {
	depth := 0
	for {
		tok, err := p.token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// jsonErr positions a decoder error: a syntax error at its offset, a
// truncated file at its end.
func (p *plusReader) jsonErr(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return p.errAt(se.Offset, "invalid JSON: %v", se)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return p.errAt(p.lines.off, "unexpected end of file (truncated download?)")
	}
	if _, ok := parseerr.As(err); ok {
		return err
	}
	return p.errAt(p.dec.InputOffset(), "%w", err)
}

// errAt reports an error at byte offset off of the file. Offsets behind
// the last position asked are clamped to it (the line index forgets what
// it has passed).
func (p *plusReader) errAt(off int64, format string, args ...any) error {
	line, col := p.lines.pos(off)
	return parseerr.New(p.name, line, col, format, args...)
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return "a closing " + textio.Quote(v.String())
	case string:
		return "the string " + textio.Quote(v)
	case json.Number:
		return "the number " + v.String()
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

// A lineIndex counts the lines of what the JSON decoder reads, to turn
// byte offsets into line and column. It keeps only the newlines past the
// last offset asked, so memory stays that of the decoder's buffer.
type lineIndex struct {
	r      io.Reader
	off    int64   // bytes read so far
	nl     []int64 // offsets of newlines not yet passed
	base   int     // newlines passed
	lastNL int64   // offset of the last newline passed, -1 at first
}

func (l *lineIndex) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	for i := 0; i < n; i++ {
		if b[i] == '\n' {
			l.nl = append(l.nl, l.off+int64(i))
		}
	}
	l.off += int64(n)
	return n, err
}

// pos returns the 1-based line and byte column of offset off.
func (l *lineIndex) pos(off int64) (line, col int) {
	for len(l.nl) > 0 && l.nl[0] < off {
		l.lastNL, l.nl = l.nl[0], l.nl[1:]
		l.base++
	}
	if off <= l.lastNL {
		off = l.lastNL + 1
	}
	return l.base + 1, int(off - l.lastNL)
}
