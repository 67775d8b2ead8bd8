package templates

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestXLSXPrintSetup reopens the workbook of CC Pays de Nemours and checks
// the print setup of every sheet: A4, fit to the width of one page (or of
// a few for the wide tables), pages tall unlimited, the header row
// repeated, the territory and page number in the footer.
func TestXLSXPrintSetup(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "epci:200023240")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]map[string]string{} // sheet → defined name → refers to
	for _, d := range f.GetDefinedName() {
		if names[d.Scope] == nil {
			names[d.Scope] = map[string]string{}
		}
		names[d.Scope][d.Name] = d.RefersTo
	}
	for _, sheet := range SheetNames {
		l, err := f.GetPageLayout(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if l.Size == nil || *l.Size != 9 {
			t.Errorf("%s: paper size %v, want 9 (A4)", sheet, l.Size)
		}
		wide := sheet == SheetCommunes || sheet == SheetReferences
		wantOrient, wantWide, wantTall := "landscape", 1, 0
		if sheet == SheetSynthese {
			wantOrient, wantTall = "portrait", 1
		}
		if l.Orientation == nil || *l.Orientation != wantOrient {
			t.Errorf("%s: orientation %v, want %s", sheet, l.Orientation, wantOrient)
		}
		switch {
		case l.FitToWidth == nil || l.FitToHeight == nil:
			t.Errorf("%s: no fit to page", sheet)
		case wide && *l.FitToWidth < 2:
			// 56 and 43 columns on one page would print at 14 and 20 %.
			t.Errorf("%s: fit to %d page wide, want several", sheet, *l.FitToWidth)
		case !wide && *l.FitToWidth != wantWide:
			t.Errorf("%s: fit to %d pages wide, want %d", sheet, *l.FitToWidth, wantWide)
		case *l.FitToHeight != wantTall:
			// The Synthèse on one page; the others as long as they are
			// (the Indicateurs of Nemours, with charts and leviers, would
			// print on one page at a third of its size).
			t.Errorf("%s: fit to %d pages tall, want %d", sheet, *l.FitToHeight, wantTall)
		}
		if p, err := f.GetSheetProps(sheet); err != nil || p.FitToPage == nil || !*p.FitToPage {
			t.Errorf("%s: fitToPage not set: %+v, %v", sheet, p, err)
		}
		m, err := f.GetPageMargins(sheet)
		if err != nil || m.Left == nil || *m.Left != marginSide || m.Footer == nil || *m.Footer != marginHeader {
			t.Errorf("%s: margins %+v, %v", sheet, m, err)
		}
		hf, err := f.GetHeaderFooter(sheet)
		if err != nil || hf == nil {
			t.Fatalf("%s: no header or footer: %v", sheet, err)
		}
		if !strings.Contains(hf.OddFooter, "CC Pays de Nemours") || !strings.Contains(hf.OddFooter, "Page &P / &N") {
			t.Errorf("%s: footer %q lacks the territory or the page number", sheet, hf.OddFooter)
		}
		if !strings.HasSuffix(hf.OddHeader, sheet) {
			t.Errorf("%s: header %q does not name the sheet", sheet, hf.OddHeader)
		}
		if p, err := f.GetPanes(sheet); err != nil || !p.Freeze || p.YSplit < 1 {
			t.Errorf("%s: header row not frozen: %+v, %v", sheet, p, err)
		}
		q := quoteSheet(sheet)
		area := names[sheet]["_xlnm.Print_Area"]
		if !strings.HasPrefix(area, q+"!$A$1:$") {
			t.Errorf("%s: print area %q", sheet, area)
		}
		titles := names[sheet]["_xlnm.Print_Titles"]
		switch {
		case sheet == SheetSynthese || sheet == SheetIndicators:
			if titles != "" {
				t.Errorf("%s: print titles %q, want none: its leviers are not under the indicators' header", sheet, titles)
			}
		case sheet == SheetCommunes:
			if titles != q+"!$A:$B,"+q+"!$1:$1" {
				t.Errorf("Communes: print titles %q, want the code and name columns and the header row", titles)
			}
		case wide:
			if titles != q+"!$A:$A,"+q+"!$1:$1" {
				t.Errorf("%s: print titles %q", sheet, titles)
			}
		default:
			if titles != q+"!$1:$1" {
				t.Errorf("%s: print titles %q, want the header row", sheet, titles)
			}
		}
		// Every cell lies inside the print area.
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		lastCol, lastRow, err := excelize.CellNameToCoordinates(strings.ReplaceAll(area[strings.LastIndex(area, ":")+1:], "$", ""))
		if err != nil {
			t.Fatalf("%s: print area %q: %v", sheet, area, err)
		}
		if len(rows) > lastRow {
			t.Errorf("%s: %d rows, print area ends at row %d", sheet, len(rows), lastRow)
		}
		for i, r := range rows {
			if len(r) > lastCol && strings.TrimSpace(strings.Join(r[lastCol:], "")) != "" {
				t.Errorf("%s: row %d has cells past the print area (column %d)", sheet, i+1, lastCol)
			}
		}
	}

	// The long texts of the Indicateurs wrap over the width of the table: a
	// lever's "Pourquoi" line is merged up to the last printed column and
	// its row is tall enough for its lines.
	merged, err := f.GetMergeCells(SheetIndicators)
	if err != nil {
		t.Fatal(err)
	}
	multi := 0
	for _, m := range merged {
		text := m.GetCellValue()
		if !strings.HasPrefix(text, "Pourquoi : ") {
			continue
		}
		from, row, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
		to, _, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
		width := 0.0
		for c := from; c <= to; c++ {
			w, _ := f.GetColWidth(SheetIndicators, colName(c))
			width += colPoints(w)
		}
		n := lines(text, width, false)
		if n == 1 {
			continue
		}
		multi++
		if h, _ := f.GetRowHeight(SheetIndicators, row); h < float64(n)*lineHeight {
			t.Errorf("Indicateurs %s: %d lines of %q in a row %v pt high", m.GetStartAxis(), n, text, h)
		}
		style, _ := f.GetCellStyle(SheetIndicators, m.GetStartAxis())
		if s, _ := f.GetStyle(style); s == nil || s.Alignment == nil || !s.Alignment.WrapText || s.Alignment.Vertical != "top" {
			t.Errorf("Indicateurs %s: text not wrapped at the top", m.GetStartAxis())
		}
	}
	if multi < 2 {
		t.Errorf("Indicateurs: %d merged \"Pourquoi\" lines of several lines among %d merges, want the leviers' (at least 2)", multi, len(merged))
	}
}

