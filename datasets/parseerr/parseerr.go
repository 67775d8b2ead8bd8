// Package parseerr defines the error every dataset reader returns when an
// input file is malformed, so that callers can tell bad input (exit code 2,
// "fix the file") from other failures and can point the user at the exact
// place to look.
//
// Positions follow one convention across the readers of datasets/...:
// Line is the 1-based physical line of a text file (the header is line 1
// when there is one), Column is the 1-based index of the delimited field
// (not a byte offset), and 0 means "unknown" or "the whole line/file".
// Spreadsheets use Sheet plus Line = row and Column = column number, and
// print the cell reference (C1234) users see in their spreadsheet program.
package parseerr

import (
	"errors"
	"fmt"
	"strconv"
)

// An Error reports where an input file is malformed and why. Err holds the
// cause and is reachable with errors.Is / errors.As through Unwrap.
type Error struct {
	File   string // file name as given by the caller (often a path)
	Sheet  string // worksheet name for spreadsheets, empty for text files
	Line   int    // 1-based line (or spreadsheet row); 0 if unknown
	Column int    // 1-based field index (or spreadsheet column); 0 if unknown
	Err    error
}

// Error formats the position the way compilers do, "file:line:col: message",
// so editors and terminals can jump to it; spreadsheets get
// `file: sheet "APL 2023" cell C1234: message` instead.
func (e *Error) Error() string {
	msg := "<nil>"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Sheet != "" {
		pos := e.File + ": sheet " + strconv.Quote(e.Sheet)
		switch {
		case e.Line > 0 && e.Column > 0:
			pos += " cell " + CellName(e.Column, e.Line)
		case e.Line > 0:
			pos += " row " + strconv.Itoa(e.Line)
		case e.Column > 0:
			pos += " column " + ColumnName(e.Column)
		}
		return pos + ": " + msg
	}
	pos := e.File
	if e.Line > 0 {
		pos += ":" + strconv.Itoa(e.Line)
		if e.Column > 0 {
			pos += ":" + strconv.Itoa(e.Column)
		}
	}
	return pos + ": " + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an *Error at file:line:col whose cause is formatted with
// fmt.Errorf, so a %w verb in format keeps the wrapped error reachable.
func New(file string, line, col int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Column: col, Err: fmt.Errorf(format, args...)}
}

// Cell returns an *Error for a spreadsheet cell (row and col are 1-based;
// col 0 designates the whole row).
func Cell(file, sheet string, row, col int, format string, args ...any) *Error {
	return &Error{File: file, Sheet: sheet, Line: row, Column: col, Err: fmt.Errorf(format, args...)}
}

// As reports whether err is or wraps an *Error and returns it.
func As(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}

// ColumnName converts a 1-based column number to spreadsheet letters
// (1 → A, 27 → AA). It returns "?" for numbers below 1.
func ColumnName(col int) string {
	if col < 1 {
		return "?"
	}
	var b []byte
	for col > 0 {
		col--
		b = append(b, byte('A'+col%26))
		col /= 26
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// CellName returns the spreadsheet reference of a 1-based (column, row)
// pair, e.g. CellName(3, 1234) = "C1234".
func CellName(col, row int) string {
	return ColumnName(col) + strconv.Itoa(row)
}
