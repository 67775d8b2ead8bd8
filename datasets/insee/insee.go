// Package insee reads two INSEE population files:
//
//   - the populations de référence, donnees_communes.csv (ReadPopulations):
//     `;`-separated, columns REG;Région;DEP;CODARR;CODCAN;CODCOM;COM;
//     Commune;PMUN;PCAP;PTOT in recent vintages, other names in older ones,
//     so columns are matched by name;
//   - the census age structure base-cc-evol-struct-pop-YYYY.CSV
//     (ReadAgeStructure): `;` or `,` (sniffed from the header), key CODGEO
//     (or IRIS for the infra-communal variant), counts Pyy_POP and
//     Pyy_POP0014 … Pyy_POP90P for the vintage yy; counts are weighted
//     estimates and may be decimals.
//
// Both accept a BOM, CRLF, quoted fields and Windows-1252 lines (older
// INSEE files). Errors are *parseerr.Error values with Line the physical
// line and Column the 1-based field index.
package insee

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
)

// A Population is the reference population of one commune.
type Population struct {
	Code string // INSEE code, 5 characters
	Name string
	PMUN int // population municipale, the one to use for rates
	PTOT int // population totale (municipale + comptée à part)
	Line int
}

func newReader(r io.Reader, name string, sep byte) *textio.Reader {
	tr := textio.NewReader(r, name, sep)
	tr.Quotes = true
	tr.Fallback1252 = true
	return tr
}

// ReadPopulations calls fn for each commune of a populations de référence
// file. The code is COM when the file has it, else DEP + CODCOM (for
// overseas départements DEP "971" and CODCOM "101" or "01" both give
// 97101; leading zeros lost in a spreadsheet are restored). PTOT is 0 when the vintage has no total population column.
func ReadPopulations(r io.Reader, name string, fn func(Population) error) error {
	tr := newReader(r, name, ';')
	names, err := tr.NextStrings()
	if err == io.EOF {
		return tr.Errorf(0, "%w", textio.ErrNoHeader)
	}
	if err != nil {
		return err
	}
	h := textio.NewHeader(names)
	iCom := h.Index("com", "codgeo", "depcom", "codeinsee", "codecommuneinsee")
	iDep := h.Index("dep", "codedepartement", "codedep")
	iCodcom := h.Index("codcom", "codecommune")
	iName := h.Index("commune", "nomdelacommune", "nomcommune", "libgeo", "libellecommune")
	iPmun := h.Index("pmun", "populationmunicipale")
	iPtot := h.Index("ptot", "populationtotale")
	if iPmun < 0 || iCom < 0 && (iDep < 0 || iCodcom < 0) {
		return tr.Errorf(0, "header %s: want a population municipale column (PMUN) and a commune code (COM, or DEP and CODCOM)", textio.Quote(strings.Join(names, ";")))
	}
	for {
		f, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(f) != len(names) {
			return tr.Errorf(0, "%d fields, the header has %d", len(f), len(names))
		}
		p := Population{Name: textio.Field(f, iName), Line: tr.Line()}
		raw, col := textio.Field(f, iCom), iCom
		if raw == "" {
			raw, col = joinCode(textio.Field(f, iDep), textio.Field(f, iCodcom)), iCodcom
		}
		code, ok := textio.CommuneCode(raw)
		if !ok {
			return tr.Errorf(col+1, "invalid commune code %s", textio.Quote(raw))
		}
		p.Code = code
		if p.PMUN, err = parseCount(textio.Field(f, iPmun)); err != nil {
			return tr.Errorf(iPmun+1, "%s: %w", names[iPmun], err)
		}
		if iPtot >= 0 {
			if p.PTOT, err = parseCount(textio.Field(f, iPtot)); err != nil {
				return tr.Errorf(iPtot+1, "%s: %w", names[iPtot], err)
			}
		}
		if err := fn(p); err != nil {
			return err
		}
	}
}

// joinCode builds a commune code from département and commune-in-
// département codes, undoing a spreadsheet's loss of leading zeros: "1" and
// "1" give 01001; overseas, "971" with "101" or "01" gives 97101.
func joinCode(dep, codcom string) string {
	if len(dep) == 3 {
		if len(codcom) == 3 && codcom[0] == dep[2] {
			return dep[:2] + codcom
		}
		return dep + leftPad(codcom, 2)
	}
	return leftPad(dep, 2) + leftPad(codcom, 3)
}

