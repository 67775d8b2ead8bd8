package templates

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Print setup of the workbook: every sheet prints on A4, in the
// orientation its width calls for, as wide as the page (or as a few pages
// wide when one page would shrink it below legibility), with its header
// row repeated on every page and the territory and page number in the
// footer. The Synthèse prints on one page when that stays legible.
//
// Neither Excel nor LibreOffice sizes a row to fit wrapped text in merged
// cells, and text overflowing past the last printed column is cut: so the
// long free-text cells (notes, levers, sentences) are wrapped over the
// width of the table, and their rows get a height estimated from the text.
// The estimate errs on the tall side: a little white space, never a line
// cut off.

// Page geometry, in points: A4 and the margins set below.
const (
	a4Width, a4Height = 595.3, 841.9
	marginSide        = 0.5  // inches, left and right
	marginTopBottom   = 0.75 // inches, room for the header and footer
	marginHeader      = 0.3  // inches
	// minScale is the smallest print scale kept legible: 11-point text
	// prints at about 5 points.
	minScale = 0.45
	// defaultColWidth is Excel's width of a column without a width set.
	defaultColWidth = 8.43
	// lineHeight is the height of one line of 11-point text; wrapped
	// rows get one per line, plus padding.
	lineHeight = 15.0
	// fontSlack is the share of a cell's width the height of its wrapped
	// text is estimated for: LibreOffice without Calibri (DejaVu Sans, on
	// Debian) sets some texts wider than the estimate, and a merged line
	// estimated to fit ran past the page edge (the "sources datent"
	// line of dep:93), a wrapped cell lost its last line. A text that
	// nearly fills its width gets a second line: white space in Excel,
	// nothing cut anywhere.
	fontSlack = 0.88
)

// printableWidth and printableHeight are the room on an A4 page inside the
// margins, in points.
func printableWidth(landscape bool) float64 {
	if landscape {
		return a4Height - 2*72*marginSide
	}
	return a4Width - 2*72*marginSide
}

func printableHeight(landscape bool) float64 {
	if landscape {
		return a4Width - 2*72*marginTopBottom
	}
	return a4Height - 2*72*marginTopBottom
}

// colPoints is the printed width of a column of width w (Excel's unit, the
// width of a digit), in points.
func colPoints(w float64) float64 { return (w*7 + 5) * 0.75 }

// textCell is a string cell remembered for the print setup.
type textCell struct {
	col, row, style int
	text            string
}

// track remembers what set writes that the print setup needs: the extent
// of the sheet, the last column used in each row, and the long texts.
func (w *sheet) track(col, row int, v any, style int) {
	if w.lastCol == nil {
		w.lastCol = map[int]int{}
	}
	w.maxRow, w.maxCol = max(w.maxRow, row), max(w.maxCol, col)
	w.lastCol[row] = max(w.lastCol[row], col)
	if s, ok := v.(string); ok && utf8.RuneCountInString(s) > 10 {
		w.texts = append(w.texts, textCell{col: col, row: row, style: style, text: s})
	}
}

// colWidth is the width set on column col (1-based).
func (w *sheet) colWidth(col int) float64 {
	if col-1 < len(w.widthsOf) {
		return w.widthsOf[col-1]
	}
	return defaultColWidth
}

// span is the printed width of columns from..to, in points.
func (w *sheet) span(from, to int) float64 {
	var pt float64
	for c := from; c <= to; c++ {
		pt += colPoints(w.colWidth(c))
	}
	return pt
}

// runePx is the width of a character of 11-point text, in pixels: a
// little over Calibri's, so that a wider substitute font (LibreOffice
// without Calibri) still fits. Capitals are wide: a FINESS name in
// capitals takes a third more room than the same name in lower case.
func runePx(r rune) float64 {
	switch {
	case r == ' ':
		return 3.4
	case unicode.IsUpper(r):
		return 8.2
	case unicode.IsDigit(r):
		return 7
	case unicode.IsLetter(r):
		return 6
	default:
		return 5
	}
}

// lines estimates how many lines text takes when wrapped in width points.
func lines(text string, width float64, bold bool) int {
	return measure(text, bold).lines(width)
}

