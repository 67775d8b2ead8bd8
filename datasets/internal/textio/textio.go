// Package textio holds the line and field lexing shared by the dataset
// readers: BOM and CRLF handling, a Windows-1252 fallback for lines that are
// not UTF-8, optional double-quote handling, and header-name normalisation.
//
// It exists so that each reader (finess, insee, cpts, rpps) applies the same
// rules and reports positions the same way (see package parseerr): Line is
// the 1-based physical line, Column the 1-based field index.
package textio

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// MaxLine bounds the length of one line: a file without line breaks (a
// binary uploaded by mistake) must fail fast instead of eating memory.
const MaxLine = 16 << 20

// A Reader splits a text file into lines and fields.
type Reader struct {
	// Quotes makes fields starting with '"' quoted fields in the RFC 4180
	// sense ("" is a literal quote). Quoted fields may not span lines: none
	// of the formats read here needs it, and forbidding it keeps an
	// unbalanced quote from swallowing the rest of a file.
	Quotes bool
	// Fallback1252 decodes lines that are not valid UTF-8 as Windows-1252,
	// the historical encoding of FINESS and INSEE files. The decision is
	// per line so the reader can stream; a Windows-1252 line with accents
	// is practically never valid UTF-8, so the guess is safe.
	Fallback1252 bool
	// LineLimit, when set, lowers the bound on the length of a line below
	// MaxLine, for formats whose lines are short (a travel-time row).
	LineLimit int

	name   string
	sep    byte
	br     *bufio.Reader
	line   int
	long   []byte
	dec    []byte
	unq    []byte
	fields [][]byte
	err    error
}

// NewReader returns a Reader of r splitting fields on sep. name is used in
// error messages.
func NewReader(r io.Reader, name string, sep byte) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &Reader{name: name, sep: sep, br: br}
}

// Line returns the 1-based number of the line last returned.
func (r *Reader) Line() int { return r.line }

// Errorf returns a *parseerr.Error at the current line and the given
// 1-based field (0 for the whole line).
func (r *Reader) Errorf(col int, format string, args ...any) error {
	return parseerr.New(r.name, r.line, col, format, args...)
}

// ReadLine returns the next line without its line terminator (LF or CRLF),
// without the UTF-8 byte order mark on line 1, and decoded from
// Windows-1252 when Fallback1252 is set and the line is not UTF-8. Blank
// lines are returned too (as empty slices). The slice is valid until the
// next call. At the end of input it returns io.EOF; a last line without a
// terminator is returned normally.
func (r *Reader) ReadLine() ([]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	b, err := r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(r.long) > r.limit() {
				return nil, r.tooLong()
			}
			b, err = r.br.ReadSlice('\n')
			r.long = append(r.long, b...)
		}
		b = r.long
	}
	if err != nil && err != io.EOF {
		r.err = parseerr.New(r.name, r.line+1, 0, "reading: %w", err)
		return nil, r.err
	}
	if err == io.EOF && len(b) == 0 {
		r.err = io.EOF
		return nil, io.EOF
	}
	r.line++
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	if len(b) > r.limit() {
		r.line--
		return nil, r.tooLong()
	}
	if r.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	}
	if r.Fallback1252 && !utf8.Valid(b) {
		r.dec = Decode1252(r.dec[:0], b)
		b = r.dec
	}
	return b, nil
}

func (r *Reader) limit() int {
	if r.LineLimit > 0 {
		return min(r.LineLimit, MaxLine)
	}
	return MaxLine
}

// tooLong stops the reader on a line over the limit, at that line.
func (r *Reader) tooLong() error {
	r.line++
	r.err = r.Errorf(0, "line longer than %d bytes: not a text file of the expected format?", r.limit())
	return r.err
}

// SetSeparator changes the field separator, for formats whose header
// tells it (a travel-time table: ";" or ",").
func (r *Reader) SetSeparator(sep byte) { r.sep = sep }

// Next returns the fields of the next non-blank line. The slices are valid
// until the next call. It returns io.EOF at the end of input.
func (r *Reader) Next() ([][]byte, error) {
	for {
		line, err := r.ReadLine()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			continue
		}
		r.fields, err = r.Split(line, r.fields[:0])
		if err != nil {
			return nil, err
		}
		return r.fields, nil
	}
}

