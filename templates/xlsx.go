package templates

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// Sheet names of the workbook, one per section of the report.
const (
	SheetSynthese      = "Synthèse"
	SheetIndicators    = "Indicateurs"
	SheetCommunes      = "Communes"
	SheetProfessionals = "Professionnels"
	SheetStructures    = "Structures"
	SheetAccess        = "Accessibilité"
	SheetReferences    = "Références"
	SheetSources       = "Sources"
)

// SheetNames lists the workbook's sheets in order.
var SheetNames = []string{SheetSynthese, SheetIndicators, SheetCommunes, SheetProfessionals, SheetStructures, SheetAccess, SheetReferences, SheetSources}

// styles are the workbook's cell styles, created once per file.
type styles struct {
	title, subtitle, header, text, wrap, int, dec1, dec2, dec3, pct, coord, na int
	dec4, dec5, dec6                                                           int // APLs near a threshold (aplStyle)
	low, middle, high                                                          int
	bold, boldInt, boldDec2, boldDec1, boldPct                                 int
	// variants are the styles the print setup derives (aligned at the
	// top, wrapped) by style and wrap, shared by the sheets of the file:
	// excelize's NewStyle compares a new style with every one already
	// there.
	variants map[styleVariant]int
	// infos are styleInfo's answers (bold, wraps) by style.
	infos map[int][2]bool
	// parts are the comment parts the mirrored sheets render themselves,
	// by zip part name: the zip writer writes them in place of excelize's
	// (xlsx_comments.go); cols are the column widths the zip writer
	// inserts in the worksheet parts (xlsx_cols.go), rows the rows it
	// inserts in streamed worksheets (xlsx_rows.go). viaExcelize: excelize
	// does all three itself instead, the reference of the tests.
	parts      map[string][]byte
	keepStyles bool // the zip writer keeps the styles part in stylesParts
	cols       map[string][]byte
	rows       map[string][]byte
	rowArena   []byte // holds rows, see getRowArena
	// styleLog lists the styles topStyle made, in order: with newStyles',
	// what the workbook's styles part is made of (stylesParts).
	styleLog    []byte
	viaExcelize bool
}

type styleVariant struct {
	style int
	wrap  bool
}

// newStyles creates the workbook's styles, and sets the zip writer that
// writes the parts the sheets render themselves (parts, cols).
func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{variants: map[styleVariant]int{}, infos: map[int][2]bool{},
		parts: map[string][]byte{}, cols: map[string][]byte{}, rows: map[string][]byte{}}
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		z := newStableZip(w)
		z.replace, z.cols, z.rows = s.parts, s.cols, s.rows
		z.written = func(name string, b []byte) {
			if name == stylesPart && s.keepStyles {
				stylesParts.put(string(s.styleLog), b)
			}
		}
		return z
	})
	border := []excelize.Border{{Type: "bottom", Color: "A6A6A6", Style: 1}}
	custom := func(fmt string) *string { return &fmt }
	defs := []struct {
		dst   *int
		style excelize.Style
	}{
		{&s.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14, Color: "1F4E79"}}},
		{&s.subtitle, excelize.Style{Font: &excelize.Font{Italic: true, Color: "595959"}}},
		{&s.header, excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE6F0"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: border}},
		{&s.text, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&s.wrap, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&s.int, excelize.Style{NumFmt: 3}},
		{&s.dec1, excelize.Style{CustomNumFmt: custom("#,##0.0")}},
		{&s.dec2, excelize.Style{CustomNumFmt: custom("#,##0.00")}},
		{&s.dec3, excelize.Style{CustomNumFmt: custom("0.000")}},
		{&s.dec4, excelize.Style{CustomNumFmt: custom("0.0000")}},
		{&s.dec5, excelize.Style{CustomNumFmt: custom("0.00000")}},
		{&s.dec6, excelize.Style{CustomNumFmt: custom("0.000000")}},
		{&s.pct, excelize.Style{CustomNumFmt: custom("0.0%")}},
		{&s.coord, excelize.Style{CustomNumFmt: custom("0.00000")}},
		{&s.na, excelize.Style{Font: &excelize.Font{Color: "7F7F7F"}, Alignment: &excelize.Alignment{Horizontal: "right"}}},
		{&s.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&s.boldInt, excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 3}},
		{&s.boldDec1, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: custom("#,##0.0")}},
		{&s.boldDec2, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: custom("#,##0.00")}},
		{&s.boldPct, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: custom("0.0%")}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(&d.style)
		if err != nil {
			return nil, err
		}
		*d.dst = id
	}
	for _, c := range []struct {
		dst        *int
		fill, font string
	}{{&s.low, "F8CBAD", "9C0006"}, {&s.middle, "FCE4C4", "8A4B00"}, {&s.high, "C6EFCE", "006100"}} {
		id, err := f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c.fill}},
			Font: &excelize.Font{Color: c.font}})
		if err != nil {
			return nil, err
		}
		*c.dst = id
	}
	return s, nil
}

// aplStyle is the number format of an APL: two decimals, or the more its
// class against th needs (2,501 is above 2,5 and shows so).
func (s *styles) aplStyle(th diagnostic.Thresholds, v *float64) int {
	switch aplDec(th, v) {
	case 3:
		return s.dec3
	case 4:
		return s.dec4
	case 5:
		return s.dec5
	case 6:
		return s.dec6
	}
	return s.dec2
}

// sheet writes cells of one sheet and remembers the first error, so that
// the writers below read as a list of cells. A figure that is unknown or
// partial gets a numbered note: a comment on its cell with the reason, the
// number in the row's "Notes" column, and the reason in the "Notes" block
// of the sheet (numbered per sheet, one number per distinct reason).
type sheet struct {
	f        *excelize.File
	name     string
	st       *styles
	err      error
	nums     map[string]int
	reasons  []string
	rowNotes map[int][]int
	// noComments leaves the cell comments out: a sheet of a large
	// territory (excelize adds each comment in time proportional to those
	// already there: 140,000 of them for France took minutes); the "Notes"
	// column and block still give every reason.
	noComments bool
	// mirror: see mirrored.
	mirror bool
	// rows, when not nil, collects the cells of a large sheet (row →
	// cells from column 1), written in row order by flush with excelize's
	// StreamWriter: excelize's in-memory cells of the 35,000 communes of
	// France took over 1 GB. widthsOf and heights go with them.
	rows     map[int][]any
	widthsOf []float64
	heights  map[int]float64
	// What the print setup (xlsx_print.go) needs: the extent of the
	// sheet, the last column written in each row, the long texts, and the
	// merges of a streamed sheet.
	maxRow, maxCol int
	lastCol        map[int]int
	texts          []textCell
	merges         [][2]string
	// marks are the style of each cell written to the workbook, and
	// whether it holds a value (row → cells from column 1): the print
	// setup reads them here, not back from excelize (its getters walk the
	// sheet's rows at every call). measured are the texts' word widths,
	// by index in texts.
	marks    map[int][]cellMark
	measured []measuredText
	// fitScale is the scale of a sheet fitted on one page, as the print
	// setup estimates it; 0 when it prints on several pages.
	fitScale float64
	cm       *sheetComments // see xlsx_comments.go
	// cols are the column widths of a sheet whose cells are collected, as
	// excelize holds them in a worksheet: the comments' boxes are anchored
	// from them, and the zip writer inserts them in a sheet without charts
	// (charts; see xlsx_cols.go).
	cols   []colRange
	charts bool
}

// streamed makes w collect its cells for flush; a streamed sheet has no
// cell comments (see noComments).
func (w *sheet) streamed() {
	w.rows, w.noComments = map[int][]any{}, true
}