func leftPad(s string, n int) string {
	for len(s) < n && s != "" {
		s = "0" + s
	}
	return s
}

// parseCount reads a population count, tolerating thousands separators
// ("1 234", no-break spaces) and a useless ".0".
func parseCount(s string) (int, error) {
	v, err := parseNumber(s)
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) || v > 1e9 {
		return 0, fmt.Errorf("not a whole number of inhabitants: %s", textio.Quote(s))
	}
	return int(v), nil
}

var numberCleaner = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", ",", ".")

// parseNumber reads a non-negative number, with a decimal point or comma.
// An empty field is 0: INSEE leaves counts empty where they are zero by
// construction (no IRIS population in an activity zone).
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(numberCleaner.Replace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return 0, fmt.Errorf("not a non-negative number: %s", textio.Quote(s))
	}
	return v, nil
}

// Age bands of the census files, in the order of AgeRecord.Bands.
const (
	Band0014 = iota
	Band1529
	Band3044
	Band4559
	Band6074
	Band7589
	Band90P
	NumBands
)

// BandLabels names the bands for display.
var BandLabels = [NumBands]string{"0-14", "15-29", "30-44", "45-59", "60-74", "75-89", "90+"}

var bandSuffixes = [NumBands]string{"0014", "1529", "3044", "4559", "6074", "7589", "90P"}

// An AgeRecord is the population of a commune (or IRIS) by age band.
type AgeRecord struct {
	Code    string // CODGEO (commune) or IRIS code
	Commune string // commune code: CODGEO, or COM in the IRIS variant
	Year    int    // census year, from the column prefix (P21_ → 2021)
	Total   float64
	// Bands are the seven bands of BandLabels. The IRIS variant has no
	// 75-89 / 90+ split: it gives POP75P, stored in Band7589 with Band90P
	// left 0 and Split75 false.
	Bands   [NumBands]float64
	Split75 bool
	Line    int
}

// P75 returns the population aged 75 or more.
func (a AgeRecord) P75() float64 { return a.Bands[Band7589] + a.Bands[Band90P] }

var popCol = regexp.MustCompile(`^P(\d\d)_POP(.*)$`)

// ReadAgeStructure calls fn for each row of a base-cc-evol-struct-pop (or
// base-ic-evol-struct-pop) file. The separator is `;` or `,`, whichever the
// header uses more. When the file holds several census years (P21_, P15_…)
// the most recent one is read; other columns (C21_…, sex splits, extra IRIS
// bands) are ignored. The bands must add up to the total within 0.5 %
// (weighted estimates are rounded), or the row is refused.
func ReadAgeStructure(r io.Reader, name string, fn func(AgeRecord) error) error {
	// Sniff the separator on the header without consuming it; the textio
	// reader reuses this bufio.Reader.
	br := bufio.NewReaderSize(r, 256<<10)
	tr := newReader(br, name, sniffSeparator(br))
	h, err := readAgeHeader(tr)
	if err != nil {
		return err
	}
	for {
		f, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rec, err := h.record(tr, f)
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}

// sniffSeparator tells ',' from ';' on the first line of br, without
// consuming it: the one the line holds more of, ';' on a tie.
func sniffSeparator(br *bufio.Reader) byte {
	head, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.Count(head, []byte(",")) > bytes.Count(head, []byte(";")) {
		return ','
	}
	return ';'
}

// ageHeader is what the header of an age-structure file tells: where the
// codes are, the census year read and the columns of its bands.
type ageHeader struct {
	names       []string
	iCode, iCom int
	yy          int // two-digit year of the columns read
	split75     bool
	bandIdx     [NumBands]int
	i75, iTotal int
}

// readAgeHeader reads the header and picks the most recent year that has
// a total column (Pyy_POP) and every band.
func readAgeHeader(tr *textio.Reader) (ageHeader, error) {
	names, err := tr.NextStrings()
	if err == io.EOF {
		return ageHeader{}, tr.Errorf(0, "%w", textio.ErrNoHeader)
	}
	if err != nil {
		return ageHeader{}, err
	}
	h := ageHeader{names: names}
	th := textio.NewHeader(names)
	h.iCode, h.iCom = th.Index("codgeo"), th.Index("com")
	if h.iCode < 0 {
		h.iCode = th.Index("iris")
	}
	if h.iCode < 0 {
		return ageHeader{}, tr.Errorf(0, "no CODGEO (or IRIS) column in header %s", textio.Quote(strings.Join(names, ";")))
	}
	years := map[int]map[string]int{}
	for i, n := range names {
		m := popCol.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(n)))
		if m == nil {
			continue
		}
		yy, _ := strconv.Atoi(m[1])
		if years[yy] == nil {
			years[yy] = map[string]int{}
		}
		if _, dup := years[yy][m[2]]; !dup {
			years[yy][m[2]] = i
		}
	}
	var yys []int
	for yy, cols := range years {
		if _, ok := cols[""]; ok {
			yys = append(yys, yy)
		}
	}
	if len(yys) == 0 {
		return ageHeader{}, tr.Errorf(0, "no Pyy_POP total column in header")
	}
	// yy is 20yy for these files (censuses since 2006); sort on the full year.
	sort.Slice(yys, func(i, j int) bool { return fullYear(yys[i]) > fullYear(yys[j]) })
	h.yy = yys[0]
	cols := years[h.yy]
	h.split75 = true
	for b, suf := range bandSuffixes {
		i, ok := cols[suf]
		if !ok {
			if b >= Band7589 {
				h.split75 = false
				continue
			}
			return ageHeader{}, tr.Errorf(0, "missing column P%02d_POP%s", h.yy, suf)
		}
		h.bandIdx[b] = i
	}
	i75, has75 := cols["75P"]
	if !h.split75 && !has75 {
		return ageHeader{}, tr.Errorf(0, "missing columns P%02d_POP7589 and P%02d_POP90P (or P%02d_POP75P)", h.yy, h.yy, h.yy)
	}
	h.i75, h.iTotal = i75, cols[""]
	return h, nil
}

