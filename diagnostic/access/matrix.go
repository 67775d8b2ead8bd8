package access

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

// A Matrix is a user's table of road times between places, as read by
// [ReadTravelTimes]. It is read-only once built and safe for concurrent
// use; wrap it in an [Override] to use it as a [Times].
type Matrix struct {
	minutes map[[2]string]float64
	// listed gives, for each identifier, the identifiers it is listed with
	// in either direction, sorted: the E2SFCA engine adds those pairs to
	// the ones its spatial index finds.
	listed map[string][]string
	pairs  []Pair
}

// A Pair is one row of a [Matrix].
type Pair struct {
	From, To string
	Minutes  float64
	Line     int // line of the file it was read from
}

// Lookup returns the minutes from one place to another: the pair as
// listed, else the reverse pair (see [Override] for why), and false when
// neither is listed.
func (m *Matrix) Lookup(from, to string) (float64, bool) {
	if m == nil {
		return 0, false
	}
	if v, ok := m.minutes[[2]string{from, to}]; ok {
		return v, true
	}
	v, ok := m.minutes[[2]string{to, from}]
	return v, ok
}

// Len returns the number of pairs listed.
func (m *Matrix) Len() int { return len(m.pairs) }

// Pairs returns the pairs in file order.
func (m *Matrix) Pairs() []Pair { return slices.Clone(m.pairs) }

// maxLine bounds a line of a travel-time file: three short fields fit in a
// few dozen bytes, so a longer line means a wrong file (a binary, a
// spreadsheet saved in the wrong format), reported rather than buffered.
const maxLine = 64 << 10

// ReadTravelTimes reads a user's travel-time table: a CSV file whose first
// line is a header naming the columns origin, destination and minutes (any
// order, any case, other columns ignored), then one pair per line. name is
// the file name used in errors.
//
// The separator is sniffed from the header, ";" when it holds one (French
// spreadsheets) else ",", and with ";" a decimal comma is accepted in
// minutes ("12,5"). A UTF-8 byte order mark, blank lines, spaces around
// fields and double quotes around a whole field are tolerated. Codes are
// kept as strings; a 4-digit code is left-padded with a zero because
// spreadsheets drop the leading zero of départements 01 to 09 ("1001" for
// 01001), and "2a"/"2b" Corsican codes are upper-cased; other identifiers
// are kept as given (case matters). Minutes must be finite and not negative. The same pair listed
// twice is an error, since it usually means two files were concatenated and
// one of them would silently win.
//
// Errors are [*parseerr.Error] values naming the file, the line and the
// field (1-based).
func ReadTravelTimes(r io.Reader, name string) (*Matrix, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	m := &Matrix{minutes: map[[2]string]float64{}, listed: map[string][]string{}}
	seen := map[[2]string]int{}
	line := 0
	var sep byte
	colO, colD, colM, ncol := -1, -1, -1, 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))
		}
		text = bytes.TrimRight(text, "\r")
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		if sep == 0 {
			sep = ','
			if bytes.IndexByte(text, ';') >= 0 {
				sep = ';'
			}
			fields := splitFields(string(text), sep)
			ncol = len(fields)
			for i, f := range fields {
				switch strings.ToLower(f) {
				case "origin":
					colO = pick(colO, i)
				case "destination":
					colD = pick(colD, i)
				case "minutes":
					colM = pick(colM, i)
				}
			}
			if colO == -2 || colD == -2 || colM == -2 {
				return nil, parseerr.New(name, line, 0, "header %q names a column twice", string(text))
			}
			if colO < 0 || colD < 0 || colM < 0 {
				return nil, parseerr.New(name, line, 0, "header %q does not name the columns origin, destination and minutes (e.g. origin;destination;minutes)", string(text))
			}
			continue
		}
		fields := splitFields(string(text), sep)
		if len(fields) != ncol {
			return nil, parseerr.New(name, line, min(len(fields), ncol)+1, "%d fields, the header has %d (separator %q)", len(fields), ncol, string(sep))
		}
		from, err := normCode(fields[colO])
		if err != nil {
			return nil, parseerr.New(name, line, colO+1, "origin: %w", err)
		}
		to, err := normCode(fields[colD])
		if err != nil {
			return nil, parseerr.New(name, line, colD+1, "destination: %w", err)
		}
		v, err := parseMinutes(fields[colM], sep)
		if err != nil {
			return nil, parseerr.New(name, line, colM+1, "minutes: %w", err)
		}
		k := [2]string{from, to}
		if prev, dup := seen[k]; dup {
			return nil, parseerr.New(name, line, colO+1, "pair %s → %s already listed on line %d", from, to, prev)
		}
		seen[k] = line
		m.minutes[k] = v
		m.pairs = append(m.pairs, Pair{From: from, To: to, Minutes: v, Line: line})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, parseerr.New(name, line+1, 0, "line longer than %d bytes: is this a travel-time CSV?", maxLine)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if sep == 0 {
		return nil, parseerr.New(name, 0, 0, "empty file: expected a header origin;destination;minutes")
	}
	for _, p := range m.pairs {
		m.listed[p.From] = append(m.listed[p.From], p.To)
		if p.To != p.From {
			m.listed[p.To] = append(m.listed[p.To], p.From)
		}
	}
	for id, l := range m.listed {
		slices.Sort(l)
		m.listed[id] = slices.Compact(l)
	}
	return m, nil
}

// pick records the column index of a header name, or -2 when the name was
// already seen.
func pick(prev, i int) int {
	if prev != -1 {
		return -2
	}
	return i
}

// splitFields splits a line on sep and strips spaces and one pair of
// surrounding double quotes from each field. Quoted separators are not
// supported: codes and minutes never contain one, and a field count error
// points at the line.
func splitFields(s string, sep byte) []string {
	f := strings.Split(s, string(sep))
	for i, x := range f {
		x = strings.TrimSpace(x)
		if len(x) >= 2 && x[0] == '"' && x[len(x)-1] == '"' {
			x = strings.TrimSpace(x[1 : len(x)-1])
		}
		f[i] = x
	}
	return f
}

// normCode checks a place code and restores the leading zero a spreadsheet
// dropped from 4-digit commune codes.
func normCode(s string) (string, error) {
	if s == "" {
		return "", errors.New("empty code")
	}
	for _, r := range s {
		if r <= ' ' || r == '"' || r == ';' || r == ',' || r == 0x7f || r == '\uFFFD' {
			return "", fmt.Errorf("code %q holds a space, quote, separator or control character", s)
		}
	}
	if len(s) == 4 && isDigits(s) {
		s = "0" + s
	}
	// Corsican codes typed in lower case ("2a004") are still INSEE codes;
	// other identifiers are the caller's and stay as given.
	if len(s) == 5 && s[0] == '2' && (s[1] == 'a' || s[1] == 'b') && isDigits(s[2:]) {
		s = strings.ToUpper(s)
	}
	return s, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
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

// Listed returns the identifiers listed with id, in either direction,
// sorted.
func (m *Matrix) Listed(id string) []string {
	if m == nil {
		return nil
	}
	return m.listed[id]
}