// mirrored makes w collect its cells for flush, as streamed, but keep its
// cell comments: the column widths and row heights are also set on the
// worksheet as they are written, so that excelize places each comment
// where it does on a sheet held in memory (a comment's box is anchored
// from the widths and heights set when it is added). The stream writer
// writes the cells of a report's sheet in a tenth of the time excelize
// takes to encode them from memory, and a batch writes 119 workbooks.
func (w *sheet) mirrored() {
	w.rows, w.mirror = map[int][]any{}, true
}

// memoryLike tells whether the print setup reads the sheet as one held
// in memory: not streamed, or streamed with its layout mirrored.
func (w *sheet) memoryLike() bool { return w.rows == nil || w.mirror }

// flush writes the collected cells of a streamed sheet, row by row. The
// sheet-wide settings (panes, filter, conditional formats, page layout)
// must be set before: the stream writer takes them from the worksheet.
func (w *sheet) flush() error {
	if w.err != nil {
		return w.err
	}
	w.writeCommentParts()
	if w.rows == nil {
		return nil
	}
	sw, err := w.f.NewStreamWriter(w.name)
	if err != nil {
		return err
	}
	switch {
	case w.splicedCols():
		if !w.mirror { // as the stream writer would set them, below
			for i, wd := range w.widthsOf {
				w.cols = setColWidth(w.cols, i+1, i+1, wd)
			}
		}
		if err := w.registerCols(); err != nil {
			return err
		}
	case !w.mirror: // a mirrored sheet's worksheet has its widths already
		for i, wd := range w.widthsOf {
			if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
				return err
			}
		}
	}
	nums := make([]int, 0, len(w.rows))
	for n := range w.rows {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	if !w.st.viaExcelize && len(nums) > 0 {
		start := len(w.st.rowArena)
		if rows, ok := w.rowsXML(w.st.rowArena, nums); ok {
			part, err := w.part()
			if err != nil {
				return err
			}
			w.st.rowArena = rows
			w.st.rows[part] = rows[start:len(rows):len(rows)]
			nums = nil // the zip writer inserts them (xlsx_rows.go)
		}
	}
	for _, n := range nums {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		var ro []excelize.RowOpts
		if h, ok := w.heights[n]; ok {
			ro = append(ro, excelize.RowOpts{Height: h})
		}
		if err := sw.SetRow(cell, w.rows[n], ro...); err != nil {
			return err
		}
	}
	for _, m := range w.merges {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// rowHeight sets the height of a row.
func (w *sheet) rowHeight(row int, h float64) {
	if w.err != nil {
		return
	}
	w.heights[row] = h
	if !w.memoryLike() {
		return
	}
	// A mirrored sheet's row in the worksheet holds its height only (the
	// stream writer writes the rows): where comments are anchored.
	w.err = w.f.SetRowHeight(w.name, row, h)
}

func newSheet(f *excelize.File, name string, st *styles) *sheet {
	return &sheet{f: f, name: name, st: st, nums: map[string]int{}, rowNotes: map[int][]int{},
		heights: map[int]float64{}, marks: map[int][]cellMark{}}
}

// A cellMark is what the print setup knows of a written cell.
type cellMark struct {
	style int
	set   bool // written
	value bool // holds a value (not nil, not "")
}

// mark records the style of a written cell, and whether it holds a value.
func (w *sheet) mark(col, row, style int, value bool) {
	r := w.marks[row]
	for len(r) < col {
		r = append(r, cellMark{})
	}
	r[col-1] = cellMark{style: style, set: true, value: value}
	w.marks[row] = r
}

// note attaches a reason to a cell.
func (w *sheet) note(col, row int, reason string) {
	if w.err != nil {
		return
	}
	n, ok := w.nums[reason]
	if !ok {
		w.reasons = append(w.reasons, reason)
		n = len(w.reasons)
		w.nums[reason] = n
	}
	if !slices.Contains(w.rowNotes[row], n) {
		w.rowNotes[row] = append(w.rowNotes[row], n)
	}
	if w.noComments {
		return
	}
	text := "Note " + strconv.Itoa(n) + " : " + reason
	if w.mirror && !w.st.viaExcelize {
		w.err = w.comment(col, row, text)
		return
	}
	cell, _ := excelize.CoordinatesToCellName(col, row)
	w.err = w.f.AddComment(w.name, noteComment(cell, text))
}

// gapNote notes a figure: the reason it is missing, or the reason it is
// partial.
func (w *sheet) gapNote(col, row int, gaps []diagnostic.Gap, field string, missing bool) {
	g := gapOf(gaps, field)
	switch {
	case missing:
		w.note(col, row, reasonFor(g, field))
	case g != nil:
		w.note(col, row, g.Reason)
	}
}

// fnum writes a figure with its note.
func (w *sheet) fnum(col, row int, v *float64, style int, gaps []diagnostic.Gap, field string) {
	w.num(col, row, v, style)
	w.gapNote(col, row, gaps, field, v == nil)
}

// fint writes a count with its note.
func (w *sheet) fint(col, row int, v *int, style int, gaps []diagnostic.Gap, field string) {
	w.intp(col, row, v, style)
	w.gapNote(col, row, gaps, field, v == nil)
}

// noteColumn writes the "Notes" column: the note numbers of each row.
func (w *sheet) noteColumn(col, headerRow, from, to int) {
	w.set(col, headerRow, "Notes", w.st.header)
	for row := from; row <= to; row++ {
		if ns := w.rowNotes[row]; len(ns) > 0 {
			var parts []string
			for _, n := range ns {
				parts = append(parts, strconv.Itoa(n))
			}
			w.set(col, row, strings.Join(parts, ", "), w.st.text)
		}
	}
}

// notesBlock lists the sheet's notes from row on (the last block of every
// sheet: nothing follows it); nothing when the sheet has no note.
func (w *sheet) notesBlock(row int) {
	if len(w.reasons) == 0 {
		return
	}
	w.set(1, row, "Notes", w.st.bold)
	for i, r := range w.reasons {
		w.set(1, row+1+i, "Note "+strconv.Itoa(i+1), w.st.text)
		w.set(2, row+1+i, r, w.st.text)
	}
}

func (w *sheet) set(col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	w.track(col, row, v, style)
	if w.rows != nil {
		r := w.rows[row]
		for len(r) < col {
			r = append(r, nil)
		}
		r[col-1] = excelize.Cell{StyleID: style, Value: v}
		w.rows[row] = r
		if w.mirror {
			w.mark(col, row, style, v != nil && v != "")
		}
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = w.f.SetCellValue(w.name, cell, v)
	}
	if err == nil && style != 0 {
		err = w.f.SetCellStyle(w.name, cell, cell, style)
	}
	w.err = err
	if err == nil {
		w.mark(col, row, style, v != nil && v != "")
	}
}

// num writes a value that may be missing: "n.d." (text) when nil, never 0.
func (w *sheet) num(col, row int, v *float64, style int) {
	if v == nil {
		w.set(col, row, NA, w.st.na)
		return
	}
	w.set(col, row, *v, style)
}

func (w *sheet) intp(col, row int, v *int, style int) {
	if v == nil {
		w.set(col, row, NA, w.st.na)
		return
	}
	w.set(col, row, *v, style)
}

func (w *sheet) header(row int, names ...string) {
	for i, n := range names {
		w.set(i+1, row, n, w.st.header)
	}
}

func (w *sheet) widths(widths ...float64) {
	w.widthsOf = widths
	if !w.memoryLike() {
		return
	}
	// One call per run of equal widths: excelize flattens and copies
	// every column already set at each call (the Références sheet has 40
	// columns of one width). The workbook's columns are the same. The
	// runs are set from the last: each call puts its columns before those
	// already set, and the stream writer writes them in that order.
	type run struct{ from, to int }
	var runs []run
	for i := 0; i < len(widths); {
		j := i + 1
		for j < len(widths) && widths[j] == widths[i] {
			j++
		}
		runs = append(runs, run{i + 1, j})
		i = j
	}
	for k := len(runs) - 1; k >= 0 && w.err == nil; k-- {
		w.cols = setColWidth(w.cols, runs[k].from, runs[k].to, widths[runs[k].from-1])
		if w.splicedCols() {
			continue
		}
		from, _ := excelize.ColumnNumberToName(runs[k].from)
		to, _ := excelize.ColumnNumberToName(runs[k].to)
		w.err = w.f.SetColWidth(w.name, from, to, widths[runs[k].from-1])
	}
}

// table freezes the rows above firstData and puts an autofilter on the
// header row and the data below it.
func (w *sheet) table(headerRow, lastRow, cols int) {
	if w.err != nil {
		return
	}
	top, _ := excelize.CoordinatesToCellName(1, headerRow+1)
	w.err = w.f.SetPanes(w.name, &excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}})
	if w.err != nil {
		return
	}
	if lastRow < headerRow+1 {
		lastRow = headerRow + 1
	}
	from, _ := excelize.CoordinatesToCellName(1, headerRow)
	to, _ := excelize.CoordinatesToCellName(cols, lastRow)
	w.err = w.f.AutoFilter(w.name, from+":"+to, nil)
}