// record converts one line: its codes, total and bands, which must add up
// to the total.
func (h ageHeader) record(tr *textio.Reader, f [][]byte) (AgeRecord, error) {
	names := h.names
	if len(f) != len(names) {
		return AgeRecord{}, tr.Errorf(0, "%d fields, the header has %d", len(f), len(names))
	}
	rec := AgeRecord{Year: fullYear(h.yy), Split75: h.split75, Line: tr.Line()}
	rec.Code = textio.Field(f, h.iCode)
	if rec.Code == "" {
		return AgeRecord{}, tr.Errorf(h.iCode+1, "empty %s", names[h.iCode])
	}
	// The commune is COM when given, else the first five characters
	// of an IRIS code (commune + 4 digits), else CODGEO itself.
	raw, col := rec.Code, h.iCode
	switch {
	case h.iCom >= 0:
		raw, col = textio.Field(f, h.iCom), h.iCom
	case len(rec.Code) == 9:
		raw = rec.Code[:5]
	}
	c, ok := textio.CommuneCode(raw)
	if !ok {
		return AgeRecord{}, tr.Errorf(col+1, "invalid commune code %s", textio.Quote(raw))
	}
	rec.Commune = c
	if h.iCom < 0 && len(rec.Code) != 9 {
		rec.Code = c
	}
	num := func(i int) (float64, error) {
		v, err := parseNumber(textio.Field(f, i))
		if err != nil {
			return 0, tr.Errorf(i+1, "%s: %w", names[i], err)
		}
		return v, nil
	}
	var err error
	if rec.Total, err = num(h.iTotal); err != nil {
		return AgeRecord{}, err
	}
	sum := 0.0
	for b := range NumBands {
		if !h.split75 && b >= Band7589 {
			continue
		}
		if rec.Bands[b], err = num(h.bandIdx[b]); err != nil {
			return AgeRecord{}, err
		}
		sum += rec.Bands[b]
	}
	if !h.split75 {
		if rec.Bands[Band7589], err = num(h.i75); err != nil {
			return AgeRecord{}, err
		}
		sum += rec.Bands[Band7589]
	}
	if math.Abs(sum-rec.Total) > 0.005*rec.Total+1 {
		return AgeRecord{}, tr.Errorf(h.iTotal+1, "age bands add up to %.2f, total %s is %.2f", sum, names[h.iTotal], rec.Total)
	}
	return rec, nil
}

func fullYear(yy int) int {
	if yy >= 60 {
		return 1900 + yy
	}
	return 2000 + yy
}
