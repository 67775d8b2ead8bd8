// Package finess reads FINESS (Fichier national des établissements
// sanitaires et sociaux) extractions into one Establishment type:
//
//   - the official etalab stock file etalab-cs1100507-stock-*.csv
//     (ReadStock): header-less, `;`-separated, a first line
//     "finess;etalab;<n>;<date>", then "structureet" lines (32 fields),
//     then "geolocalisation" lines with projected coordinates;
//   - the flattened 2021 file finess_etablissements_20210108_flat.csv
//     (ReadFlat), derived from a FHIR conversion, already in WGS84 and
//     without INSEE code;
//   - the Occitanie regional file etablissements_occitanie.csv
//     (ReadOccitanie), with Lambert-93 and WGS84 coordinates and an INSEE
//     code;
//   - the FiNESS+ structures flow finess-structures-*.json(.gz) (ReadPlus),
//     JSON legal entities pmej[] with their establishments ege[], which
//     replaces the etalab extraction (see plus.go).
//
// ReadAny recognises the variant from the first line, or the first
// non-space byte for JSON (and gunzips). All CSV readers accept a UTF-8 BOM and CRLF line ends, decode lines that are not
// UTF-8 as Windows-1252 (the historical encoding of FINESS), and honour
// double-quoted fields. Errors are *parseerr.Error values with Line the
// physical line and Column the 1-based field index.
package finess

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// An Establishment is one FINESS établissement (geographic site).
type Establishment struct {
	Finess        string // nofinesset, 9 characters
	FinessEJ      string // nofinessej, the legal entity
	Name          string // rs, short name
	LongName      string // rslongue (empty in the flat 2021 file)
	Category      string // categetab, kept as published even when unknown
	CategoryLabel string // libcategetab
	Address       string // street, then locality / PO box, " | "-separated
	Postcode      string
	City          string
	Commune       string // INSEE code, 5 characters; empty when the source has none
	// Lat and Lon are WGS84 degrees, valid when HasPoint is set; an
	// establishment without geolocalisation keeps zeros and HasPoint false.
	Lat, Lon float64
	HasPoint bool
	// EPSG is the coordinate system the source gave the point in (2154,
	// 5490…, 4326 for files already in WGS84), 0 without point.
	EPSG    int
	Siret   string
	Opened  string // date d'ouverture, YYYY-MM-DD
	Updated string // date de mise à jour, YYYY-MM-DD (empty if absent)
	// ProximityHospital marks the "hôpital de proximité" label (2022),
	// which has no category: recent extractions append "(HOP PROXIMITE)"
	// to the long name. Extractions older than 2022 never carry it, so a
	// false value there means "unknown", not "no".
	ProximityHospital bool
	// OtherPoints are the other readings of coordinates given twice or in
	// an uncertain order (FiNESS+ only, see plusPoints), more than 100 m
	// from Lat/Lon: the importer tries them when the point is far from the
	// commune. Nil for the CSV layouts.
	OtherPoints []Point
	Line        int // 1-based line of the record in the file (of its opening brace in JSON)
}

// A Variant is a FINESS file layout.
type Variant int

// The layouts read by this package.
const (
	Unknown   Variant = iota
	Stock             // etalab-cs1100507-stock-*.csv
	Flat              // finess_etablissements_*_flat.csv (2021 FHIR flattening)
	Occitanie         // etablissements_occitanie.csv
	Plus              // finess-structures-*.json (FiNESS+ JSON flow)
)

// String names the layout in messages.
func (v Variant) String() string {
	switch v {
	case Stock:
		return "etalab stock"
	case Flat:
		return "flat 2021"
	case Occitanie:
		return "Occitanie"
	case Plus:
		return "FiNESS+ JSON"
	}
	return "unknown"
}