// A measuredText is a text cut into paragraphs of words, with the width
// of each word and of a space in pixels: measured once, its lines in any
// width are counted without reading the text again (the print setup tries
// several widths per text).
type measuredText struct {
	paras [][]float64 // per paragraph, the width of each word
	space float64
}

func measure(text string, bold bool) measuredText {
	scale := 1.0
	if bold {
		scale = 1.08
	}
	m := measuredText{space: runePx(' ') * scale}
	// As strings.Split(text, "\n") then strings.Fields of each part, the
	// width of each word summed rune by rune (runePx), without the
	// allocations: a batch measures every text of 119 workbooks.
	var words []float64
	wl, in := 0.0, false
	for _, r := range text {
		if r == '\n' || unicode.IsSpace(r) {
			if in {
				words = append(words, wl)
				wl, in = 0, false
			}
			if r == '\n' {
				m.paras = append(m.paras, words)
				words = nil
			}
			continue
		}
		in = true
		if r < utf8.RuneSelf {
			wl += asciiPx[r] * scale
		} else {
			wl += runePx(r) * scale
		}
	}
	if in {
		words = append(words, wl)
	}
	m.paras = append(m.paras, words)
	return m
}

// measuredTexts are the texts the print setups of this process measured,
// by weight (bold or not) and text, up to measuredMax of each: the
// workbooks of a batch hold mostly the same texts (headers, notes,
// sources), and a look-up reads a text much faster than measure does.
// A measuredText is never modified once measured.
var measuredTexts = struct {
	sync.RWMutex
	m [2]map[string]measuredText
}{m: [2]map[string]measuredText{{}, {}}}

const measuredMax = 1 << 15

// measureShared is measure, through measuredTexts.
func measureShared(text string, bold bool) measuredText {
	b := 0
	if bold {
		b = 1
	}
	measuredTexts.RLock()
	m, ok := measuredTexts.m[b][text]
	measuredTexts.RUnlock()
	if ok {
		return m
	}
	m = measure(text, bold)
	measuredTexts.Lock()
	if len(measuredTexts.m[b]) < measuredMax {
		measuredTexts.m[b][text] = m
	}
	measuredTexts.Unlock()
	return m
}

// asciiPx is runePx of the ASCII characters.
var asciiPx = func() (t [utf8.RuneSelf]float64) {
	for r := range t {
		t[r] = runePx(rune(r))
	}
	return t
}()

// lines counts the lines of the text wrapped in width points.
func (m measuredText) lines(width float64) int {
	room := math.Max(width/0.75-8, 30) // the cell's padding
	n := 0
	for _, words := range m.paras {
		// Words are not cut: count line by line.
		used, l := 0.0, 1
		for _, wl := range words {
			switch {
			case used == 0:
				used = wl
			case used+m.space+wl <= room:
				used += m.space + wl
			default:
				l++
				used = wl
			}
			for used > room { // a word longer than the line
				l++
				used -= room
			}
		}
		n += l
	}
	return n
}

// printOptions say how a sheet prints.
type printOptions struct {
	title string // territory, for the header and footer
	// onePage fits the sheet on one page when that stays legible.
	onePage bool
	// minWidth is the least width to print, in points: the charts of the
	// Indicateurs sheet reach past its table.
	minWidth float64
	// noTitles leaves out the print titles (the frozen header row) of a
	// sheet whose rows after its table (charts, points d'attention,
	// leviers) are not under that header.
	noTitles bool
}

