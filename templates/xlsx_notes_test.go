package templates

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// nemoursWorkbook writes and opens the workbook of the CC Pays de Nemours.
func nemoursWorkbook(t *testing.T) *excelize.File {
	t.Helper()
	rep, _ := testReport(t, "epci:200023240")
	return reportWorkbook(t, rep)
}

// reportWorkbook writes the workbook of a report and opens it, closed
// when the test ends.
func reportWorkbook(t *testing.T, rep *diagnostic.Report) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestXLSXNotesBlockMatchesComments: in every sheet of the Nemours
// workbook, the notes block is a "Notes" row followed by "Note 1",
// "Note 2"… on consecutive rows, each with its reason; every cell comment
// "Note n : reason" names a note of the block with the same reason, and
// the row's "Notes" column lists n.
func TestXLSXNotesBlockMatchesComments(t *testing.T) {
	f := nemoursWorkbook(t)
	commentRe := regexp.MustCompile(`^Note (\d+) : (.+)$`)
	withNotes := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		comments, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		head := -1
		for i, r := range rows {
			if len(r) > 0 && r[0] == "Notes" {
				head = i
			}
		}
		if len(comments) == 0 {
			if head >= 0 {
				t.Errorf("%s: a notes block without any comment", sheet)
			}
			continue
		}
		withNotes++
		if head < 0 {
			t.Errorf("%s: %d comments and no notes block", sheet, len(comments))
			continue
		}
		if head > 0 && len(rows[head-1]) > 0 && rows[head-1][0] != "" {
			t.Errorf("%s: the notes block follows row %q without a blank row", sheet, rows[head-1][0])
		}
		var reasons []string
		for i := head + 1; i < len(rows) && len(rows[i]) > 0 && rows[i][0] != ""; i++ {
			if want := "Note " + strconv.Itoa(len(reasons)+1); rows[i][0] != want || len(rows[i]) < 2 || rows[i][1] == "" {
				t.Errorf("%s row %d: %q, want %q and its reason", sheet, i+1, rows[i], want)
				break
			}
			reasons = append(reasons, rows[i][1])
		}
		if len(reasons) == 0 {
			t.Errorf("%s: empty notes block", sheet)
			continue
		}
		// The "Notes" column: the header cell whose column holds the
		// note numbers of the rows.
		for _, c := range comments {
			var text string
			for _, p := range c.Paragraph {
				text += p.Text
			}
			m := commentRe.FindStringSubmatch(text + c.Text)
			if m == nil {
				t.Errorf("%s!%s: comment %q", sheet, c.Cell, text+c.Text)
				continue
			}
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > len(reasons) || reasons[n-1] != m[2] {
				t.Errorf("%s!%s: comment note %d %q is not in the block (%d notes)", sheet, c.Cell, n, m[2], len(reasons))
			}
			_, row, _ := excelize.CellNameToCoordinates(c.Cell)
			listed := false
			for _, v := range rows[row-1] {
				for _, p := range strings.Split(v, ", ") {
					if p == m[1] {
						listed = true
					}
				}
			}
			if !listed {
				t.Errorf("%s row %d: note %s of %s not listed in the row's Notes column %q", sheet, row, m[1], c.Cell, rows[row-1])
			}
		}
	}
	if withNotes < 3 {
		t.Errorf("%d sheets with notes, want at least Synthèse, Communes and Structures", withNotes)
	}
}

// TestXLSXCountsWithoutGapHaveNoNote: a count the sources give in full
// carries no note. Every commune of the CC Pays de Nemours has its GP count
// (BPE 2017) and MSP count, numbers without a comment.
func TestXLSXCountsWithoutGapHaveNoNote(t *testing.T) {
	f := nemoursWorkbook(t)
	rows, err := f.GetRows(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	comments, err := f.GetComments(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	commented := map[string]bool{}
	for _, c := range comments {
		commented[c.Cell] = true
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		cols[h] = i + 1
	}
	gp, msp := cols["Médecins généralistes, BPE 2017 (nb)"], cols["Maisons de santé pluriprofessionnelles (MSP) (nb)"]
	if gp == 0 || msp == 0 {
		t.Fatalf("no GP or MSP column in %q", rows[0])
	}
	n := 0
	for i := 1; i < len(rows) && len(rows[i]) > 0 && regexp.MustCompile(`^\d{5}$`).MatchString(rows[i][0]); i++ {
		n++
		for _, col := range []int{gp, msp} {
			ref := cell(col, i+1)
			if typ, _ := f.GetCellType(SheetCommunes, ref); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("%s %s is not a number", rows[i][0], ref)
			}
			if commented[ref] {
				t.Errorf("%s: the count %s has a note", rows[i][0], ref)
			}
		}
	}
	if n != 21 {
		t.Errorf("%d communes in the sheet, want the 21 of the CC Pays de Nemours", n)
	}
}

// TestHighShareUnder65CarriesItsOwnNote: the share of the population in a
// commune of APL > 4 without the GPs aged 65 and over
// (share_apl_high_under65) carries the notes of its own field, not those of
// the 2.5–4 share: in the workbook's Indicateurs and Accessibilité sheets
// and in the page's "Vieillissement de l'offre" table.
func TestHighShareUnder65CarriesItsOwnNote(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	r2 := *rep
	r2.Levels = append([]diagnostic.Level(nil), rep.Levels...)
	const reason = "Calculé sur la partie couverte seulement : part des communes d'APL > 4 sans les médecins de 65 ans et plus."
	t0 := &r2.Levels[0].Figures
	t0.Gaps = append(append([]diagnostic.Gap(nil), t0.Gaps...), diagnostic.Gap{Field: "share_apl_high_under65", Status: diagnostic.GapPartial, Reason: reason})
	f := reportWorkbook(t, &r2)
	for _, sheet := range []string{SheetIndicators, SheetAccess} {
		comments, err := f.GetComments(sheet)
		if err != nil {
			t.Fatal(err)
		}
		found := ""
		for _, c := range comments {
			var text string
			for _, p := range c.Paragraph {
				text += p.Text
			}
			if strings.HasSuffix(text+c.Text, " : "+reason) {
				found = c.Cell
			}
		}
		if found == "" {
			t.Errorf("%s: no cell carries the note of share_apl_high_under65", sheet)
			continue
		}
		col, row, _ := excelize.CellNameToCoordinates(found)
		label, _ := f.GetCellValue(sheet, cell(1, row))
		head, _ := f.GetCellValue(sheet, cell(col, 1))
		if !strings.Contains(label+head, "d'APL > 4 (%)") {
			t.Errorf("%s: the note is on %s (%q / %q), not the > 4 share without the GPs of 65+", sheet, found, label, head)
		}
	}
	v := agingBlock(&r2, newNotebook())
	if len(v.Rows) == 0 || len(v.Rows[0].HighU65.Notes) == 0 || len(v.Rows[0].MiddleU65.Notes) != 0 {
		t.Errorf("page: territory > 4 share without 65+ %+v, 2.5–4 share %+v; want the note on the first only", v.Rows[0].HighU65, v.Rows[0].MiddleU65)
	}
}