func colName(c int) string {
	n, _ := excelize.ColumnNumberToName(c)
	return n
}

// TestXLSXHeaderFooterEscapes: an ampersand in a territory's name is not
// read as a header code, and a long name keeps the header under Excel's
// 255 characters.
func TestXLSXHeaderFooterEscapes(t *testing.T) {
	hf := headerFooter("Saint-Pierre & Miquelon", SheetSynthese)
	if !strings.Contains(hf.OddFooter, "Saint-Pierre && Miquelon") {
		t.Errorf("footer %q", hf.OddFooter)
	}
	long := headerFooter(strings.Repeat("Communauté de communes ", 20), SheetSources)
	if n := len([]rune(long.OddFooter)); n > 255 {
		t.Errorf("footer of %d characters", n)
	}
	if !strings.Contains(long.OddFooter, "…&R&9Page &P / &N") {
		t.Errorf("long footer %q", long.OddFooter)
	}
}

// TestLinesEstimate: the row heights come from this count of wrapped lines.
func TestLinesEstimate(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"Communes (nb)", 100, 1},
		{strings.Repeat("mot ", 30), colPoints(18), 6}, // 5 words a line
		{strings.Repeat("mot ", 30), colPoints(100), 1},
		{strings.Repeat("mot ", 40), colPoints(100), 2},
		{"Centre de santé Salvador Allende", colPoints(30), 1},
		{"CENTRE DE SANTE SALVADOR ALLENDE", colPoints(30), 2}, // capitals are wider
		{"un\ndeux\ntrois", colPoints(50), 3},                  // line breaks kept
		{strings.Repeat("x", 40), colPoints(10), 4},            // a long word is cut
	} {
		if got := lines(c.text, c.width, false); got != c.want {
			t.Errorf("lines(%.20q, %.0f) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
}

// linesRuneByRune is the estimate as first written (split, fields, a
// sum of runePx per word): measure must count the same lines.
func linesRuneByRune(text string, width float64, bold bool) int {
	scale := 1.0
	if bold {
		scale = 1.08
	}
	room := math.Max(width/0.75-8, 30)
	n := 0
	for _, para := range strings.Split(text, "\n") {
		used, l := 0.0, 1
		for _, word := range strings.Fields(para) {
			wl := 0.0
			for _, r := range word {
				wl += runePx(r) * scale
			}
			space := runePx(' ') * scale
			switch {
			case used == 0:
				used = wl
			case used+space+wl <= room:
				used += space + wl
			default:
				l++
				used = wl
			}
			for used > room {
				l++
				used -= room
			}
		}
		n += l
	}
	return n
}

// TestMeasureLines: the measured words give the lines of the rune-by-rune
// count, at every width and weight, for texts with accents, capitals,
// no-break spaces, tabs, blank lines and invalid UTF-8.
func TestMeasureLines(t *testing.T) {
	texts := []string{
		"", "\n", "a\n\nb", "  deux  espaces  ", "Temps d'accès moyen aux urgences : 23\u00a0min ; 4,2 % à plus de 30\u00a0minutes.",
		"CENTRE HOSPITALIER INTERCOMMUNAL\tDE TOULON LA SEYNE-SUR-MER", "Note 1 : donnée manquante\r\nà vérifier",
		strings.Repeat("x", 90) + " fin", "bad \xff\xfe bytes", "Évolution 2022 → 2023 de la part assurée par les médecins de 65 ans et plus (points)",
	}
	r, _ := testReport(t, "epci:200023240")
	for _, s := range r.Limits {
		texts = append(texts, s)
	}
	for _, l := range r.Levers {
		texts = append(texts, l.Title, l.What)
	}
	n := 0
	for _, text := range texts {
		for _, bold := range []bool{false, true} {
			m := measure(text, bold)
			for w := 20.0; w < 900; w += 7.3 {
				if got, want := m.lines(w), linesRuneByRune(text, w, bold); got != want {
					t.Errorf("measure(%.30q, %v).lines(%.1f) = %d, want %d", text, bold, w, got, want)
				}
				n++
			}
		}
	}
	if len(texts) < 20 {
		t.Fatalf("%d texts only", len(texts))
	}
}

// TestXLSXPrintsInLibreOffice prints the workbook with LibreOffice and
// counts the pages of each sheet (the page header names the sheet): the
// Synthèse of Nemours prints on one page, its Indicateurs (charts, leviers
// with their reasons) on a few pages as wide as the page, a sheet laid
// out to fit on one page prints on exactly one, and every page has the
// territory and its number in the footer.
func TestXLSXPrintsInLibreOffice(t *testing.T) {
	bin := libreOffice(t, "the workbook must print as laid out")
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			needTool(t, tool, "counts the printed pages")
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	toPDF := func(name string, b []byte) string {
		t.Helper()
		xlsx := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(xlsx, b, 0o644); err != nil {
			t.Fatal(err)
		}
		runLibreOffice(t, bin, dir, "--convert-to", "pdf", "--outdir", dir, xlsx)
		return filepath.Join(dir, name+".pdf")
	}

	// The whole workbook: pages per sheet.
	pdf := toPDF("nemours", writeWorkbook(t, "epci:200023240"))
	info, err := exec.CommandContext(ctx, "pdfinfo", pdf).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: %s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	perSheet := map[string]int{}
	for p := 1; p <= pages; p++ {
		txt, err := exec.CommandContext(ctx, "pdftotext", "-f", strconv.Itoa(p), "-l", strconv.Itoa(p), "-layout", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(txt)), "\n")
		head, foot := lines[0], lines[len(lines)-1]
		sheet := ""
		for _, s := range SheetNames {
			if strings.HasSuffix(strings.TrimSpace(head), s) {
				sheet = s
			}
		}
		if sheet == "" {
			t.Errorf("page %d: header %q names no sheet", p, head)
		}
		perSheet[sheet]++
		if !strings.Contains(foot, "CC Pays de Nemours") || !strings.Contains(foot, "Page "+strconv.Itoa(p)+" / ") {
			t.Errorf("page %d (%s): footer %q", p, sheet, foot)
		}
	}
	t.Logf("pages per sheet: %v", perSheet)
	want := map[string][2]int{ // sheet → least and most pages
		SheetSynthese: {1, 1}, SheetIndicators: {2, 5}, SheetCommunes: {2, 6}, SheetProfessionals: {1, 1}, SheetStructures: {1, 2},
		SheetAccess: {1, 1}, SheetReferences: {2, 4}, SheetSources: {2, 4},
	}
	for s, w := range want {
		if n := perSheet[s]; n < w[0] || n > w[1] {
			t.Errorf("%s prints on %d pages, want %d to %d", s, n, w[0], w[1])
		}
	}

	// A sheet that fits on one page legibly prints on exactly one: a
	// sheet like the Synthèse, laid out by the same code.
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSynthese); err != nil {
		t.Fatal(err)
	}
	st, err := newStyles(f)
	if err != nil {
		t.Fatal(err)
	}
	w := newSheet(f, SheetSynthese, st)
	w.set(1, 1, "Diagnostic territorial d'accès aux soins — CC Pays de Nemours", st.title)
	w.set(1, 2, strings.Repeat("Une phrase longue qui passe la largeur du tableau. ", 8), st.subtitle)
	w.header(4, "Indicateur", "CC Pays de Nemours", "Seine-et-Marne (77)", "France", "Notes")
	for i := 0; i < 40; i++ {
		w.set(1, 5+i, "Indicateur "+strconv.Itoa(i+1)+" (nb)", st.text)
		for c := 2; c <= 4; c++ {
			w.set(c, 5+i, float64(i*c), st.dec1)
		}
	}
	w.set(1, 46, "Leviers mobilisables", st.bold)
	for i := 0; i < 6; i++ {
		w.set(1, 47+i, "Levier "+strconv.Itoa(i+1), st.bold)
		w.set(2, 47+i, strings.Repeat("Ce que le levier propose au territoire, en quelques mots. ", 3), st.text)
	}
	w.widths(52, 18, 18, 18, 10)
	w.table(4, 44, 5)
	w.printSetup(printOptions{title: "CC Pays de Nemours", onePage: true})
	if w.err != nil {
		t.Fatal(w.err)
	}
	if l, _ := f.GetPageLayout(SheetSynthese); l.FitToHeight == nil || *l.FitToHeight != 1 || l.FitToWidth == nil || *l.FitToWidth != 1 {
		t.Fatalf("short Synthèse: fit to %v × %v pages, want 1 × 1", l.FitToWidth, l.FitToHeight)
	}
	var one bytes.Buffer
	if err := f.Write(&one); err != nil {
		t.Fatal(err)
	}
	info, err = exec.CommandContext(ctx, "pdfinfo", toPDF("synthese", one.Bytes())).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^Pages:\s+1$`).Match(info) {
		t.Errorf("short Synthèse: want 1 page, pdfinfo says\n%s", info)
	}
}

// TestSyntheseOnePage: the Synthèse sheet prints on one A4 page at a
// legible scale for every kind of territory, from a commune to France
// (its points d'attention and leviers by their titles, the details on
// the Indicateurs sheet), and says where the details are.
func TestSyntheseOnePage(t *testing.T) {
	for _, items := range [][]string{
		{"epci:200023240"}, {"77333"}, {"dep:93"}, {"dep:48"}, {"reg:84"}, {"reg:11", "reg:93"},
	} {
		r, _ := testReport(t, items...)
		withAccess(r)
		f := excelize.NewFile()
		st, err := newStyles(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetName("Sheet1", SheetSynthese); err != nil {
			t.Fatal(err)
		}
		w, err := synthese(f, st, r)
		if err == nil {
			err = w.flush()
		}
		if err != nil {
			t.Fatal(err)
		}
		// The sheet is streamed: read it back from the written file.
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		if f, err = excelize.OpenReader(&buf); err != nil {
			t.Fatal(err)
		}
		l, _ := f.GetPageLayout(SheetSynthese)
		// 0.6: 11-point text prints at 6.6 points, the size of a
		// newspaper's small print.
		if l.FitToHeight == nil || *l.FitToHeight != 1 || l.FitToWidth == nil || *l.FitToWidth != 1 || w.fitScale < 0.6 {
			t.Errorf("%v: Synthèse fits %v × %v pages at scale %.2f, want one page at 0.6 or more", items, l.FitToWidth, l.FitToHeight, w.fitScale)
		}
		rows, _ := f.GetRows(SheetSynthese)
		var text strings.Builder
		for _, row := range rows {
			text.WriteString(strings.Join(row, " ") + "\n")
		}
		for _, want := range []string{"Chiffres clés", "APL 2023 (consultations/an/hab.)", "Points d'attention", "Leviers mobilisables",
			"Temps d'accès moyen aux urgences : 17 minutes ; 5" + nbsp + "% de la population à plus de 30 minutes", "feuille « Indicateurs »", "Date des données"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("%v: Synthèse lacks %q", items, want)
			}
		}
		if strings.Contains(text.String(), "Pourquoi") {
			t.Errorf("%v: Synthèse gives the leviers' reasons, which belong to the Indicateurs sheet", items)
		}
		t.Logf("%v: scale %.2f, %d rows", items, w.fitScale, len(rows))
		f.Close()
	}
}