// printSetup wraps the long texts of the sheet and sets its page setup,
// print area and print titles. It is called once the cells are written,
// before flush for a streamed sheet (the stream writer takes the page
// setup from the worksheet).
func (w *sheet) printSetup(o printOptions) {
	if w.err != nil || w.maxRow == 0 {
		return
	}
	lastCol := w.maxCol
	for w.span(1, lastCol) < o.minWidth {
		lastCol++
	}
	width := w.span(1, lastCol)
	// Orientation: portrait when the sheet fits it at nearly full size,
	// else landscape.
	landscape := width > printableWidth(false)/0.9
	// Pages wide: one, unless that would print below minScale.
	pagesWide := max(1, int(math.Ceil(width*minScale/printableWidth(landscape))))
	// Long texts are merged within what the first page shows.
	mergeTo := lastCol
	if pagesWide > 1 {
		room := printableWidth(landscape) / minScale
		for mergeTo > 1 && w.span(1, mergeTo) > room {
			mergeTo--
		}
	}
	plan := w.planWrap(lastCol, mergeTo)
	fitH := 0
	if o.onePage && pagesWide == 1 {
		// On one page: the free texts may run wider than the table, up
		// to the width that prints largest, in the orientation that
		// prints largest.
		best := 0.0
		for to := lastCol; ; to++ {
			p := plan
			if to > lastCol {
				p = w.planWrap(to, to)
			}
			for _, l := range []bool{false, true} {
				s := math.Min(1, math.Min(printableWidth(l)/p.width, printableHeight(l)/p.height))
				if s > best+1e-9 {
					best, landscape, plan = s, l, p
				}
			}
			if p.width*minScale > printableWidth(true) {
				break
			}
		}
		if best >= minScale {
			fitH, lastCol = 1, plan.lastCol
			w.fitScale = best
		} else {
			// As wide as the page: portrait when that takes fewer pages
			// and prints at a fair size.
			plan = w.planWrap(lastCol, mergeTo)
			sp := math.Min(1, printableWidth(false)/width)
			sl := math.Min(1, printableWidth(true)/width)
			pp := math.Ceil(plan.height * sp / printableHeight(false))
			pl := math.Ceil(plan.height * sl / printableHeight(true))
			landscape = !(sp >= 0.6 && pp <= pl)
		}
	}
	w.applyWrap(plan)
	if w.err != nil {
		return
	}
	orientation := "portrait"
	if landscape {
		orientation = "landscape"
	}
	// The print titles are the frozen header row. Not on a one-page
	// sheet (the Synthèse), nor where o.noTitles says the rows after the
	// table are not under that header.
	hdr := 0
	if p, err := w.f.GetPanes(w.name); err == nil && p.Freeze && !o.onePage && !o.noTitles {
		hdr = p.YSplit
	}
	if err := w.f.SetPageLayout(w.name, &excelize.PageLayoutOptions{Size: intPtr(9), Orientation: &orientation,
		FitToWidth: intPtr(pagesWide), FitToHeight: intPtr(fitH)}); err != nil {
		w.err = err
		return
	}
	if err := w.f.SetSheetProps(w.name, &excelize.SheetPropsOptions{FitToPage: boolPtr(true)}); err != nil {
		w.err = err
		return
	}
	side, tb, hf := marginSide, marginTopBottom, marginHeader
	if err := w.f.SetPageMargins(w.name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side, Top: &tb, Bottom: &tb,
		Header: &hf, Footer: &hf, Horizontally: boolPtr(pagesWide == 1 && fitH == 1)}); err != nil {
		w.err = err
		return
	}
	if err := w.f.SetHeaderFooter(w.name, headerFooter(o.title, w.name)); err != nil {
		w.err = err
		return
	}
	q := quoteSheet(w.name)
	last, _ := excelize.CoordinatesToCellName(lastCol, w.maxRow, true)
	if err := w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: q + "!$A$1:" + last, Scope: w.name}); err != nil {
		w.err = err
		return
	}
	if hdr > 0 {
		titles := q + "!$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr)
		if pagesWide > 1 {
			// Several pages wide: the first column (code and name of
			// the commune, level) on every page too.
			cols := 1
			if w.name == SheetCommunes {
				cols = 2
			}
			c, _ := excelize.ColumnNumberToName(cols)
			titles = q + "!$A:$" + c + "," + titles
		}
		w.err = w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: titles, Scope: w.name})
	}
}

// headerFooter is the page header (report and sheet) and footer
// (territory, page number of the sheet) of every sheet.
func headerFooter(title, sheetName string) *excelize.HeaderFooterOptions {
	t := []rune(title)
	if len(t) > 90 { // a header section holds 255 characters in all
		t = append(t[:89], '…')
	}
	esc := strings.ReplaceAll(string(t), "&", "&&")
	return &excelize.HeaderFooterOptions{
		OddHeader: "&L&9Diagnostic territorial d'accès aux soins&R&9" + strings.ReplaceAll(sheetName, "&", "&&"),
		OddFooter: "&L&9" + esc + "&R&9Page &P / &N",
	}
}