// aplColors colours the APL cells from (col, firstRow) to (lastCol,
// lastRow) by class: ≤ Low red, ≤ Middle orange, above green, of the value
// itself, like the "Classe d'APL" column and the HTML report (a value whose
// class two decimals would hide has a format with more: see aplStyle).
func (w *sheet) aplColors(col, firstRow, lastCol, lastRow int, th diagnostic.Thresholds) {
	if w.err != nil || lastRow < firstRow || lastCol < col {
		return
	}
	first, _ := excelize.CoordinatesToCellName(col, firstRow)
	last, _ := excelize.CoordinatesToCellName(lastCol, lastRow)
	low, mid := strconv.FormatFloat(th.Low, 'f', -1, 64), strconv.FormatFloat(th.Middle, 'f', -1, 64)
	// Formulas, not "cell <= 2.5": a blank or "n.d." cell must stay uncoloured.
	w.err = w.f.SetConditionalFormat(w.name, first+":"+last, []excelize.ConditionalFormatOptions{
		{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%s),%s<=%s)", first, first, low), Format: &w.st.low, StopIfTrue: true},
		{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%s),%s<=%s)", first, first, mid), Format: &w.st.middle, StopIfTrue: true},
		{Type: "formula", Criteria: fmt.Sprintf("AND(ISNUMBER(%s),%s>%s)", first, first, mid), Format: &w.st.high},
	})
}

// WriteXLSX writes the report as an Excel workbook: one sheet per section,
// numbers stored as numbers with formats, units in the headers, frozen
// header rows, filters, APL classes coloured, native charts for the
// headline comparisons. The document properties are fixed (dates derived
// from the data vintages) so that the same report gives the same file.
func WriteXLSX(w io.Writer, r *diagnostic.Report) error {
	return writeXLSX(w, r, false)
}

// writeXLSX is WriteXLSX; viaExcelize makes excelize add every cell
// comment and set every column width itself (see xlsx_comments.go and
// xlsx_cols.go): the reference of the tests.
func writeXLSX(w io.Writer, r *diagnostic.Report, viaExcelize bool) error {
	if len(r.Levels) == 0 {
		return fmt.Errorf("excel report: the report has no figures")
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSynthese); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	for _, n := range SheetNames[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return fmt.Errorf("excel report: %w", err)
		}
	}
	st, err := newStyles(f)
	if err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	st.viaExcelize = viaExcelize
	st.rowArena = getRowArena()
	defer func() { putRowArena(st.rowArena) }() // once the workbook is written
	// Before the sheets are written: SetActiveSheet reads every sheet, and
	// would decode a streamed one back into memory. (Each writer sets its
	// sheet's print setup, xlsx_print.go, before a streamed sheet is
	// flushed, for the same reason.)
	f.SetActiveSheet(0)
	for _, write := range []func(*excelize.File, *styles, *diagnostic.Report) error{
		writeSynthese, writeIndicators, writeCommunes, writeProfessionals, writeStructures, writeAccess, writeReferences, writeSources,
	} {
		if err := write(f, st, r); err != nil {
			return fmt.Errorf("excel report: %w", err)
		}
	}
	date := DataDate(r)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Diagnostic territorial d'accès aux soins — " + r.Title,
		Subject:        "Diagnostic territorial d'accès aux soins : " + r.Territory.Label,
		Creator:        "diagsante",
		LastModifiedBy: "diagsante",
		Description:    "Données ouvertes : " + vintageLine(r),
		Keywords:       "accès aux soins; APL; médecins généralistes; " + r.Territory.Label,
		Language:       "fr-FR",
		Created:        date,
		Modified:       date,
	}); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	if err := f.SetAppProps(&excelize.AppProperties{Application: "diagsante"}); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	if !viaExcelize {
		// The theme is excelize's default, the same in every workbook:
		// written from the bytes excelize encodes once per process.
		theme, err := defaultThemePart()
		if err != nil {
			return fmt.Errorf("excel report: %w", err)
		}
		f.Theme = nil // not encoded again
		st.parts[themePart] = theme
		if styles, ok := stylesParts.get(string(st.styleLog)); ok {
			f.Styles = nil // not encoded again
			st.parts[stylesPart] = styles
		} else {
			st.keepStyles = true
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("excel report: %w", err)
	}
	return nil
}

var yearRe = regexp.MustCompile(`\b(20[0-9]{2})\b`)

// DataDate is the fixed creation date of the workbook: 1 January of the
// latest year named in the data vintages, so that the file depends on the
// data only, never on when it was written.
func DataDate(r *diagnostic.Report) string {
	year := 2000
	for _, s := range r.Sources {
		for _, m := range yearRe.FindAllString(s.Vintage, -1) {
			if y, _ := strconv.Atoi(m); y > year {
				year = y
			}
		}
	}
	return fmt.Sprintf("%d-01-01T00:00:00Z", year)
}

// indicator is one row of the comparison tables.
type indicator struct {
	label string
	field string // the JSON name, for its Gap
	value func(f diagnostic.Figures) *float64
	style func(st *styles, v *float64) int
}

func intPtrToFloat(n *int) *float64 {
	if n == nil {
		return nil
	}
	v := float64(*n)
	return &v
}

