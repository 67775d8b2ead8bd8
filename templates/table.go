// Package templates renders diagnostics: the terminal tables, and (in later
// files) the HTML report and the Excel workbook.
package templates

import (
	"io"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// A Table is a plain table for the terminal: a header, rows, an optional
// footer, and which columns hold numbers (right-aligned).
type Table struct {
	Header  []string
	Rows    [][]string
	Footer  []string
	Numeric []bool
}

// Render writes the table with tablewriter; its last line always ends with
// a newline.
func (t *Table) Render(w io.Writer) error {
	aligns := make([]tw.Align, len(t.Header))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if i < len(t.Numeric) && t.Numeric[i] {
			aligns[i] = tw.AlignRight
		}
	}
	nl := &lastByte{w: w}
	table := tablewriter.NewTable(nl,
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithFooterAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
	)
	table.Header(toAny(t.Header)...)
	for _, r := range t.Rows {
		if err := table.Append(r); err != nil {
			return err
		}
	}
	if len(t.Footer) > 0 {
		table.Footer(toAny(t.Footer)...)
	}
	if err := table.Render(); err != nil {
		return err
	}
	// tablewriter does not return the errors of the writer: a table sent
	// to a full disk or a closed pipe would pass for written.
	if nl.err != nil {
		return nl.err
	}
	// A table always ends its last line, so that what follows (a note, a
	// path, the shell prompt) starts on a line of its own.
	if nl.n > 0 && nl.last != '\n' {
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	return nil
}

// lastByte passes writes through and remembers the last byte written and
// the first error.
type lastByte struct {
	w    io.Writer
	n    int
	last byte
	err  error
}

func (l *lastByte) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	if n > 0 {
		l.n += n
		l.last = p[n-1]
	}
	if err != nil && l.err == nil {
		l.err = err
	}
	return n, err
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
