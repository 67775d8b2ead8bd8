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
	// 90 characters stay whole, 91 are cut to 89 and an ellipsis.
	for n, want := range map[int]string{90: strings.Repeat("é", 90), 91: strings.Repeat("é", 89) + "…"} {
		if hf := headerFooter(strings.Repeat("é", n), SheetSources); hf.OddFooter != "&L&9"+want+"&R&9Page &P / &N" {
			t.Errorf("footer of a %d-character title: %q", n, hf.OddFooter)
		}
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
// no-break spaces, tabs, blank lines, invalid UTF-8 and the first rune past
// ASCII.
func TestMeasureLines(t *testing.T) {
	texts := []string{
		"", "\n", "a\n\nb", "  deux  espaces  ", "Temps d'accès moyen aux urgences : 23\u00a0min ; 4,2 % à plus de 30\u00a0minutes.",
		"CENTRE HOSPITALIER INTERCOMMUNAL\tDE TOULON LA SEYNE-SUR-MER", "Note 1 : donnée manquante\r\nà vérifier",
		strings.Repeat("x", 90) + " fin", "bad \xff\xfe bytes", "Ã\u0080 rÃ©gion", // Latin-1 read as UTF-8: U+0080, the first rune past ASCII
		"Évolution 2022 → 2023 de la part assurée par les médecins de 65 ans et plus (points)",
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
//
// The scale and the printed columns are pinned: the free texts of the CC
// Pays de Nemours, of Nemours alone and of Île-de-France with
// Provence-Alpes-Côte d'Azur run past the table (column F) to column H,
// which prints them larger than within the table; the others print their
// table's columns. All print portrait, taller than wide.
func TestSyntheseOnePage(t *testing.T) {
	for _, tc := range []struct {
		items []string
		scale float64
		area  string
	}{
		{[]string{"epci:200023240"}, 0.6332, "$A$1:$H$52"}, {[]string{"77333"}, 0.6366, "$A$1:$H$50"},
		{[]string{"dep:93"}, 0.6636, "$A$1:$F$47"}, {[]string{"dep:48"}, 0.6708, "$A$1:$F$52"},
		{[]string{"reg:84"}, 0.7281, "$A$1:$F$42"}, {[]string{"reg:11", "reg:93"}, 0.6193, "$A$1:$H$51"},
	} {
		items := tc.items
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
		if area := printAreaOf(t, f, SheetSynthese); math.Abs(w.fitScale-tc.scale) > 5e-5 || area != "'Synthèse'!"+tc.area || l.Orientation == nil || *l.Orientation != "portrait" {
			t.Errorf("%v: Synthèse at scale %.4f over %s, %v; want %.4f over %s, portrait", items, w.fitScale, area, l.Orientation, tc.scale, tc.area)
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

// TestPrintGeometry: the room on an A4 page inside the margins (half an
// inch each side, three quarters top and bottom) is 523.3 × 733.9 points
// in portrait and 769.9 × 487.3 in landscape; a column of Excel width w
// prints (7w + 5) × 0.75 points wide, 48 for the default 8.43.
func TestPrintGeometry(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"portrait width", printableWidth(false), 523.3},
		{"landscape width", printableWidth(true), 769.9},
		{"portrait height", printableHeight(false), 733.9},
		{"landscape height", printableHeight(true), 487.3},
		{"default column", colPoints(defaultColWidth), 48.0075},
		{"column 18", colPoints(18), 98.25},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: %v points, want %v", c.name, c.got, c.want)
		}
	}
}

// printAreaOf returns the print area a sheet's setup defined.
func printAreaOf(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Area" && d.Scope == sheet {
			return d.RefersTo
		}
	}
	return ""
}

// TestPrintAreaMinWidth: a two-column table whose chart reaches exactly
// the end of column C prints columns A to C, not D; with no width asked
// it prints its own two columns. Texts of up to 10 characters are not
// kept for wrapping, longer ones are.
func TestPrintAreaMinWidth(t *testing.T) {
	for _, tc := range []struct {
		minCols int
		want    string
	}{{0, "'Synthèse'!$A$1:$B$2"}, {3, "'Synthèse'!$A$1:$C$2"}} {
		f := excelize.NewFile()
		st, err := newStyles(f)
		if err != nil {
			t.Fatal(err)
		}
		f.SetSheetName("Sheet1", SheetSynthese)
		w := newSheet(f, SheetSynthese, st)
		w.widths(14, 30, 12, 12)
		w.set(1, 1, "Commune", st.header)
		w.set(2, 1, "Population", st.header)
		w.set(1, 2, "Nemours", st.text)
		w.set(2, 2, 12889, st.int)
		min := 0.0
		if tc.minCols > 0 {
			min = w.span(1, tc.minCols)
		}
		w.printSetup(printOptions{title: "Nemours", minWidth: min})
		if w.err != nil {
			t.Fatal(w.err)
		}
		if got := printAreaOf(t, f, SheetSynthese); got != tc.want {
			t.Errorf("chart to column %d: print area %q, want %q", tc.minCols, got, tc.want)
		}
		f.Close()
	}
	w := newSheet(excelize.NewFile(), SheetSynthese, &styles{})
	w.track(1, 1, "Population", 0)  // 10 characters
	w.track(1, 2, "Populations", 0) // 11
	if len(w.texts) != 1 || w.texts[0].text != "Populations" || w.maxRow != 2 || w.maxCol != 1 {
		t.Errorf("tracked texts %+v, extent %d×%d", w.texts, w.maxRow, w.maxCol)
	}
}

// TestXLSXWideMergesOnFirstPage: the Communes (4 pages wide) and
// Références (3) sheets of the CC Pays de Nemours merge their long texts
// (the notes' reasons, from column B) only up to the last column of the
// first printed page: R and S, the last whose span from A fits the
// landscape width at the smallest legible scale (769.9 / 0.45 points).
func TestXLSXWideMergesOnFirstPage(t *testing.T) {
	f := nemoursWorkbook(t)
	room := printableWidth(true) / minScale
	for _, tc := range []struct {
		sheet string
		wide  int
		end   string
	}{{SheetCommunes, 4, "R"}, {SheetReferences, 3, "S"}} {
		l, _ := f.GetPageLayout(tc.sheet)
		if l.FitToWidth == nil || *l.FitToWidth != tc.wide {
			t.Errorf("%s: %v pages wide, want %d", tc.sheet, l.FitToWidth, tc.wide)
		}
		merged, _ := f.GetMergeCells(tc.sheet)
		if len(merged) < 2 {
			t.Errorf("%s: %d merges, want its notes' reasons merged", tc.sheet, len(merged))
		}
		for _, m := range merged {
			if end := m.GetEndAxis(); strings.TrimRight(end, "0123456789") != tc.end || !strings.HasPrefix(m.GetStartAxis(), "B") {
				t.Errorf("%s: merge %s:%s, want B to %s", tc.sheet, m.GetStartAxis(), end, tc.end)
			}
		}
		end, _ := excelize.ColumnNameToNumber(tc.end)
		span := 0.0
		for c := 1; c <= end+1; c++ {
			w, _ := f.GetColWidth(tc.sheet, colName(c))
			span += colPoints(w)
			if c == end && span > room || c == end+1 && span <= room {
				t.Errorf("%s: columns A to %s span %.1f points, the first page %.1f", tc.sheet, colName(c), span, room)
			}
		}
	}
}

// TestXLSXCentredOnePage: only a sheet that prints on one page (the
// Synthèse) is centred on it; a sheet one page wide but several tall
// (Indicateurs) or several wide (Communes) starts at the left margin.
func TestXLSXCentredOnePage(t *testing.T) {
	f := nemoursWorkbook(t)
	for sheet, want := range map[string]bool{SheetSynthese: true, SheetIndicators: false, SheetCommunes: false} {
		m, err := f.GetPageMargins(sheet)
		if err != nil || m.Horizontally == nil || *m.Horizontally != want {
			t.Errorf("%s: centred %v (%v), want %v", sheet, m.Horizontally, err, want)
		}
	}
}

// printSheet writes a one-row sheet of the given column widths (its
// texts in columns 1 and 2) and runs its print setup.
func printSheet(t *testing.T, o printOptions, widths ...float64) (*excelize.File, *sheet) {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { f.Close() })
	st, err := newStyles(f)
	if err != nil {
		t.Fatal(err)
	}
	f.SetSheetName("Sheet1", SheetSources)
	w := newSheet(f, SheetSources, st)
	w.widths(widths...)
	for c := range widths {
		w.set(c+1, 1, "Colonne", st.header)
		w.set(c+1, 2, 12889, st.int)
	}
	w.printSetup(o)
	if w.err != nil {
		t.Fatal(w.err)
	}
	return f, w
}