func indicators(r *diagnostic.Report) []indicator {
	th := r.Thresholds
	i := func(st *styles, _ *float64) int { return st.int }
	d1 := func(st *styles, _ *float64) int { return st.dec1 }
	d2 := func(st *styles, _ *float64) int { return st.dec2 }
	ap := func(st *styles, v *float64) int { return st.aplStyle(th, v) }
	pc := func(st *styles, _ *float64) int { return st.pct }
	low, mid := Num(th.Low, 1), Num(th.Middle, 0)
	return []indicator{
		{"Communes (nb)", "communes", func(f diagnostic.Figures) *float64 { v := float64(f.Communes); return &v }, i},
		{popHeader(r), "population", func(f diagnostic.Figures) *float64 { v := float64(f.Population); return &v }, i},
		{"Indice de besoin de soins (France = 1)", "need_index", func(f diagnostic.Figures) *float64 { return f.NeedIndex }, d2},
		{"Médecins généralistes, " + gpSourceLabel(r) + " (nb)", "gps", func(f diagnostic.Figures) *float64 { return intPtrToFloat(f.GPs) }, i},
		{"Densité de médecins généralistes, " + gpSourceLabel(r) + " (pour 10 000 hab.)", "gp_density_per_10000", func(f diagnostic.Figures) *float64 { return f.GPDensity }, d1},
		{"APL 2023 (consultations/an/hab.)", "apl_2023", func(f diagnostic.Figures) *float64 { return f.APL2023 }, ap},
		{"APL 2022 (consultations/an/hab.)", "apl_2022", func(f diagnostic.Figures) *float64 { return f.APL2022 }, ap},
		{"Population en commune d'APL ≤ " + low + " (%)", "share_apl_low", func(f diagnostic.Figures) *float64 { return f.ShareLow }, pc},
		{"Population en commune d'APL de " + low + " à " + mid + " (%)", "share_apl_middle", func(f diagnostic.Figures) *float64 { return f.ShareMiddle }, pc},
		{"Population en commune d'APL > " + mid + " (%)", "share_apl_high", func(f diagnostic.Figures) *float64 { return f.ShareHigh }, pc},
		{"Part de l'APL 2023 assurée par les " + gp65 + " (%)", "share_from_65_plus", func(f diagnostic.Figures) *float64 { return f.ShareFrom65Plus }, pc},
		{"Part de l'APL 2022 assurée par les " + gp65 + " (%)", "share_from_65_plus_2022", func(f diagnostic.Figures) *float64 { return f.ShareFrom65Plus2022 }, pc},
		{"Évolution 2022 → 2023 de la part assurée par les " + gp65 + " (points)", "share_from_65_plus", func(f diagnostic.Figures) *float64 {
			if d := shareFrom65Trend(f); d != nil {
				v := 100 * *d
				return &v
			}
			return nil
		}, d1},
		{"APL 2023 aux " + gpUnder65 + " (consultations/an/hab.)", "apl_under65_2023", func(f diagnostic.Figures) *float64 { return f.APLUnder65_2023 }, ap},
		{"APL 2022 aux " + gpUnder65 + " (consultations/an/hab.)", "apl_under65_2022", func(f diagnostic.Figures) *float64 { return f.APLUnder65_2022 }, ap},
		{"Sans les " + gp65 + " : population en commune d'APL ≤ " + low + " (%)", "share_apl_low_under65", func(f diagnostic.Figures) *float64 { return f.ShareLowUnder65 }, pc},
		{"Sans les " + gp65 + " : population en commune d'APL de " + low + " à " + mid + " (%)", "share_apl_middle_under65", func(f diagnostic.Figures) *float64 { return f.ShareMiddleUnder65 }, pc},
		{"Sans les " + gp65 + " : population en commune d'APL > " + mid + " (%)", "share_apl_high_under65", shareHighUnder65, pc},
		{"Population en commune d'APL 2022 ≤ " + low + " (%)", "share_apl_low_2022", func(f diagnostic.Figures) *float64 { return f.ShareLow2022 }, pc},
		{"Sans les " + gp65 + ", APL 2022 : population en commune d'APL ≤ " + low + " (%)", "share_apl_low_under65_2022", func(f diagnostic.Figures) *float64 { return f.ShareLowUnder65_2022 }, pc},
		{"Population couverte par une CPTS (%)", "cpts_population_share", func(f diagnostic.Figures) *float64 { return f.CPTSPopulationShare }, pc},
		{"Communes couvertes par une CPTS (%)", "cpts_commune_share", func(f diagnostic.Figures) *float64 { return f.CPTSCommuneShare }, pc},
		{"Part des 75 ans et plus (%)", "share_75_plus", func(f diagnostic.Figures) *float64 { return f.Share75Plus }, pc},
	}
}

func levelHeader(l diagnostic.Level, title string) string {
	if l.Kind == "territory" {
		return title
	}
	return levelName(l)
}

// keyIndicators are the fields of the key figures of the Synthèse sheet,
// the workbook's first printed page (as the HTML report's first page).
var keyIndicators = []string{"population", "gps", "gp_density_per_10000", "apl_2023", "share_apl_low", "share_from_65_plus", "cpts_population_share"}

// writeTitle writes the title lines of a summary sheet (rows 1 to 4): the
// Synthèse gives the report date, its table the dates of the data; the
// other sheet gives both in a line.
func writeTitle(w *sheet, st *styles, r *diagnostic.Report) {
	w.set(1, 1, "Diagnostic territorial d'accès aux soins — "+r.Title, st.title)
	w.set(1, 2, placesSentence(r), st.subtitle)
	where := "plus bas"
	if w.name == SheetSynthese {
		if day := reportDay(r); day != "" {
			w.set(1, 3, "Rapport du "+day+".", st.subtitle)
		}
	} else {
		w.set(1, 3, dateLine(r), st.subtitle)
		where = "de la feuille « " + SheetSynthese + " »"
	}
	if l := staleLine(r, where); l != "" {
		w.set(1, 4, l, st.subtitle)
	}
}

// indicatorTable writes the indicators inds, one row each under a header
// at row hdr (a column per level), with the APL classes coloured, and
// returns the row of each indicator by label and the last row written.
func indicatorTable(w *sheet, st *styles, r *diagnostic.Report, levels []diagnostic.Level, hdr int, first string, inds []indicator) (map[string]int, int) {
	names := []string{first}
	for _, l := range levels {
		names = append(names, levelHeader(l, r.Title))
	}
	w.header(hdr, names...)
	rowOf := map[string]int{}
	for i, ind := range inds {
		row := hdr + 1 + i
		rowOf[ind.label] = row
		w.set(1, row, ind.label, st.text)
		for j, l := range levels {
			v := ind.value(l.Figures)
			w.fnum(j+2, row, v, ind.style(st, v), l.Gaps, ind.field)
		}
		switch ind.field {
		case "apl_2023", "apl_2022", "apl_under65_2023", "apl_under65_2022":
			w.aplColors(2, row, len(levels)+1, row, r.Thresholds)
		}
	}
	return rowOf, hdr + len(inds)
}

// summaryColumns sets the widths of a summary sheet: the labels, a column
// per level, the notes.
func summaryColumns(w *sheet, levels int) {
	cols := []float64{52}
	for range levels {
		cols = append(cols, 18)
	}
	cols = append(cols, 10)
	w.widths(cols...)
}

