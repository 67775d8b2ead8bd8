package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	kgzip "github.com/klauspost/compress/gzip"
)

// The snapshot tables are gzip files of tab-separated text with one header
// line. Fields never contain tabs or newlines (the writer replaces them), so
// reading is a plain split: no quoting rules.
//
// The gzip members are written without compression (stored deflate blocks):
// every report command inflates the tables at start-up, and inflating
// compressed tables was 55 ms of CPU per process, about an eighth of a
// one-EPCI diagnose, against 12 MB more in the binary (the release archives
// and git compress them anyway). The files stay ordinary gzip files that
// any gzip reader, and older versions of diagsante, read.

// TableWriter writes one snapshot table.
type TableWriter struct {
	zw     *gzip.Writer
	bw     *bufio.Writer
	ncols  int
	rows   int
	fields []string
}

// NewTableWriter starts a table with the given column names.
func NewTableWriter(w io.Writer, columns ...string) (*TableWriter, error) {
	zw, err := gzip.NewWriterLevel(w, gzip.NoCompression)
	if err != nil {
		return nil, err
	}
	t := &TableWriter{zw: zw, bw: bufio.NewWriter(zw), ncols: len(columns)}
	if _, err := t.bw.WriteString(strings.Join(columns, "\t") + "\n"); err != nil {
		return nil, err
	}
	return t, nil
}

var fieldCleaner = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// Write appends one row; values are formatted with fmt's %v except floats,
// which use the shortest exact representation so that a round trip is exact.
func (t *TableWriter) Write(values ...any) error {
	if len(values) != t.ncols {
		return fmt.Errorf("snapshot: row has %d values, table has %d columns", len(values), t.ncols)
	}
	t.fields = t.fields[:0]
	for _, v := range values {
		var s string
		switch x := v.(type) {
		case string:
			s = fieldCleaner.Replace(x)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		case int:
			s = strconv.Itoa(x)
		case bool:
			if x {
				s = "1"
			} else {
				s = "0"
			}
		case []string:
			s = fieldCleaner.Replace(strings.Join(x, "|"))
		default:
			s = fieldCleaner.Replace(fmt.Sprint(x))
		}
		t.fields = append(t.fields, s)
	}
	t.rows++
	_, err := t.bw.WriteString(strings.Join(t.fields, "\t") + "\n")
	return err
}

// Rows is the number of rows written so far.
func (t *TableWriter) Rows() int { return t.rows }

// Close flushes the table; it does not close the underlying writer.
func (t *TableWriter) Close() error {
	if err := t.bw.Flush(); err != nil {
		return err
	}
	return t.zw.Close()
}

// tableReader reads a table written by TableWriter. The decompressed table
// is held as one string, or as the segments of the embedded file it is
// read from in place (storedSegments), and fields are substrings of it:
// loading allocates one buffer per table, or none, instead of one string
// per field.
type tableReader struct {
	name   string
	data   string   // what is left of the current segment
	segs   []string // the segments after it
	cols   map[string]int
	fields []string
	line   int
	rows   int // number of data lines, to size slices once
	err    error
}

func newTableReader(name string, gz []byte) (*tableReader, error) {
	// The gzip trailer holds the uncompressed size modulo 2^32.
	size := 0
	if len(gz) >= 4 {
		size = int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
	}
	return newTableReaderFrom(name, bytes.NewReader(gz), size)
}

// newTableReaderFrom reads a gzip'd table from r; size is the size of the
// table once inflated, to read it into a buffer of that size rather than
// grow one (0 when unknown).
func newTableReaderFrom(name string, gz io.Reader, size int) (*tableReader, error) {
	// klauspost/compress's gzip reader inflates the tables in about half
	// the time of compress/gzip's; the writer stays compress/gzip's, whose
	// output the committed files are.
	zr, err := kgzip.NewReader(gz)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var buf strings.Builder
	buf.Grow(size + 1)
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return newTableReaderSegments(name, []string{buf.String()})
}

// newTableReaderSegments reads a table held in segments: the table is
// their concatenation, and a line may be cut between two.
func newTableReaderSegments(name string, segs []string) (*tableReader, error) {
	r := &tableReader{name: name, segs: segs, cols: map[string]int{}}
	r.fill()
	nl := strings.IndexByte(r.data, '\n')
	if nl < 0 {
		return nil, fmt.Errorf("%s: missing header line", name)
	}
	header := r.data[:nl]
	r.data = r.data[nl+1:]
	r.line = 1
	r.rows = strings.Count(r.data, "\n")
	for _, s := range r.segs {
		r.rows += strings.Count(s, "\n")
	}
	for i, c := range strings.Split(header, "\t") {
		r.cols[c] = i
	}
	r.fields = make([]string, 0, len(r.cols))
	return r, nil
}

// fill makes the current segment start with a whole line, or hold the
// last one: a line cut at a segment's end is joined with the start of the
// next segment (the one copy made of an embedded table's bytes).
func (r *tableReader) fill() {
	for len(r.segs) > 0 {
		if r.data == "" {
			r.data, r.segs = r.segs[0], r.segs[1:]
			continue
		}
		if strings.IndexByte(r.data, '\n') >= 0 {
			return
		}
		next := r.segs[0]
		nl := strings.IndexByte(next, '\n')
		if nl < 0 {
			r.data += next
			r.segs = r.segs[1:]
			continue
		}
		r.data += next[:nl+1]
		r.segs[0] = next[nl+1:]
	}
}

