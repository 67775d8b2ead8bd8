package finess

import (
	"io"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// columns maps the fields an Establishment needs to their index in a
// header; -1 when absent.
type columns struct {
	finess, finessEJ, rs, rslongue, categ, libcateg                    int
	numvoie, compvoie, typvoie, voie, lieuditbp, compldistrib, adresse int
	postcode, ville, acheminement, insee, siret, opened, updated       int
	lat, lon, x, y                                                     int
}

func findColumns(h *textio.Header) columns {
	return columns{
		finess:       h.Index("nofinesset", "numerofinessetablissement", "finess", "finesset"),
		finessEJ:     h.Index("nofinessej", "numerofinessetablissementjuridique", "finessej"),
		rs:           h.Index("rs", "raisonsociale"),
		rslongue:     h.Index("rslongue", "raisonsocialelongue"),
		categ:        h.Index("categetab"),
		libcateg:     h.Index("libcategetab", "categorie", "libellecategorie"),
		numvoie:      h.Index("numvoie"),
		compvoie:     h.Index("compvoie"),
		typvoie:      h.Index("typvoie"),
		voie:         h.Index("voie"),
		lieuditbp:    h.Index("lieuditbp"),
		compldistrib: h.Index("compldistrib"),
		adresse:      h.Index("adresse"),
		postcode:     h.Index("codepostal"),
		ville:        h.Index("ville", "libellecommune"),
		acheminement: h.Index("ligneacheminement"),
		insee:        h.Index("codeinsee", "codecommuneinsee"),
		siret:        h.Index("siret"),
		opened:       h.Index("dateouverture", "dateouv"),
		updated:      h.Index("datemaj", "maj"),
		lat:          h.Index("latitude", "lat"),
		lon:          h.Index("longitude", "lon"),
		x:            h.Index("coordxet"),
		y:            h.Index("coordyet"),
	}
}

// ReadFlat reads the flattened 2021 file (header nofinesset;nofinessej;rs;
// categetab;libcategetab;categagretab;libcategagretab;codeape;codesph;
// libsph;siret;adresse;code_postal;ville;telephone;date_ouverture;
// date_maj;latitude;longitude). It has no INSEE code (Commune is empty) and
// its points are already WGS84; overseas points were blanked by the
// flattening and come out with HasPoint false.
//
// Names of that file went through two CSV layers (the stock file quoted
// `"EHPAD ""LES GLYCINES"""`, the FHIR conversion kept the quotes, the
// flattening quoted again): a field that is still one whole quoted string
// after CSV decoding is unquoted once more.
func ReadFlat(r io.Reader, name string, fn func(Establishment) error) error {
	return readHeadered(r, name, Flat, fn)
}

// ReadOccitanie reads the Occitanie file (header numero_finess_etablissement;
// numero finess etablissement juridique;raison_sociale;rslongue;…;coordxet;
// coordyet;dateouv;dateautor;longitude;latitude;type d etablissements;
// code_insee). It carries Lambert-93 and WGS84 coordinates (WGS84 used,
// Lambert-93 converted when WGS84 is missing) and a 5-character INSEE code,
// left-padded when a spreadsheet dropped its leading zero.
//
// Defensive parsing: the one row said to have 28 fields in SOURCES.md (an
// address with "ZONE NORD ; ZAE…") is correctly quoted and parses with 27.
// Should a row carry extra fields from an unquoted ';', they can only come
// from the free-text address columns, so columns after lieuditbp are
// taken counting from the end of the row.
func ReadOccitanie(r io.Reader, name string, fn func(Establishment) error) error {
	return readHeadered(r, name, Occitanie, fn)
}

func readHeadered(r io.Reader, name string, v Variant, fn func(Establishment) error) error {
	tr := textio.NewReader(r, name, ';')
	tr.Quotes = true
	tr.Fallback1252 = true
	names, err := tr.NextStrings()
	if err == io.EOF {
		return tr.Errorf(0, "%w", textio.ErrNoHeader)
	}
	if err != nil {
		return err
	}
	h := textio.NewHeader(names)
	c := findColumns(h)
	required := map[string]int{"finess": c.finess, "categetab": c.categ}
	if v == Flat {
		required["latitude"], required["longitude"], required["code_postal"] = c.lat, c.lon, c.postcode
	} else {
		required["code_insee"], required["raison_sociale"] = c.insee, c.rs
	}
	for col, i := range required {
		if i < 0 {
			return tr.Errorf(0, "missing column %s in header %s: not a %s FINESS file", col, textio.Quote(strings.Join(names, ";")), v)
		}
	}
	// tail is the first column after the free-text address block, from
	// which columns are counted from the end of an over-long row.
	tail := len(names)
	for _, i := range []int{c.lieuditbp, c.compldistrib, c.compvoie, c.voie} {
		if i >= 0 && i+1 < tail {
			tail = i + 1
			break
		}
	}
	for {
		f, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		extra := len(f) - len(names)
		switch {
		case extra < 0:
			return tr.Errorf(0, "%d fields, the header has %d (truncated line?)", len(f), len(names))
		case extra > 0 && (v != Occitanie || tail == len(names)):
			return tr.Errorf(len(names)+1, "%d fields, the header has %d (unquoted ';' in a field?)", len(f), len(names))
		}
		// col maps a header index to the field index of this row.
		col := func(i int) int {
			if i >= tail {
				return i + extra
			}
			return i
		}
		get := func(i int) string {
			if i < 0 {
				return ""
			}
			return textio.Field(f, col(i))
		}
		e := Establishment{
			Finess:        get(c.finess),
			FinessEJ:      get(c.finessEJ),
			Name:          get(c.rs),
			LongName:      get(c.rslongue),
			Category:      get(c.categ),
			CategoryLabel: get(c.libcateg),
			Siret:         get(c.siret),
			Line:          tr.Line(),
		}
		if !validFiness(e.Finess) {
			return tr.Errorf(col(c.finess)+1, "invalid FINESS number %s (want 9 characters)", textio.Quote(e.Finess))
		}
		if c.adresse >= 0 {
			e.Address = get(c.adresse)
		} else {
			e.Address = address(get(c.numvoie), get(c.compvoie), get(c.typvoie), get(c.voie), get(c.lieuditbp), get(c.compldistrib))
		}
		if c.postcode >= 0 {
			e.Postcode, e.City = get(c.postcode), get(c.ville)
		} else {
			e.Postcode, e.City = splitAcheminement(get(c.acheminement))
		}
		if v == Flat {
			e.Name, e.Address = unquoteAgain(e.Name), unquoteAgain(e.Address)
		}
		if raw := get(c.insee); raw != "" {
			code, ok := textio.CommuneCode(raw)
			if !ok {
				return tr.Errorf(col(c.insee)+1, "invalid INSEE code %s", textio.Quote(raw))
			}
			e.Commune = code
		}
		if e.Opened, err = normDate(get(c.opened)); err != nil {
			return tr.Errorf(col(c.opened)+1, "%w", err)
		}
		if e.Updated, err = normDate(get(c.updated)); err != nil {
			return tr.Errorf(col(c.updated)+1, "%w", err)
		}
		if err := setPoint(tr, &e, c, get, col); err != nil {
			return err
		}
		e.ProximityHospital = isProximity(e.LongName) || e.LongName == "" && isProximity(e.Name)
		if err := fn(e); err != nil {
			return err
		}
	}
}

// setPoint takes WGS84 columns when filled, else converts Lambert-93.
func setPoint(tr *textio.Reader, e *Establishment, c columns, get func(int) string, col func(int) int) error {
	if lats, lons := get(c.lat), get(c.lon); lats != "" || lons != "" {
		lat, err := parseCoord(lats)
		if err != nil {
			return tr.Errorf(col(c.lat)+1, "latitude: %w", err)
		}
		lon, err := parseCoord(lons)
		if err != nil {
			return tr.Errorf(col(c.lon)+1, "longitude: %w", err)
		}
		if !validLonLat(lon, lat) {
			return tr.Errorf(col(c.lat)+1, "point (lat %v, lon %v) is not on Earth (columns swapped?)", lat, lon)
		}
		e.Lat, e.Lon, e.HasPoint, e.EPSG = lat, lon, true, 4326
		return nil
	}
	if xs, ys := get(c.x), get(c.y); xs != "" && ys != "" {
		x, err := parseCoord(xs)
		if err != nil {
			return tr.Errorf(col(c.x)+1, "coordxet: %w", err)
		}
		y, err := parseCoord(ys)
		if err != nil {
			return tr.Errorf(col(c.y)+1, "coordyet: %w", err)
		}
		lon, lat := Lambert93.Inverse(x, y)
		if !validLonLat(lon, lat) {
			return tr.Errorf(col(c.x)+1, "Lambert-93 point (%v, %v) is not on Earth", x, y)
		}
		e.Lat, e.Lon, e.HasPoint, e.EPSG = lat, lon, true, 2154
	}
	return nil
}

// unquoteAgain undoes one leftover level of CSV quoting when the whole
// value is a single well-formed quoted string.
func unquoteAgain(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	inner := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '"' {
			if i+1 < len(inner) && inner[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			return s // a lone quote: not one quoted string
		}
		b.WriteByte(inner[i])
	}
	return strings.TrimSpace(b.String())
}