// NextStrings is Next with the fields copied to strings, for headers and
// small files.
func (r *Reader) NextStrings() ([]string, error) {
	f, err := r.Next()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(f))
	for i, b := range f {
		out[i] = string(b)
	}
	return out, nil
}

// Split cuts line on the separator, honouring Quotes, appending to dst.
func (r *Reader) Split(line []byte, dst [][]byte) ([][]byte, error) {
	if !r.Quotes || bytes.IndexByte(line, '"') < 0 {
		for {
			i := bytes.IndexByte(line, r.sep)
			if i < 0 {
				return append(dst, line), nil
			}
			dst = append(dst, line[:i])
			line = line[i+1:]
		}
	}
	r.unq = r.unq[:0]
	for col := 1; ; col++ {
		if len(line) == 0 || line[0] != '"' {
			i := bytes.IndexByte(line, r.sep)
			if i < 0 {
				return append(dst, line), nil
			}
			dst = append(dst, line[:i])
			line = line[i+1:]
			continue
		}
		// Quoted field: copy it unescaped into r.unq. Earlier fields keep
		// pointing at the old backing array if append reallocates, which
		// still holds their bytes.
		start := len(r.unq)
		i := 1
		for {
			j := bytes.IndexByte(line[i:], '"')
			if j < 0 {
				return dst, r.Errorf(col, "unterminated quoted field")
			}
			r.unq = append(r.unq, line[i:i+j]...)
			i += j + 1
			if i < len(line) && line[i] == '"' {
				r.unq = append(r.unq, '"')
				i++
				continue
			}
			break
		}
		dst = append(dst, r.unq[start:len(r.unq):len(r.unq)])
		if i == len(line) {
			return dst, nil
		}
		if line[i] != r.sep {
			return dst, r.Errorf(col, "unexpected %q after closing quote", line[i])
		}
		line = line[i+1:]
	}
}

// Decode1252 appends the UTF-8 form of Windows-1252 text b to dst.
func Decode1252(dst, b []byte) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, charmap.Windows1252.DecodeByte(c))
	}
	return dst
}

// ToUTF8 returns b as a string, decoding it as Windows-1252 when it is not
// valid UTF-8.
func ToUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(Decode1252(nil, b))
}

// NormalizeName folds a column header to lower-case ASCII letters and
// digits only: "Code secteur d'activité" → "codesecteurdactivite",
// "Identifiant PP " → "identifiantpp". Publishers change case, accents,
// spaces and punctuation of headers between vintages; the words stay.
func NormalizeName(s string) string {
	return strings.ReplaceAll(textnorm.Fold(s), " ", "")
}

// FoldWords folds free text for matching: upper case, no accents, every
// run of characters other than letters and digits turned into one space,
// trimmed. "Hôpital de proximité" → "HOPITAL DE PROXIMITE".
func FoldWords(s string) string {
	return strings.ToUpper(textnorm.Fold(s))
}

// Header maps normalised column names to their 0-based index.
type Header struct {
	Names []string // as in the file, trimmed
	index map[string]int
}

// NewHeader indexes names. Duplicate normalised names keep the first
// occurrence, which is the one publishers mean when they append a column.
func NewHeader(names []string) *Header {
	h := &Header{Names: make([]string, len(names)), index: make(map[string]int, len(names))}
	for i, n := range names {
		n = strings.TrimSpace(n)
		h.Names[i] = n
		k := NormalizeName(n)
		if _, dup := h.index[k]; !dup && k != "" {
			h.index[k] = i
		}
	}
	return h
}

// Index returns the index of the first of aliases (already normalised with
// NormalizeName) present in the header, or -1.
func (h *Header) Index(aliases ...string) int {
	for _, a := range aliases {
		if i, ok := h.index[a]; ok {
			return i
		}
	}
	return -1
}

// ErrNoHeader is wrapped by readers when the input has no header line.
var ErrNoHeader = errors.New("empty file: no header line")

// Field returns field i of f as a trimmed string, or "" when i is out of
// range (optional columns).
func Field(f [][]byte, i int) string {
	if i < 0 || i >= len(f) {
		return ""
	}
	return string(bytes.TrimSpace(f[i]))
}

// Quote returns s quoted for an error message, cut to a readable length.
func Quote(s string) string {
	if len(s) > 60 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}

// CommuneCode normalises an INSEE commune code; see [textnorm.CommuneCode].
func CommuneCode(s string) (string, bool) { return textnorm.CommuneCode(s) }