// freezeHeader freezes the rows down to hdr, and gives the header row room
// for two lines.
func freezeHeader(w *sheet, hdr int) error {
	if w.err != nil {
		return w.err
	}
	top, _ := excelize.CoordinatesToCellName(1, hdr+1)
	if err := w.f.SetPanes(w.name, &excelize.Panes{Freeze: true, YSplit: hdr, TopLeftCell: top, ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	w.rowHeight(hdr, 32)
	return w.err
}

// keyLevels are the columns of the Synthèse: the territory and the levels
// it is compared with, without the départements of a territory that spans
// several (their figures are on the Indicateurs sheet), so that the page
// stays legible.
func keyLevels(r *diagnostic.Report) []diagnostic.Level {
	out := []diagnostic.Level{r.Levels[0]}
	deps := 0
	for _, l := range r.Levels[1:] {
		if l.Kind == "departement" {
			deps++
		}
	}
	for _, l := range r.Levels[1:] {
		if l.Kind != "departement" || deps == 1 {
			out = append(out, l)
		}
	}
	return out
}

// writeSynthese writes the first sheet, which prints on one page: the
// territory, its key figures compared with the département, the region
// and France, the points of attention and the levers by their titles, and
// the data dates. The details are on the "Indicateurs" sheet.
func writeSynthese(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w, err := synthese(f, st, r)
	if err != nil {
		return err
	}
	return w.flush()
}

// synthese writes the Synthèse sheet and returns its writer, for tests of
// its print setup; its cells are written by w.flush.
func synthese(f *excelize.File, st *styles, r *diagnostic.Report) (*sheet, error) {
	w := newSheet(f, SheetSynthese, st)
	w.mirrored()
	writeTitle(w, st, r)
	const hdr = 5
	var key []indicator
	all := indicators(r)
	for _, field := range keyIndicators {
		i := slices.IndexFunc(all, func(ind indicator) bool { return ind.field == field })
		key = append(key, all[i])
	}
	levels := keyLevels(r)
	_, last := indicatorTable(w, st, r, levels, hdr, "Chiffres clés", key)
	w.noteColumn(len(levels)+2, hdr, hdr+1, last)
	row := last + 1
	if a := accessOf(r, "emergency"); a != nil {
		row++
		line := "Temps d'accès moyen aux urgences : " + Num(a.MeanMinutes, 0) + " minutes ; " + Pct(a.Beyond30, 0) + " de la population à plus de 30 minutes"
		if r.TravelTimeError != "" {
			line += " (temps estimés par un modèle, écart moyen mesuré de " + Num(access.MeasuredError.MAE, 1) + nbsp + "min : feuille « Accessibilité »)"
		}
		w.set(1, row, line+".", st.text)
	}
	row += 2
	w.set(1, row, "Points d'attention", st.bold)
	row++
	if len(r.Attention) == 0 {
		w.set(1, row, "Aucun point d'attention relevé à partir des indicateurs disponibles.", st.text)
		row++
	}
	for _, a := range r.Attention {
		w.set(1, row, "["+a.Severity+"] "+a.Title, st.text)
		row++
	}
	row++
	w.set(1, row, "Leviers mobilisables", st.bold)
	row++
	n := 0
	var checks []string
	for _, l := range r.Levers {
		if l.Check {
			checks = append(checks, trimCheck(l.Title))
			continue
		}
		n++
		w.set(1, row, strconv.Itoa(n)+". "+l.Title, st.text)
		row++
	}
	if n == 0 {
		w.set(1, row, "Aucun levier suggéré par les constats disponibles.", st.text)
		row++
	}
	if len(checks) > 0 {
		w.set(1, row, "[À vérifier] "+checksCount(len(checks))+" auprès de l'ARS : "+strings.Join(checks, " ; ")+".", st.text)
		row++
	}
	by := "commune par commune, dans la feuille « " + SheetCommunes + " »"
	if len(levels) < len(r.Levels) {
		by = "département par département, dans la feuille « " + SheetIndicators + " » ; " + by
	}
	w.set(1, row+1, "Le détail des indicateurs, de chaque constat et de chaque levier (avec ses raisons) est dans la feuille « "+SheetIndicators+" » ; "+
		by+".", st.subtitle)
	row = writeDataDates(w, st, r, row+3)
	w.notesBlock(row + 1)
	summaryColumns(w, len(levels))
	if err := freezeHeader(w, hdr); err != nil {
		return nil, err
	}
	w.printSetup(printOptions{title: r.Title, onePage: true})
	return w, w.err
}

// writeIndicators writes every indicator of the levels, their charts, and
// the points of attention and levers in full, with their reasons.
func writeIndicators(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetIndicators, st)
	w.mirrored()
	w.withCharts()
	writeTitle(w, st, r)
	const hdr = 5
	inds := indicators(r)
	rowOf, last := indicatorTable(w, st, r, r.Levels, hdr, "Indicateur", inds)
	last++
	// Where each level's GP counts come from, next to them.
	w.set(1, last, "Source des effectifs de médecins généralistes", st.text)
	for j, l := range r.Levels {
		src := l.GPSource
		if src == "" {
			src = "—" // no GP count for the level (n.d. above, with its note), as in the HTML
		}
		w.set(j+2, last, src, st.text)
	}
	w.noteColumn(len(r.Levels)+2, hdr, hdr+1, last)
	// The charts sit under the table, the text under the charts: nothing
	// overlaps, in Excel as in print.
	// Which APL is which: the report's APL counts GPs of every age, as
	// C@rtoSanté; the DREES national headline counts GPs under 65.
	w.set(1, last+2, "Lecture : les APL de ce classeur sont tous âges (comme C@rtoSanté), sauf les lignes « aux "+gpUnder65+" ». "+
		"La part assurée par les "+gp65+" est une part de l'accessibilité (pondérée par l'activité des médecins et la distance), pas une part des effectifs ; "+
		"les lignes « Sans les "+gp65+" » sont le scénario « départs à la retraite » publié par la DREES.", st.subtitle)
	w.set(1, last+3, pressNote(r), st.subtitle)
	chartRow := last + 5
	row := chartRow + 20
	w.set(1, row, "Points d'attention", st.bold)
	row++
	if len(r.Attention) == 0 {
		w.set(1, row, "Aucun point d'attention relevé automatiquement.", st.text)
		row++
	}
	for _, a := range r.Attention {
		w.set(1, row, "["+a.Severity+"] "+a.Title, st.bold)
		w.set(2, row, a.Detail, st.text)
		row++
	}
	row++
	w.set(1, row, "Leviers mobilisables", st.bold)
	row++
	for _, check := range []bool{false, true} {
		if check {
			has := slices.ContainsFunc(r.Levers, func(l diagnostic.Lever) bool { return l.Check })
			if !has {
				break
			}
			row++
			w.set(1, row, "À vérifier auprès de l'ARS (donnée non disponible : aucun constat n'en est tiré)", st.bold)
			row++
		}
		for _, l := range r.Levers {
			if l.Check != check {
				continue
			}
			title := l.Title
			if check {
				title = "[À vérifier] " + trimCheck(l.Title)
			}
			w.set(1, row, title, st.bold)
			w.set(2, row, l.What, st.text)
			row++
			if len(l.Why) > 0 {
				w.set(2, row, "Pourquoi : "+strings.Join(l.Why, " ; "), st.subtitle)
				row++
			}
		}
	}
	w.notesBlock(row + 1)
	summaryColumns(w, len(r.Levels))
	if err := freezeHeader(w, hdr); err != nil {
		return err
	}
	// The second chart, at column C, reaches past the table of a
	// territory with few comparison levels.
	w.printSetup(printOptions{title: r.Title, minWidth: w.span(1, 2) + chartWidth*0.75, noTitles: true})
	if w.err != nil {
		return w.err
	}
	// Native charts: one bar per level, each its own series so that a level
	// without a value is left out rather than drawn as zero.
	if err := levelChart(w, "A"+strconv.Itoa(chartRow), "APL 2023 (consultations par an et par habitant)", r, rowOf[inds[5].label], hdr,
		func(l diagnostic.Level) bool { return l.APL2023 != nil }, "0.00"); err != nil {
		return err
	}
	if err := levelChart(w, "C"+strconv.Itoa(chartRow), "Médecins généralistes pour 10 000 habitants ("+gpSourceLabel(r)+")", r, rowOf[inds[4].label], hdr,
		func(l diagnostic.Level) bool { return l.GPDensity != nil }, "0.0"); err != nil {
		return err
	}
	return w.flush()
}

// writeDataDates writes the "Date des données" table of the Synthèse
// sheet from row on, and returns the row after it.
func writeDataDates(w *sheet, st *styles, r *diagnostic.Report, row int) int {
	title := "Date des données"
	if day := reportDay(r); day != "" {
		title += " (rapport du " + day + ")"
	}
	w.set(1, row, title, st.bold)
	row++
	// The source of each date (its file and vintage) is on the Sources
	// sheet: here, what an élu needs on one page.
	w.header(row, "Données", "Date", "Plus de deux ans avant le rapport", "Mise à jour")
	for _, d := range dataDateRows(r) {
		row++
		w.set(1, row, d.Label, st.text)
		w.set(2, row, d.Text, st.text)
		stale, upd := "non", ""
		if d.Stale {
			stale, upd = "oui", d.Refresh
		}
		if upd == diagnostic.NoUpdate {
			// The Limites of the Sources sheet say it in full.
			upd = "aucune commande"
		}
		w.set(3, row, stale, st.text)
		w.set(4, row, upd, st.wrap)
	}
	return row + 1
}

var excelLevelColors = map[string]string{"territory": "1F4E79", "departement": "4F81BD", "region": "8FB4DE", "france": "A6A6A6"}

func quoteSheet(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

func levelChart(w *sheet, at, title string, r *diagnostic.Report, row, hdr int, has func(diagnostic.Level) bool, numFmt string) error {
	if !w.charts {
		return fmt.Errorf("sheet %s: a chart on a sheet not declared withCharts", w.name)
	}
	sheetName := w.name
	var series []excelize.ChartSeries
	for j, l := range r.Levels {
		if !has(l) {
			continue
		}
		col, _ := excelize.ColumnNumberToName(j + 2)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$%d", quoteSheet(sheetName), col, hdr),
			Categories: fmt.Sprintf("%s!$A$%d", quoteSheet(sheetName), row),
			Values:     fmt.Sprintf("%s!$%s$%d", quoteSheet(sheetName), col, row),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{excelLevelColors[l.Kind]}},
		})
	}
	if len(series) == 0 {
		return nil
	}
	gap := uint(60)
	chart := &excelize.Chart{
		Type:      excelize.Col,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: title, Font: &excelize.Font{Bold: true, Size: 11}}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
		YAxis:     excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: numFmt}},
		XAxis:     excelize.ChartAxis{None: false},
		Dimension: excelize.ChartDimension{Width: chartWidth, Height: 310},
		GapWidth:  &gap,
		Format:    excelize.GraphicOptions{PrintObject: boolPtr(true), Locked: boolPtr(false)},
	}
	if w.st.viaExcelize {
		return w.f.AddChart(sheetName, at, chart)
	}
	// The chart part is the same for the same title, number format and
	// series (the rest is fixed above): encoded once per process
	// (chartParts). A chart already encoded is added as a chart of one
	// plain series, which excelize encodes in half the time, and its part
	// is written with the kept bytes in place of the placeholder's. The
	// drawing, relationships and content types are the same: they depend
	// on the anchor, the size and the format only.
	key := []byte(title + "\x00" + numFmt)
	for _, s := range series {
		key = append(key, "\x00"+s.Name+"\x00"+s.Categories+"\x00"+s.Values+"\x00"+strings.Join(s.Fill.Color, ",")...)
	}
	part := nextChartPart(w.f)
	if b, ok := chartParts.get(string(key)); ok {
		placeholder := &excelize.Chart{Type: chart.Type, Series: []excelize.ChartSeries{{Values: series[0].Values}},
			Dimension: chart.Dimension, Format: chart.Format}
		if err := w.f.AddChart(sheetName, at, placeholder); err != nil {
			return err
		}
		w.st.parts[part] = b
		return nil
	}
	if err := w.f.AddChart(sheetName, at, chart); err != nil {
		return err
	}
	if b, ok := w.f.Pkg.Load(part); ok {
		chartParts.put(string(key), b.([]byte))
	}
	return nil
}

