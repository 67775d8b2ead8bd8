// Package apl reads the DREES workbook of the APL ("accessibilité
// potentielle localisée") to general practitioners: one sheet per vintage
// ("APL 2022", "APL 2023", older "APL_2019") with one row per commune, and
// the "Paramètres" sheet holding the official method parameters (activity
// bounds, distance decay, age weights).
//
// A vintage sheet has title and note lines, then a header row located by
// the cell "Code commune INSEE" (row 9 in the 2022–2023 workbook), then a
// units row, then one row per commune (Paris, Lyon and Marseille by
// arrondissement; France except Mayotte). A sheet is a vintage sheet
// because it holds that header, whatever its name, so that a new release
// ("APL 2024", "APL_2025 ", "Feuil1") reads without code changes; its
// vintage is the year its name gives, else the "Millésime : YYYY" note
// above the header, else the year of the populations plus two (DREES
// computes APL YYYY on the populations of YYYY-2). Columns are matched by their
// normalised name because DREES rewords them between releases; the units
// row is checked so that a change of unit (say, APL per 1,000 inhabitants)
// is refused rather than silently mixed with earlier vintages.
//
// Sheets are read with excelize's streaming row iterator, so memory stays
// proportional to the records kept, not to the XML of the sheet.
// Errors are *parseerr.Error values naming the sheet and cell, e.g.
// `apl.xlsx: sheet "APL 2023" cell C1234: …`.
package apl

import (
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// A Record is the APL of one commune (or municipal arrondissement) for one
// vintage.
type Record struct {
	Code       string  // INSEE code, 5 characters ("01001", "2A004", "75101")
	Name       string  // commune name as published
	APL        float64 // consultations/visits accessible per standardised inhabitant per year
	APLUnder65 float64 // same, supply restricted to GPs aged 65 or less
	// PopStandardised is the population weighted by age-specific GP
	// consumption: the weight to use when averaging APL over a territory.
	PopStandardised float64
	PopTotal        float64 // population totale, for shares of population under a threshold
	Row             int     // 1-based sheet row, for messages
}

// A Sheet is one vintage of the indicator.
type Sheet struct {
	Name    string // sheet name, e.g. "APL 2023"
	Vintage int    // from the sheet name "APL 2023" → 2023, else see VintageFrom
	// VintageFrom says where Vintage was read when the sheet name gives no
	// year (the Millésime note, the populations' year); "" for the name.
	VintageFrom string
	// PopYear is the year of the populations, from the header "Population
	// totale 2021" (else "Population standardisée 2021 …"): 2021; 0 if absent.
	PopYear int
	Records []Record
	// Scope is the "Champ : …" note above the header ("Champ :
	// Omnipraticiens libéraux ; France hors Mayotte."), "" when absent.
	Scope string
	// LastRow is the sheet row of the last commune.
	LastRow int
}

// NationalMinRows is the fewest communes a sheet whose scope is France
// may hold: the 2022 and 2023 sheets have about 34,950 rows (communes and
// arrondissements); fewer means a truncated or damaged sheet.
const NationalMinRows = 30000

// National reports whether the sheet says it covers France ("Champ : …
// France hors Mayotte").
func (s *Sheet) National() bool {
	return strings.Contains(textio.NormalizeName(s.Scope), "france")
}

// A DecayBand is one step of the distance decay: road time from
// FromMinutes (inclusive) to ToMinutes (exclusive, +Inf for the last band)
// weighs Weight.
type DecayBand struct {
	Label                  string
	FromMinutes, ToMinutes float64
	Weight                 float64
}

// An ActivityBound says how a GP's yearly consultations and visits between
// From and To (To = +Inf for the last band) are counted: Counted, or the
// actual activity when Actual is set. Labels are "Moins de 250" (From 0,
// To 250), "Entre 251 et 3 600", "Plus de 6 000" (From 6000, To +Inf).
type ActivityBound struct {
	Label    string
	From, To float64
	Counted  float64
	Actual   bool
}

// An AgeWeight is the GP consumption of an age band relative to the
// national mean. ToAge is inclusive; -1 marks the open last band (90+).
type AgeWeight struct {
	Label          string
	FromAge, ToAge int
	Weight         float64
}

// Parameters are the official parameters of the method, from the sheet
// "Paramètres".
type Parameters struct {
	DecayBands     []DecayBand
	ActivityBounds []ActivityBound
	AgeWeights     map[int][]AgeWeight // by vintage (2022, 2023…)
	// NewPractitionerActivity is the activity imputed to GPs with no
	// activity the year before (5,400 in 2022–2023), 0 if not stated.
	NewPractitionerActivity float64
}

// ReadWorkbook reads every vintage sheet and the parameters sheet of the
// workbook at path. Parameters is nil when the workbook has no
// "Paramètres" sheet (some older releases).
func ReadWorkbook(path string) ([]Sheet, *Parameters, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return ReadWorkbookReader(f, path)
}

// ReadWorkbookReader is ReadWorkbook for an already opened workbook; name
// is used in error messages.
func ReadWorkbookReader(r io.Reader, name string) (sheets []Sheet, params *Parameters, err error) {
	// excelize is large and not hardened against hostile archives: a
	// panic deep inside it must become an error for the user, not a crash.
	defer func() {
		if p := recover(); p != nil {
			sheets, params = nil, nil
			err = &parseerr.Error{File: name, Err: fmt.Errorf("unreadable workbook: %v", p)}
		}
	}()
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, nil, &parseerr.Error{File: name, Err: fmt.Errorf("not an xlsx workbook: %w", err)}
	}
	defer f.Close()
	for _, sn := range f.GetSheetList() {
		src, err := openRows(f, name, sn)
		if err != nil {
			return nil, nil, err
		}
		if strings.HasPrefix(textio.NormalizeName(sn), "parametres") {
			params, err = parseParameters(src)
		} else {
			// A sheet named like "APL 2023" must hold the table; any other
			// holds it when its first rows have the header.
			var sh Sheet
			var found bool
			sh, found, err = parseSheet(src, vintageRE.MatchString(sn))
			if found && err == nil {
				sheets = append(sheets, sh)
			}
		}
		src.close()
		if err != nil {
			return nil, nil, err
		}
	}
	if len(sheets) == 0 {
		return nil, nil, &parseerr.Error{File: name, Err: fmt.Errorf("no APL sheet (a sheet with a header row holding the cell \"Code commune INSEE\" in its first %d rows); found %q", headerSearchRows, f.GetSheetList())}
	}
	return sheets, params, nil
}

