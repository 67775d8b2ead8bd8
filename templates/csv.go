package templates

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// A CSVLocale is the convention a CSV file is written in, so that a
// spreadsheet opens it with numbers as numbers: LibreOffice and Excel
// split a file with the list separator of the user's locale and read
// numbers with its decimal mark. "fr" (the default) is what a French
// spreadsheet expects: `;` between fields, `,` before decimals, and a
// UTF-8 byte-order mark, without which Excel reads the accents as
// Windows-1252. "en" is `,` and `.`, without a mark, for English
// spreadsheets and scripts (pandas, R, csvkit).
type CSVLocale string

// The CSV conventions; CSVFrench is the default of every command.
const (
	CSVFrench  CSVLocale = "fr"
	CSVEnglish CSVLocale = "en"
)

// CSVLocaleHelp describes the conventions for the help of a flag.
const CSVLocaleHelp = "CSV convention: fr (`;`-separated, decimal commas, UTF-8 with a byte-order mark, for French spreadsheets) or en (`,`-separated, decimal points, UTF-8)"

// ParseCSVLocale reads a --csv-locale value: fr or en, any case; empty is
// the default, fr.
func ParseCSVLocale(s string) (CSVLocale, error) {
	switch l := CSVLocale(strings.ToLower(strings.TrimSpace(s))); l {
	case CSVFrench, CSVEnglish:
		return l, nil
	case "":
		return CSVFrench, nil
	}
	return "", fmt.Errorf("--csv-locale %q: want fr (`;` and decimal commas, for French spreadsheets) or en (`,` and decimal points)", s)
}

// Comma is the field separator of the convention.
func (l CSVLocale) Comma() rune {
	if l == CSVEnglish {
		return ','
	}
	return ';'
}

// Float formats v with prec decimals (-1: the shortest that reads back
// exactly) and the convention's decimal mark; no thousands separator, which
// a spreadsheet would take for text.
func (l CSVLocale) Float(v float64, prec int) string {
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if l != CSVEnglish {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// FloatP is Float of a value that may be unknown: an empty cell when nil,
// never 0.
func (l CSVLocale) FloatP(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return l.Float(*v, prec)
}

// NewWriter returns a CSV writer of the convention on w; the byte-order
// mark, when the convention has one, goes out with the first record.
// Callers Flush and check Error as with encoding/csv.
func (l CSVLocale) NewWriter(w io.Writer) *csv.Writer {
	if l != CSVEnglish {
		w = &bomWriter{w: w}
	}
	cw := csv.NewWriter(w)
	cw.Comma = l.Comma()
	return cw
}

// utf8BOM is the UTF-8 byte-order mark: Excel reads a CSV file without it
// in the ANSI code page of Windows ("Ã©" for "é").
const utf8BOM = "\ufeff"

// bomWriter writes the byte-order mark before the first bytes.
type bomWriter struct {
	w       io.Writer
	written bool
}

func (b *bomWriter) Write(p []byte) (int, error) {
	if !b.written {
		if _, err := io.WriteString(b.w, utf8BOM); err != nil {
			return 0, err
		}
		b.written = true
	}
	return b.w.Write(p)
}