// TestPrintOrientation: a sheet prints portrait while it fits a portrait
// page at 90 % or more (two columns of width 50, 532.5 points: 98 %), else
// landscape (three, 798.75 points), one page wide while that prints at
// 45 % or more (11 columns of 50, 2928.75 points, need 2 pages).
func TestPrintOrientation(t *testing.T) {
	for _, tc := range []struct {
		cols   int
		orient string
		wide   int
	}{{2, "portrait", 1}, {3, "landscape", 1}, {5, "landscape", 1}, {11, "landscape", 2}} {
		var widths []float64
		for range tc.cols {
			widths = append(widths, 50)
		}
		f, _ := printSheet(t, printOptions{title: "Nemours"}, widths...)
		l, _ := f.GetPageLayout(SheetSources)
		if l.Orientation == nil || *l.Orientation != tc.orient || l.FitToWidth == nil || *l.FitToWidth != tc.wide {
			t.Errorf("%d columns of 50: %v, %v pages wide; want %s, %d", tc.cols, l.Orientation, l.FitToWidth, tc.orient, tc.wide)
		}
	}
}

// TestPrintWrapHeights: the print setup makes a row as tall as its wrapped
// texts need, 15 points a line: a header without a height set (plus 4
// points), a cell whose style wraps (plus 2), a note's reason alone at the
// end of its row, merged over the columns after it (plus 2), and a long
// text in the last printed column, wrapped in its cell (plus 2); every
// other cell of a tall row is aligned at the top. A reason or a name that
// fits its cell is neither merged nor wrapped, and a row whose wrapping
// text takes one line keeps the default height. A wrapping cell is
// measured at 88 % of its width, a bold text 8 % wider. The same for a sheet held
// in memory, streamed, or streamed with its layout mirrored.
func TestPrintWrapHeights(t *testing.T) {
	const (
		header = "Code commune INSEE"
		wrap   = "Population municipale 2022 de la commune, recensement de l'INSEE"
		reason = "La part des 75 ans et plus n'est publiée qu'au niveau du département."
		short  = "Donnée partielle"
		last   = "CENTRE HOSPITALIER DE NEMOURS, SERVICE DES URGENCES"
	)
	for _, mode := range []string{"memory", "streamed", "mirrored"} {
		f := excelize.NewFile()
		st, err := newStyles(f)
		if err != nil {
			t.Fatal(err)
		}
		f.SetSheetName("Sheet1", SheetSources)
		w := newSheet(f, SheetSources, st)
		switch mode {
		case "streamed":
			w.streamed()
		case "mirrored":
			w.mirrored()
		}
		w.widths(10, 20, 12)
		w.set(1, 1, header, st.header)
		w.set(2, 1, "Nom", st.header)
		w.set(1, 2, "Nemours", st.text)
		w.set(2, 2, wrap, st.wrap)
		w.set(3, 2, 12889, st.int)
		w.set(1, 3, "Note 1", st.text)
		w.set(2, 3, reason, st.text)
		w.set(1, 4, "Note 2", st.text)
		w.set(2, 4, short, st.text)
		w.set(1, 5, "77333", st.text)
		w.set(3, 5, last, st.text)
		w.set(2, 6, "Seine-et-Marne", st.text)
		w.set(3, 6, "77", st.text)
		w.set(2, 7, "Seine-et-Marne", st.wrap)
		w.set(3, 7, "77", st.text)
		w.set(2, 8, "Auvergne-Rhône-Alpes", st.wrap)
		w.set(3, 8, "84", st.text)
		w.set(2, 9, "Communauté de communes", st.bold)
		w.set(3, 9, "CC", st.text)
		w.printSetup(printOptions{title: "Nemours"})
		if err := w.flush(); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if f, err = excelize.OpenReader(&buf); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			row   int
			lines int
			pad   float64
		}{
			{1, lines(header, colPoints(10), true), 4},
			{2, lines(wrap, colPoints(20)*fontSlack, false), 2},
			{3, lines(reason, (colPoints(20)+colPoints(12))*fontSlack, false), 2},
			{5, lines(last, colPoints(12), false), 2},
			// A wrapping cell is measured at 88 % of its width, a bold
			// text 8 % wider: one line each otherwise.
			{8, lines("Auvergne-Rhône-Alpes", colPoints(20)*fontSlack, false), 2},
			{9, lines("Communauté de communes", colPoints(20), true), 2},
		} {
			h, _ := f.GetRowHeight(SheetSources, tc.row)
			if tc.lines < 2 || h != float64(tc.lines)*lineHeight+tc.pad {
				t.Errorf("%s: row %d: %v points high, want %d lines × 15 + %v", mode, tc.row, h, tc.lines, tc.pad)
			}
		}
		merged, _ := f.GetMergeCells(SheetSources)
		if len(merged) != 1 || merged[0].GetStartAxis() != "B3" || merged[0].GetEndAxis() != "C3" {
			t.Errorf("%s: merges %v, want B3:C3 only", mode, merged)
		}
		for _, row := range []int{4, 6, 7} {
			if h, _ := f.GetRowHeight(SheetSources, row); h != 15 {
				t.Errorf("%s: row %d, a text that fits: %v points high", mode, row, h)
			}
		}
		alignment := func(cell string) *excelize.Alignment {
			style, _ := f.GetCellStyle(SheetSources, cell)
			if s, _ := f.GetStyle(style); s != nil && s.Alignment != nil {
				return s.Alignment
			}
			return &excelize.Alignment{}
		}
		for _, cell := range []string{"B2", "C5", "B3"} {
			if a := alignment(cell); !a.WrapText || a.Vertical != "top" {
				t.Errorf("%s: %s not wrapped at the top", mode, cell)
			}
		}
		// The count at the end of tall row 2, and the code in row 5.
		for _, cell := range []string{"C2", "A5"} {
			if a := alignment(cell); a.WrapText || a.Vertical != "top" {
				t.Errorf("%s: %s aligned %+v, want at the top, unwrapped", mode, cell, a)
			}
		}
		for _, cell := range []string{"B4", "B6"} {
			if alignment(cell).WrapText {
				t.Errorf("%s: %s, a text that fits, is wrapped", mode, cell)
			}
		}
		if v, _ := f.GetCellValue(SheetSources, "C2", excelize.Options{RawCellValue: true}); v != "12889" {
			t.Errorf("%s: C2 = %q", mode, v)
		}
		f.Close()
	}
}
