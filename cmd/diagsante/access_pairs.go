package main

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// Bounds of a pairs file: a line holds an id and four coordinates or two
// codes, a few dozen bytes; a longer line is the wrong file.
const (
	maxPairsLine = 64 << 10
	maxPairsRows = 5_000_000
)

// A pairsLayout says which columns of a pairs file hold what. -1 is absent.
type pairsLayout struct {
	sep            byte
	id             int
	from, to       int // INSEE codes
	x1, y1, x2, y2 int // lon/lat (WGS84) or x/y (Lambert-93)
	minutes        int
	width          int // number of header fields
}

// A pairEnd is one end of a pair: a commune code, or a point in the file's
// coordinates (lon/lat degrees, or Lambert-93 metres).
type pairEnd struct {
	Code string // INSEE code as given (normalised), "" for a point
	X, Y float64
}

// A pairRow is one row of a pairs file.
type pairRow struct {
	ID       string
	From, To pairEnd
	Minutes  float64 // road minutes given by the file, NaN when it has none
	Line     int
}

// pairsColumns are the accepted header names of each role, compared after
// lower-casing and trimming.
var pairsColumns = map[string][]string{
	"id":      {"id", "pair", "paire"},
	"from":    {"from", "origin", "origine", "code1", "insee1", "code_from"},
	"to":      {"to", "destination", "code2", "insee2", "code_to"},
	"x1":      {"lon1", "x1", "from_lon", "from_x", "longitude1"},
	"y1":      {"lat1", "y1", "from_lat", "from_y", "latitude1"},
	"x2":      {"lon2", "x2", "to_lon", "to_x", "longitude2"},
	"y2":      {"lat2", "y2", "to_lat", "to_y", "latitude2"},
	"minutes": {"minutes", "min", "time", "duration_min", "road_min"},
}

// parsePairs reads a CSV of pairs: a header naming the columns, then one
// pair per line. A pair is either two INSEE codes (columns from and to,
// also named origin and destination as in the --travel-times format) or
// two points (lon1, lat1, lon2, lat2; x1, y1, x2, y2 are accepted for
// Lambert-93). needID requires an id column; needMinutes a minutes column
// (road minutes from a router, for datasets verify --travel-times).
//
// The separator is ';' when the header holds one, else ','; with ';' a
// decimal comma is accepted. A UTF-8 byte order mark, CRLF, blank lines,
// spaces around fields and double quotes around a whole field are
// tolerated. Errors are *parseerr.Error values naming the file, the line
// and the 1-based column.
func parsePairs(r io.Reader, name string, needID, needMinutes bool) (*pairsFile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxPairsLine)
	var lay *pairsLayout
	var rows []pairRow
	seen := map[string]int{}
	line := 0
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
		if lay == nil {
			l, err := pairsHeader(string(text), name, line, needID, needMinutes)
			if err != nil {
				return nil, err
			}
			lay = l
			continue
		}
		fields := splitPairsLine(string(text), lay.sep)
		if len(fields) < lay.width {
			return nil, parseerr.New(name, line, len(fields)+1, "%d fields, the header has %d", len(fields), lay.width)
		}
		row, err := lay.row(fields, name, line)
		if err != nil {
			return nil, err
		}
		if row.ID != "" {
			if prev, dup := seen[row.ID]; dup {
				return nil, parseerr.New(name, line, lay.id+1, "id %s already used on line %d", echo(row.ID), prev)
			}
			seen[row.ID] = line
		}
		if len(rows) >= maxPairsRows {
			return nil, parseerr.New(name, line, 0, "more than %d pairs: split the file", maxPairsRows)
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			return nil, parseerr.New(name, line+1, 0, "line longer than %d bytes: not a CSV of pairs", maxPairsLine)
		}
		return nil, &parseerr.Error{File: name, Line: line + 1, Err: err}
	}
	if lay == nil {
		return nil, parseerr.New(name, 1, 0, "empty file: want a header such as id;from;to or id;lon1;lat1;lon2;lat2")
	}
	return &pairsFile{Name: name, Rows: rows, layout: lay}, nil
}

// A pairsFile is a parsed pairs file.
type pairsFile struct {
	Name   string
	Rows   []pairRow
	layout *pairsLayout
}