// vintageRE matches the names DREES gives vintage sheets: "APL 2023",
// "APL_2019", "APL-2025 ".
var vintageRE = regexp.MustCompile(`(?i)^\s*APL[\s_-]*((?:19|20)\d\d)\s*$`)

// digitsRE cuts a sheet name into runs of digits, to find the year in
// "APL 2024 (2)" or "Données 2024".
var digitsRE = regexp.MustCompile(`[0-9]+`)

// The vintages this reader accepts: the APL releases on today's method
// start with 2015.
const (
	MinVintage = 2015
	MaxVintage = 2099
)

// headerSearchRows bounds the search for the header in a sheet whose name
// does not say it is a vintage sheet (row 9 in the 2022–2023 workbook).
const headerSearchRows = 50

// SheetVintage returns the year a sheet name gives ("APL 2023" → 2023,
// "APL_2019", "APL-2025 ", "APL 2024 (2)"), and false when it gives none
// or more than one. Whether the sheet is a vintage sheet is told by its
// header row, not by its name.
func SheetVintage(sheet string) (int, bool) {
	year := 0
	for _, d := range digitsRE.FindAllString(sheet, -1) {
		if len(d) == 4 && (d[:2] == "19" || d[:2] == "20") {
			if year != 0 {
				return 0, false
			}
			year, _ = strconv.Atoi(d)
		}
	}
	return year, year != 0
}

// rowSource yields the cells of consecutive rows; tests and the fuzzer feed
// parseSheet without building a workbook.
type rowSource struct {
	file, sheet string
	row         int
	next        func() ([]string, bool, error)
	close       func()
}

func (s *rowSource) errorf(col int, format string, args ...any) error {
	return parseerr.Cell(s.file, s.sheet, s.row, col, format, args...)
}

func openRows(f *excelize.File, file, sheet string) (*rowSource, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, parseerr.Cell(file, sheet, 0, 0, "opening sheet: %w", err)
	}
	src := &rowSource{file: file, sheet: sheet, close: func() { rows.Close() }}
	src.next = func() ([]string, bool, error) {
		if !rows.Next() {
			if err := rows.Error(); err != nil {
				return nil, false, src.errorf(0, "reading: %w", err)
			}
			return nil, false, nil
		}
		// Raw values: numbers as stored (1.9419999999999999), not as
		// formatted for display (1.94), and codes as typed.
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, false, src.errorf(0, "reading: %w", err)
		}
		return cells, true, nil
	}
	return src, nil
}

