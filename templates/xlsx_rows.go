package templates

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The rows of a streamed or mirrored sheet are rendered here, not by
// excelize's StreamWriter.SetRow: SetRow parses the cell reference of each
// row, builds each cell's reference, escapes each text with
// encoding/xml into a new string and looks it over with a regular
// expression, and that was 8 % of the CPU time of a batch by commune. The
// sheet's stream writer is flushed with no rows, and the zip writer
// inserts the rows rendered here into its <sheetData> (stableZip.
// writeSheets). They are the bytes SetRow writes: a cell that rowsXML
// does not render as SetRow would (a formula, a type other than string,
// float64 and int, a text excelize rewrites: too long or with an escaped
// character "_xHHHH_"; a number that is not finite, a row taller than
// excelize allows) leaves the whole sheet to SetRow. TestXLSXPartsAsExcelize
// compares both ways on real reports, TestRowsXMLAsStreamWriter on
// tricky cells.

// rowsXML appends to b the rows nums (sorted) of w as SetRow writes them,
// the contents of <sheetData>; ok is false when a cell is not one it
// renders.
func (w *sheet) rowsXML(b []byte, nums []int) (_ []byte, ok bool) {
	b = slices.Grow(b, w.rowsSize(nums))
	for _, n := range nums {
		row := strconv.Itoa(n)
		b = append(b, `<row r="`...)
		b = append(b, row...)
		b = append(b, '"')
		if h, set := w.heights[n]; set && h > 0 {
			if h > excelize.MaxRowHeight {
				return nil, false
			}
			b = append(b, ` ht="`...)
			b = strconv.AppendFloat(b, h, 'f', -1, 64)
			b = append(b, `" customHeight="1"`...)
		}
		b = append(b, '>')
		for i, v := range w.rows[n] {
			if v == nil {
				continue
			}
			c, isCell := v.(excelize.Cell)
			if !isCell || c.Formula != "" {
				return nil, false
			}
			b = append(b, `<c r="`...)
			b = append(b, columnName(i+1)...)
			b = append(b, row...)
			b = append(b, '"')
			if c.StyleID > 0 {
				b = append(b, ` s="`...)
				b = strconv.AppendInt(b, int64(c.StyleID), 10)
				b = append(b, '"')
			}
			switch v := c.Value.(type) {
			case nil:
				b = append(b, "></c>"...)
			case string:
				if b, ok = appendInlineStr(b, v); !ok {
					return nil, false
				}
			case float64:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, false
				}
				b = append(b, "><v>"...)
				b = append(b, formatCellFloat(v)...)
				b = append(b, "</v></c>"...)
			case int:
				b = append(b, "><v>"...)
				b = strconv.AppendInt(b, int64(v), 10)
				b = append(b, "</v></c>"...)
			default:
				return nil, false
			}
		}
		b = append(b, "</row>"...)
	}
	return b, true
}

// rowArenas hold the rows of the streamed sheets of a workbook, one
// arena a workbook, reused from workbook to workbook once written.
var rowArenas sync.Pool

func getRowArena() []byte {
	if b, ok := rowArenas.Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return nil
}

func putRowArena(b []byte) {
	if cap(b) > 0 {
		rowArenas.Put(&b)
	}
}

// rowsSize is about the size of the rows nums as rowsXML renders them
// (more when texts have many characters to escape).
func (w *sheet) rowsSize(nums []int) int {
	n := 0
	for _, r := range nums {
		n += len(`<row r="" ht="" customHeight="1"></row>`) + 24
		for _, v := range w.rows[r] {
			c, ok := v.(excelize.Cell)
			if !ok {
				continue
			}
			n += len(`<c r="" s=""></c>`) + 12
			switch v := c.Value.(type) {
			case string:
				n += len(` t="inlineStr"><is><t xml:space="preserve"></t></is>`) + len(v)
			case float64, int:
				n += len(`<v></v>`) + 24
			}
		}
	}
	return n
}