// col returns the index of a column, recording an error when it is absent so
// that a snapshot written by another version fails loudly instead of loading
// zeros.
func (r *tableReader) col(name string) int {
	i, ok := r.cols[name]
	if !ok && r.err == nil {
		r.err = fmt.Errorf("%s: missing column %q", r.name, name)
	}
	return i
}

// optCol returns the index of a column added after the first release, or
// -1 when a table written by an older version lacks it (read as "").
func (r *tableReader) optCol(name string) int {
	if i, ok := r.cols[name]; ok {
		return i
	}
	return -1
}

func (r *tableReader) optStr(i int) string {
	if i < 0 {
		return ""
	}
	return r.str(i)
}

// optInt reads an integer column added after the first release; def when
// the table lacks the column or the cell is empty.
func (r *tableReader) optInt(i, def int) int {
	if i < 0 || i >= len(r.fields) || r.fields[i] == "" {
		return def
	}
	return r.int(i)
}

// peekLine makes the current segment start with the next line, whole,
// and returns the index of its newline (-1 for a last line without one);
// ok is false at the end of the table.
func (r *tableReader) peekLine() (nl int, ok bool) {
	nl = strings.IndexByte(r.data, '\n')
	if nl < 0 && len(r.segs) > 0 {
		r.fill()
		nl = strings.IndexByte(r.data, '\n')
	}
	return nl, len(r.data) > 0
}

// nextWhere advances to the next row whose first column keep accepts,
// skipping the others without splitting their fields.
func (r *tableReader) nextWhere(keep func(first string) bool) bool {
	for r.err == nil {
		nl, ok := r.peekLine()
		if !ok {
			return false
		}
		line := r.data
		if nl >= 0 {
			line = line[:nl]
		}
		first := line
		if tab := strings.IndexByte(line, '\t'); tab >= 0 {
			first = line[:tab]
		}
		if keep(first) {
			return r.next()
		}
		r.data = r.data[min(len(line)+1, len(r.data)):]
		r.line++
	}
	return false
}

// next advances to the next row; it returns false at the end or on error.
func (r *tableReader) next() bool {
	if r.err != nil {
		return false
	}
	nl, ok := r.peekLine()
	if !ok {
		return false
	}
	var line string
	if nl < 0 {
		line, r.data = r.data, ""
	} else {
		line, r.data = r.data[:nl], r.data[nl+1:]
	}
	r.line++
	r.fields = r.fields[:0]
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			r.fields = append(r.fields, line)
			break
		}
		r.fields = append(r.fields, line[:i])
		line = line[i+1:]
	}
	if len(r.fields) != len(r.cols) {
		r.err = fmt.Errorf("%s:%d: %d fields, want %d", r.name, r.line, len(r.fields), len(r.cols))
		return false
	}
	return true
}

func (r *tableReader) str(i int) string {
	if i >= len(r.fields) {
		return ""
	}
	return r.fields[i]
}

func (r *tableReader) int(i int) int {
	if i >= len(r.fields) || len(r.fields[i]) == 0 {
		return 0
	}
	n, err := strconv.Atoi(r.fields[i])
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%s:%d:%d: %w", r.name, r.line, i+1, err)
	}
	return n
}

func (r *tableReader) float(i int) float64 {
	if i >= len(r.fields) || len(r.fields[i]) == 0 {
		return 0
	}
	if f, ok := parseDecimal(r.fields[i]); ok {
		return f
	}
	f, err := strconv.ParseFloat(r.fields[i], 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%s:%d:%d: %w", r.name, r.line, i+1, err)
	}
	return f
}

// parseDecimal parses the plain decimals the tables are made of
// ("48.2670", "-1.5", "832"): their digits, read as an integer below 2^52,
// divided by a power of ten up to 10^22 are two exact float64s, and the
// quotient is correctly rounded, so the result is strconv.ParseFloat's (the
// exact fast path it takes for them, without its general scanning:
// coordinates and APL values were 8 % of a one-EPCI diagnose's
// instructions). It reports false for anything else (exponents, NaN, too
// many digits), which ParseFloat then reads.
func parseDecimal(s string) (float64, bool) {
	i, neg := 0, false
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, i = s[0] == '-', 1
	}
	var mant uint64
	digits, sig, frac := 0, 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if mant != 0 || c != '0' {
				sig++ // mant is exact up to 19 significant digits
			}
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || sig > 19 || mant >= 1<<52 || frac > len(pow10) {
		return 0, false
	}
	f := float64(mant)
	if frac > 0 {
		f /= pow10[frac-1]
	}
	if neg {
		f = -f
	}
	return f, true
}

// pow10 are 10^1 to 10^22, the powers of ten exact in a float64.
var pow10 = [...]float64{1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

func (r *tableReader) bool(i int) bool { return r.str(i) == "1" }

func (r *tableReader) list(i int) []string {
	s := r.str(i)
	if s == "" {
		return nil
	}
	return strings.Split(s, "|")
}