func (s *rowSource) read() ([]string, bool, error) {
	cells, ok, err := s.next()
	if ok {
		s.row++
	}
	return cells, ok, err
}

type column int

const (
	colCode column = iota
	colName
	colAPL
	colAPLUnder65
	colPopStd
	colPopTotal
	numColumns
)

var columnTitles = [numColumns]string{
	"Code commune INSEE", "Commune", "APL aux médecins généralistes",
	"APL aux médecins généralistes de moins de 65 ans",
	"Population standardisée YYYY pour la médecine générale", "Population totale YYYY",
}

// classify maps a normalised header to a column, tolerating DREES's
// rewordings: what identifies a column is its leading words.
func classify(h string) (column, bool) {
	switch {
	case h == "codecommuneinsee" || h == "codecommune" || h == "codeinsee" || h == "codgeo" || h == "depcom":
		return colCode, true
	case h == "commune" || h == "libellecommune" || h == "nomcommune" || h == "nomdelacommune" || h == "libgeo":
		return colName, true
	case strings.HasPrefix(h, "apl") && strings.Contains(h, "65"):
		return colAPLUnder65, true
	case strings.HasPrefix(h, "apl"):
		return colAPL, true
	case strings.HasPrefix(h, "populationstandardisee"):
		return colPopStd, true
	case strings.HasPrefix(h, "populationtotale"):
		return colPopTotal, true
	}
	return 0, false
}

// unitOK checks the units row; it is what makes values comparable across
// vintages. An empty unit for the code and name columns is expected.
func unitOK(c column, u string) bool {
	u = textio.NormalizeName(u)
	switch c {
	case colCode, colName:
		return true
	case colAPL, colAPLUnder65:
		return strings.HasPrefix(u, "ennombrede") && strings.Contains(u, "consultations") &&
			strings.HasSuffix(u, "parhabitantstandardise")
	case colPopStd:
		return u == "ennombredhabitantsstandardises"
	case colPopTotal:
		return u == "ennombredhabitants"
	}
	return false
}

var expectedUnits = [numColumns]string{
	colAPL:        "En nombre de consultations/visites accessibles par habitant standardisé",
	colAPLUnder65: "En nombre de consultations/visites accessibles par habitant standardisé",
	colPopStd:     "En nombre d'habitants standardisés",
	colPopTotal:   "En nombre d'habitants",
}

var yearRE = regexp.MustCompile(`(?:19|20)\d\d`)

