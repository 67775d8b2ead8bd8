// Package traveltimes reads a user's table of road times between places
// (from OSRM, Metric or any router): a CSV file with the columns origin,
// destination and minutes. diagnostic/access builds its Matrix from the
// pairs read here.
package traveltimes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// A Pair is one row of a travel-time table.
type Pair struct {
	From, To string
	Minutes  float64
	Line     int // line of the file it was read from
}

// MaxLine bounds a line of a travel-time file: three short fields fit in a
// few dozen bytes, so a longer line means a wrong file (a binary, a
// spreadsheet saved in the wrong format), reported rather than buffered.
const MaxLine = 64 << 10

// Read reads a travel-time table: a CSV file whose first line is a header
// naming the columns origin, destination and minutes (any order, any
// case, other columns ignored), then one pair per line, returned in file
// order. name is the file name used in errors.
//
// The separator is sniffed from the header, ";" when it holds one (French
// spreadsheets) else ",", and with ";" a decimal comma is accepted in
// minutes ("12,5"). A UTF-8 byte order mark, CRLF line ends, blank lines,
// spaces around fields and double quotes around a whole field are
// tolerated (the line handling is datasets/internal/textio's). Codes are
// kept as strings; INSEE commune codes are normalised as by every reader
// (textnorm.CommuneCode): a 4-digit code is left-padded with a zero
// because spreadsheets drop the leading zero of départements 01 to 09
// ("1001" or "1001.0" for 01001), "2a"/"2b" Corsican codes are
// upper-cased; other identifiers are kept as given (case matters). Minutes must be finite and not
// negative. The same pair listed twice is an error, since it usually
// means two files were concatenated and one of them would silently win.
//
// Errors are *parseerr.Error values (datasets/parseerr) naming the file, the line and the
// field (1-based).
func Read(r io.Reader, name string) ([]Pair, error) {
	tr := textio.NewReader(r, name, ',')
	tr.LineLimit = MaxLine
	h, err := readHeader(tr, name)
	if err != nil {
		return nil, err
	}
	var pairs []Pair
	seen := map[[2]string]int{}
	for {
		fields, err := next(tr)
		if err == io.EOF {
			return pairs, nil
		}
		if err != nil {
			return nil, err
		}
		p, err := h.pair(tr, fields)
		if err != nil {
			return nil, err
		}
		k := [2]string{p.From, p.To}
		if prev, dup := seen[k]; dup {
			return nil, tr.Errorf(h.origin+1, "pair %s → %s already listed on line %d", p.From, p.To, prev)
		}
		seen[k] = p.Line
		pairs = append(pairs, p)
	}
}

// header is what the header line tells: the separator, the number of
// columns and where the three read ones are.
type header struct {
	sep                         byte
	ncol, origin, dest, minutes int
}

func readHeader(tr *textio.Reader, name string) (header, error) {
	line, err := nonBlank(tr)
	if err == io.EOF {
		return header{}, parseerr.New(name, 0, 0, "empty file: expected a header origin;destination;minutes")
	}
	if err != nil {
		return header{}, err
	}
	h := header{sep: ',', origin: -1, dest: -1, minutes: -1}
	if bytes.IndexByte(line, ';') >= 0 {
		h.sep = ';'
	}
	tr.SetSeparator(h.sep)
	text := string(line)
	fields, err := split(tr, line)
	if err != nil {
		return header{}, err
	}
	h.ncol = len(fields)
	for i, f := range fields {
		switch strings.ToLower(f) {
		case "origin":
			h.origin = pick(h.origin, i)
		case "destination":
			h.dest = pick(h.dest, i)
		case "minutes":
			h.minutes = pick(h.minutes, i)
		}
	}
	if h.origin == -2 || h.dest == -2 || h.minutes == -2 {
		return header{}, tr.Errorf(0, "header %q names a column twice", text)
	}
	if h.origin < 0 || h.dest < 0 || h.minutes < 0 {
		return header{}, tr.Errorf(0, "header %q does not name the columns origin, destination and minutes (e.g. origin;destination;minutes)", text)
	}
	return h, nil
}

// pair checks and converts the fields of one row.
func (h header) pair(tr *textio.Reader, fields []string) (Pair, error) {
	if len(fields) != h.ncol {
		return Pair{}, tr.Errorf(min(len(fields), h.ncol)+1, "%d fields, the header has %d (separator %q)", len(fields), h.ncol, string(h.sep))
	}
	from, err := normCode(fields[h.origin])
	if err != nil {
		return Pair{}, tr.Errorf(h.origin+1, "origin: %w", err)
	}
	to, err := normCode(fields[h.dest])
	if err != nil {
		return Pair{}, tr.Errorf(h.dest+1, "destination: %w", err)
	}
	v, err := parseMinutes(fields[h.minutes], h.sep)
	if err != nil {
		return Pair{}, tr.Errorf(h.minutes+1, "minutes: %w", err)
	}
	return Pair{From: from, To: to, Minutes: v, Line: tr.Line()}, nil
}

// nonBlank returns the next line that holds more than spaces.
func nonBlank(tr *textio.Reader) ([]byte, error) {
	for {
		line, err := tr.ReadLine()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			return line, nil
		}
	}
}

// next returns the fields of the next non-blank line.
func next(tr *textio.Reader) ([]string, error) {
	line, err := nonBlank(tr)
	if err != nil {
		return nil, err
	}
	return split(tr, line)
}

// split cuts a line into fields trimmed of spaces and of one pair of
// surrounding double quotes. Quoted separators are not supported: codes
// and minutes never contain one, and a field count error points at the
// line.
func split(tr *textio.Reader, line []byte) ([]string, error) {
	f, err := tr.Split(line, nil)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(f))
	for i := range f {
		x := textio.Field(f, i)
		if len(x) >= 2 && x[0] == '"' && x[len(x)-1] == '"' {
			x = strings.TrimSpace(x[1 : len(x)-1])
		}
		out[i] = x
	}
	return out, nil
}

// pick records the column index of a header name, or -2 when the name was
// already seen.
func pick(prev, i int) int {
	if prev != -1 {
		return -2
	}
	return i
}

// normCode checks a place code; an INSEE commune code gets the
// normalisation of every reader (textnorm.CommuneCode: the leading zero a
// spreadsheet dropped, "2a" upper-cased), other identifiers stay as given.
func normCode(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty code")
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == ';' || r == ',' || r == 0x7f || r == '\uFFFD' {
			return "", fmt.Errorf("code %q holds a space, quote, separator or control character", s)
		}
	}
	if code, ok := textnorm.CommuneCode(s); ok {
		return code, nil
	}
	return s, nil
}

// parseMinutes parses a non-negative finite number of minutes, accepting a
// decimal comma when the separator is ";".
func parseMinutes(s string, sep byte) (float64, error) {
	if sep == ';' {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number of minutes", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return v, nil
}