// columnNames are the first column names (A to AZ).
var columnNames = func() []string {
	names := make([]string, 52)
	for i := range names {
		names[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	return names
}()

// columnName is the name of column col (1-based).
func columnName(col int) string {
	if col <= len(columnNames) {
		return columnNames[col-1]
	}
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// appendInlineStr appends the rest of a text cell, from the type on, as
// SetRow writes it: t="inlineStr", xml:space="preserve" when the text
// starts or ends with a blank, the text escaped as encoding/xml's
// EscapeText does but for the line feeds, left as they are. ok is false
// for a text excelize rewrites (longer than a cell holds, or with "_x",
// which may start an escaped character).
func appendInlineStr(b []byte, s string) ([]byte, bool) {
	if len(s) > excelize.TotalCellChars && utf16Len(s) > excelize.TotalCellChars {
		return b, false
	}
	if strings.Contains(s, "_x") {
		return b, false
	}
	b = append(b, ` t="inlineStr"><is><t`...)
	if s != "" && (isXMLBlank(s[0]) || isXMLBlank(s[len(s)-1])) {
		b = append(b, ` xml:space="preserve"`...)
	}
	b = append(b, '>')
	b = appendEscapedText(b, s)
	return append(b, "</t></is></c>"...), true
}

func isXMLBlank(c byte) bool { return c == 9 || c == 10 || c == 13 || c == 32 }

// utf16Len is the length of s in UTF-16 units.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n++
		}
		n++
	}
	return n
}

// appendEscapedText appends s escaped as xml.EscapeText does, but for the
// line feeds, kept (excelize turns "&#xA;" back into a line feed).
func appendEscapedText(b []byte, s string) []byte { return appendEscaped(b, s, false) }

// appendXMLText appends s escaped as xml.EscapeText does.
func appendXMLText(b []byte, s string) []byte { return appendEscaped(b, s, true) }

// appendEscaped appends s escaped as xml.EscapeText does, the line feeds
// escaped or not. The plain ASCII bytes and the two-byte UTF-8 sequences
// (accented letters) are passed over without decoding: the texts of a
// workbook are mostly those.
func appendEscaped(b []byte, s string, newlines bool) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		var esc string
		width := 1
		switch {
		case c < utf8.RuneSelf:
			if xmlPlain[c] || c == '\n' && !newlines {
				i++
				continue
			}
			switch c {
			case '"':
				esc = "&#34;"
			case '\'':
				esc = "&#39;"
			case '&':
				esc = "&amp;"
			case '<':
				esc = "&lt;"
			case '>':
				esc = "&gt;"
			case '\t':
				esc = "&#x9;"
			case '\n':
				esc = "&#xA;"
			case '\r':
				esc = "&#xD;"
			default: // other control characters
				esc = "\uFFFD"
			}
		case c >= 0xC2 && c <= 0xDF && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
			i += 2 // U+0080 to U+07FF: characters of XML
			continue
		default:
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if !(r == utf8.RuneError && width == 1) && (r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// xmlPlain tells the ASCII bytes xml.EscapeText leaves as they are.
var xmlPlain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"'&<>` {
		t[c] = false
	}
	return t
}()

// formatCellFloat is excelize's formatCellFloat(value, -1, 64): the
// shortest decimal form, cut to Excel's 15 significant digits.
func formatCellFloat(value float64) string {
	str := strconv.FormatFloat(value, 'f', -1, 64)
	if math.Abs(value) == math.MaxFloat64 {
		return str
	}
	const maxPrec = 15
	decimal := strings.IndexByte(str, '.')
	significant := 0
	for idx := range str {
		if str[idx] < '0' || str[idx] > '9' || significant == 0 && str[idx] == '0' {
			continue
		}
		significant++
		if significant <= maxPrec {
			continue
		}
		if decimal >= 0 && idx > decimal {
			return strings.TrimSuffix(str[:idx], ".")
		}
		if decimal < 0 {
			decimal = len(str)
		}
		truncated := []byte(str[:decimal])
		for ; idx < len(truncated); idx++ {
			truncated[idx] = '0'
		}
		return string(truncated)
	}
	return str
}

// emptySheetData is what the stream writer writes for a sheet without
// rows; insertRows puts the rows in it.
var emptySheetData = []byte("<sheetData></sheetData>")

// splitSheetData splits a worksheet written without rows around the inside
// of its <sheetData>.
func splitSheetData(sheetXML []byte) (before, after []byte, err error) {
	i := bytes.Index(sheetXML, emptySheetData)
	if i < 0 {
		return nil, nil, errors.New("no empty <sheetData> to insert the rows in")
	}
	cut := i + len("<sheetData>")
	return sheetXML[:cut], sheetXML[cut:], nil
}