// A wrapPlan is how the long texts of a sheet wrap when it prints
// columns 1 to lastCol: the cells to merge (up to column mergeTo) and
// wrap, the height each row needs, and the height of the sheet.
type wrapPlan struct {
	lastCol int        // the last column printed
	mergeTo int        // the last column of the merges
	merge   []textCell // merged from col to mergeTo
	wrap    []textCell
	need    map[int]float64 // row → height its wrapped texts need
	height  float64         // of the whole sheet, in points
	width   float64         // of columns 1 to lastCol, in points
}

// planWrap plans the wrapping of the long texts that the printed width
// would cut. A text alone at the end of its row that runs past its cell
// is merged with the empty cells after it up to column mergeTo; a text
// longer than its cell, clipped by its neighbour or by the page edge, is
// wrapped in its cell.
func (w *sheet) planWrap(lastCol, mergeTo int) wrapPlan {
	p := wrapPlan{lastCol: lastCol, mergeTo: mergeTo, need: map[int]float64{}, width: w.span(1, lastCol)}
	type info struct{ bold, wraps bool }
	infos := map[int]info{} // style → what it does, looked up once

	needs := func(row int, h float64) {
		if h > p.need[row] {
			p.need[row] = h
		}
	}
	for i, t := range w.texts {
		if t.col > lastCol {
			continue
		}
		in, ok := infos[t.style]
		if !ok {
			in.bold, in.wraps = w.styleInfo(t.style)
			infos[t.style] = in
		}
		bold, wraps := in.bold, in.wraps
		if t.style == w.st.header {
			bold = true
		}
		if len(w.measured) < len(w.texts) {
			w.measured = append(w.measured, make([]measuredText, len(w.texts)-len(w.measured))...)
		}
		m := w.measured[i]
		if m.paras == nil { // not measured yet (measure makes one paragraph at least)
			m = measureShared(t.text, bold)
			w.measured[i] = m
		}
		one := w.span(t.col, t.col)
		switch {
		case t.style == w.st.header:
			// Header rows keep the heights their writers set.
			if w.rowHeightOf(t.row) == 0 {
				needs(t.row, float64(m.lines(one))*lineHeight+4)
			}
		case wraps:
			needs(t.row, float64(m.lines(one*fontSlack))*lineHeight+2)
		case w.lastCol[t.row] == t.col && t.col < mergeTo:
			// Merged as soon as it runs past its cell: the row may be
			// made taller by another cell, and wrap it.
			if m.lines(one) > 1 || strings.Contains(t.text, "\n") {
				p.merge = append(p.merge, t)
				needs(t.row, float64(m.lines(w.span(t.col, mergeTo)*fontSlack))*lineHeight+2)
			}
		default:
			if n := m.lines(one); n > 1 {
				p.wrap = append(p.wrap, t)
				needs(t.row, float64(n)*lineHeight+2)
			}
		}
	}
	for row := 1; row <= w.maxRow; row++ {
		h := w.rowHeightOf(row)
		if n := p.need[row]; n > h {
			h = n
		}
		if h == 0 {
			h = lineHeight
		}
		p.height += h
	}
	return p
}

// applyWrap merges, wraps and sets the row heights of a plan. Every cell
// of a row made taller is aligned at the top, its texts wrapped.
func (w *sheet) applyWrap(p wrapPlan) {
	restyle := func(col, row, style int, wrap bool) {
		if style == w.st.header || w.err != nil {
			return
		}
		k := styleVariant{style, wrap}
		v, ok := w.st.variants[k]
		if !ok {
			v = w.topStyle(style, wrap)
			if w.err != nil {
				return
			}
			w.st.variants[k] = v
		}
		w.restyle(col, row, v)
	}
	for _, t := range p.merge {
		from, _ := excelize.CoordinatesToCellName(t.col, t.row)
		to, _ := excelize.CoordinatesToCellName(p.mergeTo, t.row)
		w.merge(from, to)
	}
	var tall []int
	for row, h := range p.need {
		if h > lineHeight+2 && h > w.rowHeightOf(row) {
			tall = append(tall, row)
		}
	}
	sort.Ints(tall)
	isTall := map[int]bool{}
	for _, row := range tall {
		isTall[row] = true
		for col := 1; col <= w.lastCol[row]; col++ {
			if style, ok := w.styleAt(col, row); ok {
				restyle(col, row, style, false)
			}
		}
	}
	for _, t := range w.texts {
		if isTall[t.row] && t.col <= p.lastCol {
			restyle(t.col, t.row, t.style, true)
		}
	}
	for _, t := range p.wrap {
		if !isTall[t.row] {
			restyle(t.col, t.row, t.style, true)
		}
	}
	for _, row := range tall {
		w.rowHeight(row, math.Min(409, p.need[row]))
	}
}