// chartParts are the chart parts excelize encoded in this process, by
// title, number format and series (levelChart).
var chartParts = partCache{m: map[string][]byte{}}

// nextChartPart is the part of the next chart AddChart adds to f, as
// excelize names it: one more than the parts whose name holds
// "xl/charts/chart".
func nextChartPart(f *excelize.File) string {
	n := 0
	f.Pkg.Range(func(k, _ any) bool {
		if name, ok := k.(string); ok && strings.Contains(name, "xl/charts/chart") {
			n++
		}
		return true
	})
	return "xl/charts/chart" + strconv.Itoa(n+1) + ".xml"
}

// chartWidth is the width of the Synthèse's charts, in pixels.
const chartWidth = 470

func boolPtr(b bool) *bool    { return &b }
func intPtr(n int) *int       { return &n }
func strPtr(s string) *string { return &s }

// popLabel names the populations the report uses (the communes table in
// use): "populations de référence en vigueur en 2026", or an imported
// vintage.
func popLabel(r *diagnostic.Report) string {
	if r.PopulationSource == "" {
		return "populations de référence"
	}
	return r.PopulationSource
}

// popHeader is the population column header, with the populations used.
func popHeader(r *diagnostic.Report) string {
	return "Population municipale, " + popLabel(r) + " (hab.)"
}

func writeCommunes(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetCommunes, st)
	if len(r.Communes) > SummaryThreshold {
		w.streamed()
	} else {
		w.mirrored()
	}
	head := []string{"Code INSEE", "Commune", "Département", "EPCI (SIREN)", "EPCI", popHeader(r), "Indice de besoin de soins",
		"APL 2023 (consultations/an/hab.)", "APL 2022 (consultations/an/hab.)", "Classe d'APL 2023", "Médecins généralistes, " + gpSourceLabel(r) + " (nb)",
		"Densité de médecins généralistes (pour 10 000 hab.)",
		"APL 2023 aux " + gpUnder65 + " (consultations/an/hab.)", "APL 2022 aux " + gpUnder65 + " (consultations/an/hab.)",
		"Part de l'APL 2023 assurée par les " + gp65 + " (%)",
		"Latitude (°)", "Longitude (°)"}
	for _, k := range diagnostic.Kinds {
		head = append(head, k.Label+" (nb)")
	}
	head = append(head, "CPTS (périmètre)")
	nearKinds := nearestKinds(r)
	for _, k := range nearKinds {
		n := nearestName(k)
		head = append(head, n+" : temps (min)", n+" : distance (km)", n+" : nom")
	}
	w.header(1, head...)
	for i, c := range r.Communes {
		row := i + 2
		w.set(1, row, c.Code, st.text)
		w.set(2, row, c.Name, st.text)
		w.set(3, row, c.Dep, st.text)
		w.set(4, row, c.EPCI, st.text)
		w.set(5, row, c.EPCIName, st.text)
		w.set(6, row, c.Population, st.int)
		w.fnum(7, row, c.NeedIndex, st.dec2, c.Gaps, "need_index")
		w.fnum(8, row, c.APL2023, st.aplStyle(r.Thresholds, c.APL2023), c.Gaps, "apl_2023")
		w.fnum(9, row, c.APL2022, st.aplStyle(r.Thresholds, c.APL2022), c.Gaps, "apl_2022")
		w.set(10, row, ClassLabel(c.APLClass, r.Thresholds), st.text)
		w.fint(11, row, c.GPs, st.int, c.Gaps, "gps")
		w.fnum(12, row, c.GPDensity, st.dec1, c.Gaps, "gp_density_per_10000")
		w.fnum(13, row, c.APLUnder65_2023, st.aplStyle(r.Thresholds, c.APLUnder65_2023), c.Gaps, "apl_under65_2023")
		w.fnum(14, row, c.APLUnder65_2022, st.aplStyle(r.Thresholds, c.APLUnder65_2022), c.Gaps, "apl_under65_2022")
		w.fnum(15, row, c.ShareFrom65Plus, st.pct, c.Gaps, "share_from_65_plus")
		w.num(16, row, c.Lat, st.coord)
		w.num(17, row, c.Lon, st.coord)
		col := 18
		for _, k := range diagnostic.Kinds {
			w.fint(col, row, c.Structures[k.Key], st.int, c.Gaps, "structures."+k.Key)
			col++
		}
		if g := gapOf(c.Gaps, "cpts_commune_share"); g != nil && g.Status == diagnostic.GapUnknown {
			w.set(col, row, NA, st.na)
			w.note(col, row, g.Reason)
		} else {
			w.set(col, row, strings.Join(c.CPTS, ", "), st.text)
		}
		col++
		for _, k := range nearKinds {
			if n, ok := c.Nearest[k]; ok {
				w.set(col, row, n.Minutes, st.dec1)
				w.set(col+1, row, n.Km, st.dec1)
				w.set(col+2, row, n.Name+" ("+n.Commune+")", st.text)
			} else {
				w.set(col, row, NA, st.na)
				w.set(col+1, row, NA, st.na)
				w.set(col+2, row, NA, st.na)
			}
			col += 3
		}
	}
	last := len(r.Communes) + 1
	w.noteColumn(len(head)+1, 1, 2, last)
	w.notesBlock(last + 2)
	widths := []float64{11, 28, 12, 13, 30, 16, 13, 16, 16, 24, 16, 18, 20, 20, 20, 12, 12}
	for range diagnostic.Kinds {
		widths = append(widths, 14)
	}
	widths = append(widths, 30)
	for range nearKinds {
		widths = append(widths, 14, 14, 36)
	}
	widths = append(widths, 10)
	w.widths(widths...)
	w.table(1, last, len(head)+1)
	w.aplColors(8, 2, 8, last, r.Thresholds)
	w.aplColors(9, 2, 9, last, r.Thresholds)
	w.aplColors(13, 2, 13, last, r.Thresholds)
	w.aplColors(14, 2, 14, last, r.Thresholds)
	w.rowHeight(1, 75)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}

