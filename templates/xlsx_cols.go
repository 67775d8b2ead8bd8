package templates

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// The column widths of a streamed or mirrored sheet without charts are
// not set on the worksheet through excelize: its SetColWidth flattens the
// columns and deep-copies each of them at every call, and that was 7 % of
// the CPU time of writing a commune's workbook. The sheet keeps them as
// excelize would (setColWidth follows excelize's flatCols), and the zip
// writer inserts the <cols> element excelize's stream writer writes, before
// <sheetData>. TestXLSXPartsAsExcelize compares the workbooks of
// both ways byte for byte.
//
// A sheet with charts keeps the widths on its worksheet: excelize anchors
// a chart from them (withCharts).

// A colRange is a <col> element: the columns min to max, of one width.
type colRange struct {
	min, max int
	width    float64
}

// withCharts declares that w will have charts: its column widths are set
// on the worksheet. Called before widths.
func (w *sheet) withCharts() { w.charts = true }

// splicedCols tells whether w's column widths are inserted by the zip
// writer.
func (w *sheet) splicedCols() bool {
	return w.rows != nil && !w.charts && !w.st.viaExcelize
}

// setColWidth sets the width of the columns min to max in cols, as
// excelize's SetColWidth does in a worksheet's columns: the first range
// set is kept whole; after that, every column is listed alone, those just
// set first, then the others in the order they had.
func setColWidth(cols []colRange, min, max int, width float64) []colRange {
	if cols == nil {
		return []colRange{{min, max, width}}
	}
	fc := make([]colRange, 0, max-min+1+len(cols))
	for i := min; i <= max; i++ {
		fc = append(fc, colRange{i, i, width})
	}
	for _, c := range cols {
		for i := c.min; i <= c.max; i++ {
			if i < min || i > max {
				fc = append(fc, colRange{i, i, c.width})
			}
		}
	}
	return fc
}

// registerCols gives the zip writer the <cols> element of w's worksheet.
func (w *sheet) registerCols() error {
	if w.cols == nil {
		return nil
	}
	part, err := w.part()
	if err != nil {
		return err
	}
	w.st.cols[part] = colsElement(w.cols)
	return nil
}

// part is the zip part of w's worksheet (xl/worksheets/sheetN.xml).
func (w *sheet) part() (string, error) {
	id := 0
	for sid, name := range w.f.GetSheetMap() {
		if name == w.name {
			id = sid
		}
	}
	if id == 0 {
		return "", fmt.Errorf("sheet %s: not in the workbook", w.name)
	}
	return "xl/worksheets/sheet" + strconv.Itoa(id) + ".xml", nil
}

// colsElement is the <cols> element excelize's stream writer writes.
func colsElement(cols []colRange) []byte {
	var b bytes.Buffer
	b.WriteString("<cols>")
	for _, c := range cols {
		b.WriteString(`<col min="`)
		b.WriteString(strconv.Itoa(c.min))
		b.WriteString(`" max="`)
		b.WriteString(strconv.Itoa(c.max))
		b.WriteString(`" width="`)
		b.WriteString(strconv.FormatFloat(c.width, 'f', -1, 64))
		b.WriteString(`" customWidth="1"/>`)
	}
	b.WriteString("</cols>")
	return b.Bytes()
}

// insertCols inserts cols before the <sheetData> of a worksheet that has
// no <cols>.
func insertCols(sheetXML, cols []byte) ([]byte, error) {
	i := bytes.Index(sheetXML, []byte("<sheetData>"))
	if i < 0 {
		return nil, errors.New("no <sheetData> to insert the column widths before")
	}
	if bytes.Contains(sheetXML[:i], []byte("<cols>")) {
		return nil, errors.New("the worksheet has column widths already")
	}
	out := make([]byte, 0, len(sheetXML)+len(cols))
	out = append(out, sheetXML[:i]...)
	out = append(out, cols...)
	return append(out, sheetXML[i:]...), nil
}