// styleAt is the style of a written cell; false when the cell is empty.
func (w *sheet) styleAt(col, row int) (int, bool) {
	if !w.memoryLike() {
		if r := w.rows[row]; col-1 < len(r) {
			if c, ok := r[col-1].(excelize.Cell); ok {
				return c.StyleID, true
			}
		}
		return 0, false
	}
	if r := w.marks[row]; col-1 < len(r) && r[col-1].value {
		return r[col-1].style, true
	}
	return 0, false
}

// styleInfo tells whether a style is bold and whether it wraps.
func (w *sheet) styleInfo(id int) (bold, wraps bool) {
	if id == 0 {
		return false, false
	}
	// Looked up once per workbook: excelize's GetStyle rebuilds the whole
	// style, and the print setup plans each sheet, the Synthèse several
	// times.
	if in, ok := w.st.infos[id]; ok {
		return in[0], in[1]
	}
	defer func() { w.st.infos[id] = [2]bool{bold, wraps} }()
	s, err := w.f.GetStyle(id)
	if err != nil || s == nil {
		return false, false
	}
	return s.Font != nil && s.Font.Bold, s.Alignment != nil && s.Alignment.WrapText
}

// topStyle is style id aligned at the top of the cell, its text wrapped
// when wrap is set (a style that wraps keeps wrapping).
func (w *sheet) topStyle(id int, wrap bool) int {
	s := &excelize.Style{}
	if id != 0 {
		if got, err := w.f.GetStyle(id); err == nil && got != nil {
			s = got
		}
	}
	if s.Alignment == nil {
		s.Alignment = &excelize.Alignment{}
	}
	s.Alignment.Vertical = "top"
	s.Alignment.WrapText = s.Alignment.WrapText || wrap
	n, err := w.f.NewStyle(s)
	if err != nil {
		w.err = err
		return id
	}
	w.st.styleLog = strconv.AppendInt(w.st.styleLog, int64(id), 10)
	if wrap {
		w.st.styleLog = append(w.st.styleLog, 'w')
	}
	w.st.styleLog = append(w.st.styleLog, ';')
	return n
}

// restyle sets the style of a written cell.
func (w *sheet) restyle(col, row, style int) {
	if w.err != nil {
		return
	}
	if w.rows != nil {
		if r := w.rows[row]; col-1 < len(r) {
			if c, ok := r[col-1].(excelize.Cell); ok {
				c.StyleID = style
				r[col-1] = c
			}
		}
		if r := w.marks[row]; w.mirror && col-1 < len(r) && r[col-1].set {
			r[col-1].style = style
		}
		return
	}
	cell, _ := excelize.CoordinatesToCellName(col, row)
	w.err = w.f.SetCellStyle(w.name, cell, cell, style)
	if r := w.marks[row]; w.err == nil && col-1 < len(r) && r[col-1].set {
		r[col-1].style = style
	}
}

// merge merges a range of cells.
func (w *sheet) merge(from, to string) {
	if w.err != nil {
		return
	}
	if w.rows != nil {
		w.merges = append(w.merges, [2]string{from, to})
		return
	}
	w.err = w.f.MergeCell(w.name, from, to)
}

// rowHeightOf is the height set on a row, 0 when none.
func (w *sheet) rowHeightOf(row int) float64 {
	h := w.heights[row]
	if w.memoryLike() && h == lineHeight {
		// As excelize's GetRowHeight read: it answers the default
		// height for a row without one.
		return 0
	}
	return h
}