// feminineKinds are the kinds whose singular name (shortKind) is
// feminine: "la maternité la plus proche", "le service d'urgences le plus
// proche".
var feminineKinds = map[string]bool{"msp": true, "maternity": true, "had": true, "pharmacy": true}

// nearestName names the nearest structure of a kind, singular and agreed,
// for a column header: "Centre de santé médical ou polyvalent le plus
// proche", "Maternité la plus proche".
func nearestName(kind string) string {
	names, ok := shortKind[kind]
	if !ok {
		return "Structure la plus proche (" + diagnostic.KindLabel(kind) + ")"
	}
	one := []rune(names[0])
	name := strings.ToUpper(string(one[:1])) + string(one[1:])
	if feminineKinds[kind] {
		return name + " la plus proche"
	}
	return name + " le plus proche"
}

func nearestKinds(r *diagnostic.Report) []string {
	present := map[string]bool{}
	for _, c := range r.Communes {
		for k := range c.Nearest {
			present[k] = true
		}
	}
	var out []string
	for _, k := range diagnostic.Kinds {
		if present[k.Key] {
			out = append(out, k.Key)
			delete(present, k.Key)
		}
	}
	var extra []string
	for k := range present {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	return append(out, extra...)
}

func writeProfessionals(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetProfessionals, st)
	w.mirrored()
	head := []string{"Profession"}
	if len(r.Professions) > 0 {
		for _, l := range r.Professions[0].Levels {
			name := l.Name
			if l.Kind == "departement" {
				name += " (" + l.Code + ")"
			}
			head = append(head, name+" : libéraux (nb)", name+" : densité (pour 10 000 hab.)")
		}
	}
	w.header(1, head...)
	for i, p := range r.Professions {
		row := i + 2
		w.set(1, row, professionLabel(p), st.text)
		if p.Key == "mg" {
			w.note(1, row, professionGPNote(r))
		}
		for j, l := range p.Levels {
			w.fint(2+2*j, row, l.Count, st.int, nil, "profession")
			w.fnum(3+2*j, row, l.Density, st.dec1, nil, "profession")
		}
	}
	last := len(r.Professions) + 1
	w.noteColumn(len(head)+1, 1, 2, last)
	row := last + 2
	src := "Source : Assurance Maladie, professionnels de santé libéraux au 31 décembre 2023, par département ; densité rapportée à la population municipale (" + popLabel(r) + ")."
	if r.GPFromRPPS {
		src += " Territoire : praticiens à activité libérale de l'extraction RPPS importée (" + r.GPSource + ")."
	}
	w.set(1, row, src, st.subtitle)
	row += 2
	gpHead := row
	w.header(row, "Médecins généralistes : effectif et densité de chaque niveau", "Médecins généralistes (nb)", "Densité (pour 10 000 hab.)", "Source")
	for i, l := range r.Levels {
		w.set(1, row+1+i, levelHeader(l, r.Title), st.text)
		w.fint(2, row+1+i, l.GPs, st.int, l.Gaps, "gps")
		w.fnum(3, row+1+i, l.GPDensity, st.dec1, l.Gaps, "gp_density_per_10000")
		w.set(4, row+1+i, l.GPSource, st.text)
	}
	w.noteColumn(5, gpHead, gpHead+1, gpHead+len(r.Levels))
	w.notesBlock(gpHead + len(r.Levels) + 2)
	widths := []float64{34}
	for range head[1:] {
		widths = append(widths, 18)
	}
	widths = append(widths, 10)
	w.widths(widths...)
	w.table(1, last, len(head)+1)
	if w.err != nil {
		return w.err
	}
	w.rowHeight(1, 45)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}

func writeStructures(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetStructures, st)
	if len(r.Communes) > SummaryThreshold {
		w.streamed()
	} else {
		w.mirrored()
	}
	w.header(1, "Type", "Nom", "FINESS", "Catégorie FINESS", "Code commune", "Commune", "Adresse", "Latitude (°)", "Longitude (°)", "Précisions (SAE)", "Source")
	for i, s := range r.Structures {
		row := i + 2
		w.set(1, row, s.KindLabel, st.text)
		w.set(2, row, s.Name, st.text)
		w.set(3, row, s.Finess, st.text)
		w.set(4, row, s.CategoryLbl, st.text)
		w.set(5, row, s.Commune, st.text)
		w.set(6, row, s.CommuneName, st.text)
		w.set(7, row, s.Address, st.text)
		w.num(8, row, s.Lat, st.coord)
		w.num(9, row, s.Lon, st.coord)
		w.set(10, row, s.Detail, st.text)
		w.set(11, row, s.Source, st.text)
	}
	last := len(r.Structures) + 1
	w.widths(30, 40, 12, 32, 12, 26, 40, 12, 12, 40, 14)
	w.table(1, last, 11)
	row := last + 2
	if len(r.Structures) == 0 {
		w.set(1, row, "Aucune structure des types suivis n'est enregistrée dans le territoire.", st.subtitle)
		row += 2
	}
	// Counts by kind, territory and comparison levels.
	head := []string{"Structures par type (nb)"}
	for _, l := range r.Levels {
		h := levelHeader(l, r.Title)
		if srcs := l.Sources["establishments"]; len(srcs) > 1 {
			h += " (mélange de millésimes)"
		}
		head = append(head, h)
	}
	w.header(row, head...)
	for j, l := range r.Levels {
		if srcs := l.Sources["establishments"]; len(srcs) > 1 {
			w.note(j+2, row, mixedVintages(levelName(l), "les établissements du FINESS", srcs))
		}
	}
	kindsHead := row
	for _, k := range diagnostic.Kinds {
		row++
		w.set(1, row, k.Label, st.text)
		for j, l := range r.Levels {
			w.fint(j+2, row, l.Structures[k.Key], st.int, l.Gaps, "structures."+k.Key)
		}
	}
	w.noteColumn(len(r.Levels)+2, kindsHead, kindsHead, row)
	row += 2
	if len(r.SAS) > 0 {
		w.set(1, row, "Service d'accès aux soins (SAS)", st.bold)
		row++
		w.header(row, "Département", "Dispositif", "État", "Précisions", "Date")
		for _, sas := range r.SAS {
			row++
			w.set(1, row, sas.Dep, st.text)
			w.set(2, row, sas.Dispositif, st.text)
			w.set(3, row, sas.Status, st.text)
			w.set(4, row, sas.Detail, st.text)
			w.set(5, row, sas.Date, st.text)
		}
		row += 2
	}
	w.notesBlock(row)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}