// parseSheet reads a vintage sheet. found is false, with no error, when
// the sheet has no header row in its first headerSearchRows rows and
// named is false (a notes sheet); a sheet named like "APL 2023" must hold
// the table.
func parseSheet(src *rowSource, named bool) (sh Sheet, found bool, err error) {
	sh = Sheet{Name: src.sheet}
	noteYear := 0
	// 1. Header row: the first row with a cell "Code commune INSEE".
	var header []string
	for {
		cells, ok, err := src.read()
		if err != nil {
			return sh, false, err
		}
		if !ok || !named && src.row > headerSearchRows {
			if !named {
				return sh, false, nil
			}
			return sh, false, parseerr.Cell(src.file, src.sheet, 0, 0, "no header row: no cell %q found", "Code commune INSEE")
		}
		for _, c := range cells {
			n := textio.NormalizeName(c)
			if n == "codecommuneinsee" {
				header = cells
				break
			}
			if strings.HasPrefix(n, "champ") && !strings.HasPrefix(n, "champdelindicateur") && sh.Scope == "" {
				sh.Scope = strings.TrimSpace(c)
			}
			if strings.HasPrefix(n, "millesime") && noteYear == 0 {
				if y := yearRE.FindString(c); y != "" {
					noteYear, _ = strconv.Atoi(y)
				}
			}
		}
		if header != nil {
			break
		}
	}
	found = true
	headerRow := src.row
	var idx [numColumns]int
	for i := range idx {
		idx[i] = -1
	}
	for i, h := range header {
		c, ok := classify(textio.NormalizeName(h))
		if !ok {
			continue
		}
		if idx[c] >= 0 {
			return sh, found, src.errorf(i+1, "two columns for %q: %s and %s", columnTitles[c], parseerr.ColumnName(idx[c]+1), parseerr.ColumnName(i+1))
		}
		idx[c] = i
	}
	for c, i := range idx {
		if i < 0 {
			return sh, found, src.errorf(0, "missing column %q in the header row", columnTitles[c])
		}
	}
	for _, c := range []column{colPopTotal, colPopStd} {
		if y := yearRE.FindString(header[idx[c]]); y != "" && sh.PopYear == 0 {
			sh.PopYear, _ = strconv.Atoi(y)
		}
	}
	if err := sh.setVintage(src, noteYear); err != nil {
		return sh, found, err
	}
	cell := func(cells []string, c column) string {
		if idx[c] < len(cells) {
			return strings.TrimSpace(cells[idx[c]])
		}
		return ""
	}

	// 2. Units row, then data. A sheet whose first row after the header
	// already holds a commune code has no units row (older layouts).
	seen := make(map[string]int)
	first := true
	for {
		cells, ok, err := src.read()
		if err != nil {
			return sh, found, err
		}
		if !ok {
			break
		}
		if first {
			first = false
			if _, isCode := textio.CommuneCode(cell(cells, colCode)); !isCode && src.row == headerRow+1 {
				for c := colAPL; c < numColumns; c++ {
					if u := cell(cells, c); !unitOK(c, u) {
						return sh, found, src.errorf(idx[c]+1, "unit %s for column %q, expected %q: refusing to mix units across vintages",
							textio.Quote(u), header[idx[c]], expectedUnits[c])
					}
				}
				continue
			}
		}
		rawCode := cell(cells, colCode)
		blankValues := true
		for c := colAPL; c < numColumns; c++ {
			if cell(cells, c) != "" {
				blankValues = false
			}
		}
		if blankValues && (rawCode == "" || !looksLikeCode(rawCode)) {
			// Empty rows and footnotes below the table.
			continue
		}
		code, ok := textio.CommuneCode(rawCode)
		if !ok {
			return sh, found, src.errorf(idx[colCode]+1, "invalid commune code %s", textio.Quote(rawCode))
		}
		if prev, dup := seen[code]; dup {
			return sh, found, src.errorf(idx[colCode]+1, "commune %s listed twice (first at row %d)", code, prev)
		}
		seen[code] = src.row
		rec := Record{Code: code, Name: cell(cells, colName), Row: src.row}
		for c, dst := range [...]*float64{colAPL: &rec.APL, colAPLUnder65: &rec.APLUnder65, colPopStd: &rec.PopStandardised, colPopTotal: &rec.PopTotal} {
			if dst == nil {
				continue
			}
			v, err := parseNumber(cell(cells, column(c)))
			if err != nil {
				return sh, found, src.errorf(idx[c]+1, "%s: %w", header[idx[c]], err)
			}
			*dst = v
		}
		sh.Records = append(sh.Records, rec)
		sh.LastRow = src.row
	}
	if len(sh.Records) == 0 {
		return sh, found, src.errorf(0, "no commune rows after the header (row %d)", headerRow)
	}
	return sh, found, nil
}

// setVintage sets the vintage from the sheet name, else the Millésime
// note, else the populations' year plus two, and checks its range.
func (sh *Sheet) setVintage(src *rowSource, noteYear int) error {
	name, ok := SheetVintage(sh.Name)
	switch {
	case ok:
		sh.Vintage = name
	case noteYear != 0:
		sh.Vintage, sh.VintageFrom = noteYear, fmt.Sprintf("the note \"Millésime : %d\"", noteYear)
	case sh.PopYear != 0:
		sh.Vintage = sh.PopYear + 2
		sh.VintageFrom = fmt.Sprintf("the populations of %d, plus two years as in every DREES release", sh.PopYear)
	default:
		return src.errorf(0, "the sheet name gives no year, and neither a \"Millésime\" note nor the population columns do: name the sheet like \"APL 2024\"")
	}
	if sh.Vintage < MinVintage || sh.Vintage > MaxVintage {
		from := "its name"
		if sh.VintageFrom != "" {
			from = sh.VintageFrom
		}
		return src.errorf(0, "vintage %d (from %s) is outside %d..%d: not an APL release this program reads", sh.Vintage, from, MinVintage, MaxVintage)
	}
	return nil
}

// looksLikeCode tells a mangled code from a footnote: footnotes are words.
func looksLikeCode(s string) bool {
	return len(s) <= 8 && !strings.Contains(s, " ")
}

// parseNumber reads a stored cell value; text cells typed by hand may use a
// decimal comma.
func parseNumber(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty value")
	}
	v, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("not a number: %s", textio.Quote(s))
	}
	if v < 0 {
		return 0, fmt.Errorf("negative value %s", s)
	}
	return v, nil
}