// Sniff tells the variant from the first line of a file: a JSON document
// (first non-space byte '{' or '[') is FiNESS+.
func Sniff(firstLine []byte) Variant {
	line := bytes.TrimPrefix(firstLine, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimLeft(line, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return Plus
	}
	line = bytes.TrimRight(line, "\r\n")
	fields := strings.Split(textio.ToUTF8(line), ";")
	if len(fields) >= 2 && textio.NormalizeName(fields[0]) == "finess" && textio.NormalizeName(fields[1]) == "etalab" {
		return Stock
	}
	h := textio.NewHeader(fields)
	switch {
	case h.Index("numerofinessetablissement") >= 0 && h.Index("codeinsee") >= 0:
		return Occitanie
	case h.Index("nofinesset") >= 0 && h.Index("latitude") >= 0 && h.Index("codepostal") >= 0:
		return Flat
	}
	return Unknown
}

// A File is a FINESS extraction opened for reading: gunzipped when it is
// gzip-compressed, its layout told by its first line. Open it with Open,
// read it with Read.
type File struct {
	Name string
	// FirstLine is the first line of the (decompressed) file, without its
	// line end: the stock header "finess;etalab;<n>;<date>" or a header.
	FirstLine []byte
	Variant   Variant
	// Date is the date a FiNESS+ file gives itself (generatedAt, YYYY-MM-DD),
	// known once Read has returned; "" otherwise.
	Date string
	r    *bufio.Reader
}

// Open gunzips r when it starts with the gzip magic number and reads its
// first line (up to 64 KB) to tell the layout; nothing is consumed.
func Open(r io.Reader, name string) (*File, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, parseerr.New(name, 0, 0, "gzip: %w", err)
		}
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	peek, _ := br.Peek(64 << 10)
	first := peek
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimSuffix(first, []byte("\r"))
	v := Sniff(first)
	// A JSON file may open with blank lines: look at its first non-space
	// byte rather than its first line.
	if t := bytes.TrimLeft(bytes.TrimPrefix(peek, []byte("\xef\xbb\xbf")), " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		v = Plus
	}
	return &File{Name: name, FirstLine: first, Variant: v, r: br}, nil
}

// Read reads every establishment with the reader of the file's layout.
func (f *File) Read(fn func(Establishment) error) error {
	switch f.Variant {
	case Stock:
		return ReadStock(f.r, f.Name, fn)
	case Flat:
		return ReadFlat(f.r, f.Name, fn)
	case Occitanie:
		return ReadOccitanie(f.r, f.Name, fn)
	case Plus:
		date, err := readPlus(f.r, f.Name, time.Now().Format("2006-01-02"), fn)
		f.Date = date
		return err
	}
	return parseerr.New(f.Name, 1, 0, "not a known FINESS layout (etalab stock, flat 2021, Occitanie or FiNESS+ JSON): first line %s", textio.Quote(textio.ToUTF8(f.FirstLine)))
}

// ReadAny detects the variant from the first line and reads the file with
// the matching reader. Gzip-compressed input is decompressed first.
func ReadAny(r io.Reader, name string, fn func(Establishment) error) error {
	f, err := Open(r, name)
	if err != nil {
		return err
	}
	return f.Read(fn)
}

// isProximity detects the hôpital de proximité marker, case- and
// accent-insensitively, as whole words: "(HOP PROXIMITE)", "Hôpital de
// proximité".
func isProximity(s string) bool {
	if s == "" {
		return false
	}
	f := " " + textio.FoldWords(s) + " "
	return strings.Contains(f, " HOP PROXIMITE ") || strings.Contains(f, " HOPITAL DE PROXIMITE ")
}

// validFiness accepts 9-character FINESS numbers: digits, or 2A/2B then
// digits for Corsica.
func validFiness(s string) bool {
	if len(s) != 9 {
		return false
	}
	for i := 0; i < 9; i++ {
		c := s[i]
		if c >= '0' && c <= '9' || i == 1 && s[0] == '2' && (c == 'A' || c == 'B') {
			continue
		}
		return false
	}
	return true
}

// splitAcheminement cuts "01440 VIRIAT" into postcode and city.
func splitAcheminement(s string) (postcode, city string) {
	s = strings.TrimSpace(s)
	if len(s) >= 5 && isDigits(s[:5]) && (len(s) == 5 || s[5] == ' ') {
		return s[:5], strings.TrimSpace(s[5:])
	}
	return "", s
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// joinNonEmpty joins the non-empty trimmed parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// address builds "12 B R DE PARIS | BP 401 | …" from FINESS address parts.
func address(numvoie, compvoie, typvoie, voie, lieuditbp, compldistrib string) string {
	return joinNonEmpty(" | ", joinNonEmpty(" ", numvoie, compvoie, typvoie, voie), lieuditbp, compldistrib)
}

// normDate returns a date as YYYY-MM-DD, accepting also DD/MM/YYYY and
// timestamps; empty stays empty.
func normDate(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > 10 && s[10] == 'T' || len(s) > 10 && s[10] == ' ' {
		s = s[:10]
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	return "", fmt.Errorf("invalid date %s (want YYYY-MM-DD)", textio.Quote(s))
}

// parseCoord reads a coordinate; FINESS writes a decimal point, hand-edited
// files sometimes a comma.
func parseCoord(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err != nil || v != v || v > 1e8 || v < -1e8 {
		return 0, fmt.Errorf("invalid coordinate %s", textio.Quote(s))
	}
	return v, nil
}

// validLonLat rejects points no projection of a French territory can give,
// which is what a wrong EPSG code or swapped columns produce.
func validLonLat(lon, lat float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