func writeAccess(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetAccess, st)
	w.mirrored()
	low, mid := Num(r.Thresholds.Low, 1), Num(r.Thresholds.Middle, 0)
	w.header(1, "Niveau", "APL 2023 (consultations/an/hab.)", "APL 2022 (consultations/an/hab.)", "Population en commune d'APL ≤ "+low+" (%)",
		"Population en commune d'APL de "+low+" à "+mid+" (%)", "Population en commune d'APL > "+mid+" (%)", popHeader(r),
		"APL 2023 aux "+gpUnder65+" (consultations/an/hab.)", "Part de l'APL 2023 assurée par les "+gp65+" (%)",
		"Sans les "+gp65+" : population en commune d'APL ≤ "+low+" (%)",
		"Sans les "+gp65+" : population en commune d'APL de "+low+" à "+mid+" (%)",
		"Sans les "+gp65+" : population en commune d'APL > "+mid+" (%)")
	for i, l := range r.Levels {
		row := i + 2
		g := l.Gaps
		w.set(1, row, levelHeader(l, r.Title), st.text)
		w.fnum(2, row, l.APL2023, st.aplStyle(r.Thresholds, l.APL2023), g, "apl_2023")
		w.fnum(3, row, l.APL2022, st.aplStyle(r.Thresholds, l.APL2022), g, "apl_2022")
		w.fnum(4, row, l.ShareLow, st.pct, g, "share_apl_low")
		w.fnum(5, row, l.ShareMiddle, st.pct, g, "share_apl_middle")
		w.fnum(6, row, l.ShareHigh, st.pct, g, "share_apl_high")
		w.set(7, row, l.Population, st.int)
		w.fnum(8, row, l.APLUnder65_2023, st.aplStyle(r.Thresholds, l.APLUnder65_2023), g, "apl_under65_2023")
		w.fnum(9, row, l.ShareFrom65Plus, st.pct, g, "share_from_65_plus")
		w.fnum(10, row, l.ShareLowUnder65, st.pct, g, "share_apl_low_under65")
		w.fnum(11, row, l.ShareMiddleUnder65, st.pct, g, "share_apl_middle_under65")
		w.fnum(12, row, shareHighUnder65(l.Figures), st.pct, g, "share_apl_high_under65")
	}
	last := len(r.Levels) + 1
	w.noteColumn(13, 1, 2, last)
	w.aplColors(2, 2, 2, last, r.Thresholds)
	w.aplColors(3, 2, 3, last, r.Thresholds)
	w.aplColors(8, 2, 8, last, r.Thresholds)
	row := last + 2
	w.set(1, row, "Temps d'accès à la structure la plus proche", st.bold)
	row++
	if len(r.Access) == 0 {
		w.set(1, row, "Temps d'accès : non calculé pour ce rapport.", st.subtitle)
	} else {
		w.header(row, "Structure", "Temps moyen pondéré (min)", "Population à plus de 15 min (%)", "Population à plus de 20 min (%)", "Population à plus de 30 min (%)")
		for i, a := range r.Access {
			rr := row + 1 + i
			w.set(1, rr, a.Label, st.text)
			w.set(2, rr, a.MeanMinutes, st.dec1)
			w.set(3, rr, a.Beyond15, st.pct)
			w.set(4, rr, a.Beyond20, st.pct)
			w.set(5, rr, a.Beyond30, st.pct)
		}
	}
	row += len(r.Access) + 2
	w.set(1, row, "Seuils : "+low+" et "+mid+" consultations par an et par habitant, "+r.Thresholds.Text+".", st.subtitle)
	w.set(1, row+1, allAgesNote(r), st.subtitle)
	w.notesBlock(row + 3)
	w.widths(40, 18, 18, 20, 20, 20, 18, 20, 20, 20, 20, 20, 10)
	w.table(1, last, 13)
	if w.err != nil {
		return w.err
	}
	w.rowHeight(1, 45)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}

func writeReferences(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetReferences, st)
	w.mirrored()
	inds := indicators(r)
	head := []string{"Niveau", "Type", "Code"}
	for _, ind := range inds {
		head = append(head, ind.label)
	}
	for _, k := range diagnostic.Kinds {
		head = append(head, k.Label+" (nb)")
	}
	w.header(1, head...)
	kinds := map[string]string{"territory": "territoire", "departement": "département", "region": "région", "france": "France"}
	for i, l := range r.Levels {
		row := i + 2
		w.set(1, row, levelHeader(l, r.Title), st.text)
		w.set(2, row, kinds[l.Kind], st.text)
		w.set(3, row, l.Code, st.text)
		for j, ind := range inds {
			v := ind.value(l.Figures)
			w.fnum(4+j, row, v, ind.style(st, v), l.Gaps, ind.field)
		}
		for j, k := range diagnostic.Kinds {
			w.fint(4+len(inds)+j, row, l.Structures[k.Key], st.int, l.Gaps, "structures."+k.Key)
		}
	}
	last := len(r.Levels) + 1
	w.noteColumn(len(head)+1, 1, 2, last)
	row := last + 2
	w.set(1, row, "Seuils d'APL", st.bold)
	w.set(1, row+1, "Seuil bas (consultations/an/hab.)", st.text)
	w.set(2, row+1, r.Thresholds.Low, st.dec2)
	w.set(1, row+2, "Seuil haut (consultations/an/hab.)", st.text)
	w.set(2, row+2, r.Thresholds.Middle, st.dec2)
	w.set(1, row+3, "Texte", st.text)
	w.set(2, row+3, r.Thresholds.Text, st.text)
	w.notesBlock(row + 5)
	widths := []float64{34, 13, 8}
	for range head[3:] {
		widths = append(widths, 16)
	}
	widths = append(widths, 10)
	w.widths(widths...)
	w.table(1, last, len(head)+1)
	for j, ind := range inds {
		switch ind.field {
		case "apl_2023", "apl_2022", "apl_under65_2023", "apl_under65_2022":
			w.aplColors(4+j, 2, 4+j, last, r.Thresholds)
		}
	}
	if w.err != nil {
		return w.err
	}
	w.rowHeight(1, 75)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}

func writeSources(f *excelize.File, st *styles, r *diagnostic.Report) error {
	w := newSheet(f, SheetSources, st)
	w.mirrored()
	w.header(1, "Données", "Table", "Producteur", "Source", "Millésime", "Licence", "Lignes (nb)", "Fichiers")
	for i, s := range r.Sources {
		row := i + 2
		w.set(1, row, s.Title, st.wrap)
		w.set(2, row, s.Name, st.text)
		w.set(3, row, s.Publisher, st.wrap)
		w.set(4, row, s.Source, st.wrap)
		w.set(5, row, s.Vintage, st.wrap)
		w.set(6, row, s.Licence, st.wrap)
		w.set(7, row, s.Rows, st.int)
		w.set(8, row, strings.Join(s.Files, ", "), st.wrap)
	}
	last := len(r.Sources) + 1
	row := last + 2
	w.set(1, row, "Limites", st.bold)
	for i, l := range r.Limits {
		w.set(1, row+1+i, l, st.text)
	}
	row += len(r.Limits) + 2
	w.set(1, row, "Médecins généralistes de 65 ans et plus : "+method65(), st.text)
	row += 2
	w.set(1, row, "Territoire demandé : "+strings.Join(r.Territory.Items, ", "), st.subtitle)
	for i, remark := range r.Territory.Remarks {
		w.set(1, row+1+i, remark, st.subtitle)
	}
	row += len(r.Territory.Remarks) + 2
	// Which source and vintage each level uses, per table.
	w.set(1, row, "Sources utilisées par chaque niveau de comparaison", st.bold)
	row++
	w.header(row, "Niveau", "Table", "Sources et millésimes", "Mélange de millésimes")
	for _, ls := range levelSources(r) {
		for _, it := range ls.Items {
			row++
			w.set(1, row, ls.Name, st.text)
			w.set(2, row, it.Title, st.wrap)
			w.set(3, row, it.Sources, st.wrap)
			if it.Mixed {
				w.set(4, row, "oui : comparer avec prudence", st.bold)
			}
		}
	}
	w.widths(40, 14, 24, 40, 26, 28, 12, 40)
	w.table(1, last, 8)
	w.printSetup(printOptions{title: r.Title})
	return w.flush()
}