func splitPairsLine(s string, sep byte) []string {
	f := strings.Split(s, string(sep))
	for i := range f {
		v := strings.TrimSpace(f[i])
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = strings.TrimSpace(strings.ReplaceAll(v[1:len(v)-1], `""`, `"`))
		}
		f[i] = v
	}
	return f
}

func pairsHeader(text, name string, line int, needID, needMinutes bool) (*pairsLayout, error) {
	l := &pairsLayout{sep: ',', id: -1, from: -1, to: -1, x1: -1, y1: -1, x2: -1, y2: -1, minutes: -1}
	if strings.Contains(text, ";") {
		l.sep = ';'
	}
	fields := splitPairsLine(text, l.sep)
	l.width = len(fields)
	slots := map[string]*int{"id": &l.id, "from": &l.from, "to": &l.to, "x1": &l.x1, "y1": &l.y1, "x2": &l.x2, "y2": &l.y2, "minutes": &l.minutes}
	for i, f := range fields {
		h := strings.ToLower(f)
		for role, names := range pairsColumns {
			for _, n := range names {
				if h != n {
					continue
				}
				if *slots[role] >= 0 {
					return nil, parseerr.New(name, line, i+1, "column %s repeats column %d", echo(f), *slots[role]+1)
				}
				*slots[role] = i
			}
		}
	}
	codes := l.from >= 0 && l.to >= 0
	points := l.x1 >= 0 && l.y1 >= 0 && l.x2 >= 0 && l.y2 >= 0
	switch {
	case codes && points:
		return nil, parseerr.New(name, line, 0, "header has both codes (from, to) and points (lon1, lat1, lon2, lat2): keep one kind")
	case !codes && !points:
		return nil, parseerr.New(name, line, 0, "header %s: want columns from;to (INSEE codes) or lon1;lat1;lon2;lat2 (x1;y1;x2;y2 with --crs 2154)", echo(text))
	case needID && l.id < 0:
		return nil, parseerr.New(name, line, 0, "header %s has no id column", echo(text))
	case needMinutes && l.minutes < 0:
		return nil, parseerr.New(name, line, 0, "header %s has no minutes column (road minutes to compare with the model)", echo(text))
	}
	return l, nil
}

func (l *pairsLayout) row(f []string, name string, line int) (pairRow, error) {
	r := pairRow{Line: line, Minutes: math.NaN()}
	if l.id >= 0 {
		r.ID = f[l.id]
		if r.ID == "" {
			return r, parseerr.New(name, line, l.id+1, "empty id")
		}
		if len(r.ID) > maxItemLen {
			return r, parseerr.New(name, line, l.id+1, "id of %d bytes: too long", len(r.ID))
		}
	}
	num := func(col int, what string) (float64, error) {
		s := f[col]
		if l.sep == ';' {
			s = strings.Replace(s, ",", ".", 1)
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, parseerr.New(name, line, col+1, "%s %s is not a number", what, echo(f[col]))
		}
		return v, nil
	}
	var err error
	if l.from >= 0 {
		for _, e := range []struct {
			col int
			end *pairEnd
		}{{l.from, &r.From}, {l.to, &r.To}} {
			code, ok := textnorm.CommuneCode(f[e.col])
			if !ok {
				return r, parseerr.New(name, line, e.col+1, "%s is not an INSEE commune code", echo(f[e.col]))
			}
			e.end.Code = code
		}
	} else {
		for _, c := range []struct {
			col  int
			what string
			dst  *float64
		}{{l.x1, "x1/lon1", &r.From.X}, {l.y1, "y1/lat1", &r.From.Y}, {l.x2, "x2/lon2", &r.To.X}, {l.y2, "y2/lat2", &r.To.Y}} {
			if *c.dst, err = num(c.col, c.what); err != nil {
				return r, err
			}
		}
	}
	if l.minutes >= 0 {
		if r.Minutes, err = num(l.minutes, "minutes"); err != nil {
			return r, err
		}
		if r.Minutes < 0 {
			return r, parseerr.New(name, line, l.minutes+1, "minutes %s is negative", echo(f[l.minutes]))
		}
	}
	return r, nil
}

// col returns the 1-based column of an end of a pair, for errors
// found after parsing (an unknown code, a point outside France).
func (l *pairsLayout) col(to bool) int {
	switch {
	case l.from >= 0 && to:
		return l.to + 1
	case l.from >= 0:
		return l.from + 1
	case to:
		return l.x2 + 1
	default:
		return l.x1 + 1
	}
}
