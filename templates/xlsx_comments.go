package templates

import (
	"encoding/xml"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// The cell comments of a mirrored sheet are written by the functions
// below, not one by one by excelize: excelize encodes each comment's VML
// shape with encoding/xml when it is added, and every comment again when
// the workbook is written. A batch's 119 workbooks hold about 108
// comments each, and that was about 18 % of the batch's CPU time.
//
// The first comment of a sheet is still added by excelize, so that it
// sets up what a sheet with comments needs (the relationships, the
// legacy drawing element, the content types). The sheet's two comment
// parts, xl/commentsN.xml and xl/drawings/vmlDrawingN.vml, are then
// written whole from the comments kept here, in place of excelize's
// (stableZip.Create). They are the bytes excelize writes for the same
// comments: TestXLSXPartsAsExcelize compares both ways on real
// reports, part by part.

// A cellComment is a note's comment on a cell, with the anchor of its box.
type cellComment struct {
	ref    string
	col    int
	row    int
	text   string
	anchor string
}

// sheetComments are the comments of a mirrored sheet.
type sheetComments struct {
	list         []cellComment
	cells        map[string]bool
	commentsPart string // xl/commentsN.xml
	vmlPart      string // xl/drawings/vmlDrawingN.vml
	sheetID      int    // the shapes' ids are sheetID*1024 + 1, + 2, ...
	font         string // the workbook's default font, the comments' font
}

// Comment box size, in pixels, of every note.
const (
	commentWidth  = 320
	commentHeight = 110
	commentAuthor = "diagsante"
)

// comment attaches a comment with text to a cell of a mirrored sheet.
func (w *sheet) comment(col, row int, text string) error {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	// As excelize: at most 32,767 UTF-16 units.
	text = truncateUTF16(text, excelize.TotalCellChars)
	if w.cm == nil {
		before := slices.Collect(maps.Keys(w.f.Comments))
		if err := w.f.AddComment(w.name, noteComment(ref, text)); err != nil {
			return err
		}
		cm := &sheetComments{cells: map[string]bool{}}
		for path := range w.f.Comments {
			if !slices.Contains(before, path) {
				cm.commentsPart = path
			}
		}
		n, ok := partNumber(cm.commentsPart, "xl/comments", ".xml")
		if !ok {
			return fmt.Errorf("sheet %s: no comments part after its first comment", w.name)
		}
		cm.vmlPart = "xl/drawings/vmlDrawing" + strconv.Itoa(n) + ".vml"
		vml := w.f.VMLDrawing[cm.vmlPart]
		if vml == nil || vml.ShapeLayout == nil || vml.ShapeLayout.IDmap == nil {
			return fmt.Errorf("sheet %s: no VML drawing %s after its first comment", w.name, cm.vmlPart)
		}
		cm.sheetID = vml.ShapeLayout.IDmap.Data
		if cm.font, err = w.f.GetDefaultFont(); err != nil {
			return err
		}
		w.cm = cm
	} else if w.cm.cells[ref] {
		return fmt.Errorf("sheet %s: a second comment on cell %s", w.name, ref)
	}
	anchor, err := w.commentAnchor(col, row)
	if err != nil {
		return err
	}
	w.cm.cells[ref] = true
	w.cm.list = append(w.cm.list, cellComment{ref: ref, col: col, row: row, text: text, anchor: anchor})
	return nil
}

// noteComment is the comment excelize adds for a note.
func noteComment(ref, text string) excelize.Comment {
	return excelize.Comment{Cell: ref, Author: commentAuthor, Width: commentWidth, Height: commentHeight,
		Paragraph: []excelize.RichTextRun{{Text: text}}}
}

// partNumber reads N in prefix + N + suffix.
func partNumber(name, prefix, suffix string) (int, bool) {
	if len(name) <= len(prefix)+len(suffix) || name[:len(prefix)] != prefix || name[len(name)-len(suffix):] != suffix {
		return 0, false
	}
	n, err := strconv.Atoi(name[len(prefix) : len(name)-len(suffix)])
	return n, err == nil && n > 0
}

// truncateUTF16 cuts s after at most n UTF-16 units, on a rune boundary.
func truncateUTF16(s string, n int) string {
	if len(s) <= n { // a rune takes at least as many bytes as UTF-16 units
		return s
	}
	units := 0
	for i, r := range s {
		if units += utf16.RuneLen(r); units > n {
			return s[:i]
		}
	}
	return s
}

// commentAnchor is the anchor of the comment box of a cell, as excelize
// computes it when the comment is added: the box, 320 × 110 pixels, starts
// at the cell's top left corner; the anchor names the column and row where
// it ends and the offsets there, from the column widths and row heights
// set on the worksheet so far.
func (w *sheet) commentAnchor(col, row int) (string, error) {
	props, err := w.f.GetSheetProps(w.name)
	if err != nil {
		return "", err
	}
	defCol, defRow := 64, 20           // excelize's defaults, in pixels
	if props.DefaultRowHeight != nil { // the sheet has format properties
		if *props.DefaultRowHeight > 0 {
			defRow = rowPixels(*props.DefaultRowHeight)
		}
		switch {
		case props.DefaultColWidth != nil && *props.DefaultColWidth > 0:
			defCol = colPixels(*props.DefaultColWidth)
		case props.BaseColWidth != nil && *props.BaseColWidth > 0:
			defCol = colPixels(float64(*props.BaseColWidth)) + 5
		}
	}
	colWidth := func(c int) int {
		for _, r := range w.cols { // the first that covers c, as excelize
			if r.min <= c && c <= r.max {
				return colPixels(r.width)
			}
		}
		return defCol
	}
	rowHeight := func(r int) int {
		if h, ok := w.heights[r]; ok {
			return rowPixels(h)
		}
		return defRow
	}
	colEnd, rowEnd, x2, y2 := col-1, row-1, commentWidth, commentHeight
	for px := colWidth(colEnd + 1); x2 >= px && px > 0; px = colWidth(colEnd + 1) {
		colEnd++
		x2 -= px
	}
	for px := rowHeight(rowEnd + 1); y2 >= px && px > 0; px = rowHeight(rowEnd + 1) {
		rowEnd++
		y2 -= px
	}
	return strconv.Itoa(col-1) + ", 23, " + strconv.Itoa(row-1) + ", 0, " + strconv.Itoa(colEnd) + ", " +
		strconv.Itoa(x2) + ", " + strconv.Itoa(rowEnd) + ", " + strconv.Itoa(y2), nil
}

// colPixels and rowPixels convert a column width (characters) and a row
// height (points) to pixels, as excelize does.
func colPixels(width float64) int {
	if width == 0 {
		return 0
	}
	return int(float64(int(width*8 + 0.5)))
}

func rowPixels(height float64) int {
	if height == 0 {
		return 0
	}
	return int(math.Ceil(4.0 / 3.4 * height))
}

// writeCommentParts renders the sheet's comment parts for the zip writer,
// each in one allocation of about its size (a batch renders a hundred
// comments a workbook).
func (w *sheet) writeCommentParts() {
	cm := w.cm
	if cm == nil || w.st.parts == nil {
		return
	}
	const (
		commentsHead = `<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>`
		commentHead  = `<comment ref="`
		commentFont  = `" authorId="0"><text><r><rPr><rFont val="`
		commentText  = `"></rFont><family val="2"></family><color indexed="81"></color><sz val="9"></sz></rPr><t xml:space="preserve">`
		commentEnd   = `</t></r></text></comment>`
		commentsEnd  = `</commentList></comments>`
	)
	n := len(xml.Header) + len(commentsHead) + len(commentAuthor) + 64 + len(commentsEnd)
	for _, c := range cm.list {
		n += len(commentHead) + len(c.ref) + len(commentFont) + len(cm.font) + len(commentText) + len(c.text) + 16 + len(commentEnd)
	}
	b := make([]byte, 0, n)
	b = append(b, xml.Header...)
	b = append(b, commentsHead...)
	b = appendXMLText(b, commentAuthor)
	b = append(b, `</author></authors><commentList>`...)
	for _, c := range cm.list {
		b = append(b, commentHead...)
		b = appendXMLText(b, c.ref)
		b = append(b, commentFont...)
		b = appendXMLText(b, cm.font)
		b = append(b, commentText...)
		b = appendXMLText(b, c.text)
		b = append(b, commentEnd...)
	}
	b = append(b, commentsEnd...)
	w.st.parts[cm.commentsPart] = b

	const (
		vmlHead  = `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns:mv="http://macVmlSchemaUri"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="`
		vmlType  = `"></o:idmap></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m0,0l0,21600,21600,21600,21600,0xe"><v:stroke joinstyle="miter"></v:stroke><v:path gradientshapeok="t" o:connecttype="rect"></v:path></v:shapetype>`
		shapeID  = `<v:shape id="_x0000_s`
		shapeBox = `" type="#_x0000_t202" style="position:absolute;73.5pt;width:108pt;height:59.25pt;z-index:1;visibility:hidden" fillcolor="#FBF6D6" strokecolor="#EDEAA1"><v:fill angle="-180" color2="#FBFE82" type="gradient"><o:fill v:ext="view" type="gradientUnscaled"></o:fill></v:fill><v:shadow on="t" color="black" obscured="t"></v:shadow><v:path o:connecttype="none"></v:path><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells></x:MoveWithCells><x:SizeWithCells></x:SizeWithCells><x:Anchor>`
		shapeRow = `</x:Anchor><x:AutoFill>True</x:AutoFill><x:Row>`
		shapeCol = `</x:Row><x:Column>`
		shapeEnd = `</x:Column></x:ClientData></v:shape>`
	)
	n = len(vmlHead) + 20 + len(vmlType) + len(`</xml>`)
	for _, c := range cm.list {
		n += len(shapeID) + 20 + len(shapeBox) + len(c.anchor) + len(shapeRow) + 20 + len(shapeCol) + 20 + len(shapeEnd)
	}
	b = make([]byte, 0, n)
	b = append(b, vmlHead...)
	b = strconv.AppendInt(b, int64(cm.sheetID), 10)
	b = append(b, vmlType...)
	for i, c := range cm.list {
		b = append(b, shapeID...)
		b = strconv.AppendInt(b, int64(cm.sheetID*1024+i+1), 10)
		b = append(b, shapeBox...)
		b = append(b, c.anchor...)
		b = append(b, shapeRow...)
		b = strconv.AppendInt(b, int64(c.row-1), 10)
		b = append(b, shapeCol...)
		b = strconv.AppendInt(b, int64(c.col-1), 10)
		b = append(b, shapeEnd...)
	}
	b = append(b, `</xml>`...)
	w.st.parts[cm.vmlPart] = b
}
