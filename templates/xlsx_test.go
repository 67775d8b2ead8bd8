package templates

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func writeWorkbook(t *testing.T, items ...string) []byte {
	t.Helper()
	rep, _ := testReport(t, items...)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// findRow returns the row (1-based) whose first column holds value.
func findRow(t *testing.T, f *excelize.File, sheet, value string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > 0 && r[0] == value {
			return i + 1
		}
	}
	t.Fatalf("%s: no row %q", sheet, value)
	return 0
}

func TestWriteXLSX(t *testing.T) {
	b := writeWorkbook(t, "epci:200023240")
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "Synthèse,Indicateurs,Communes,Professionnels,Structures,Accessibilité,Références,Sources"; got != want {
		t.Fatalf("sheets = %s, want %s", got, want)
	}

	// Communes: Nemours (77333) has 12,889 inhabitants, stored as a number
	// with a thousands format; its APL 2023 as a number with 2 decimals.
	row := findRow(t, f, SheetCommunes, "77333")
	header, _ := f.GetRows(SheetCommunes)
	if header[0][5] != "Population municipale, populations de référence en vigueur en 2026 (hab.)" || header[0][7] != "APL 2023 (consultations/an/hab.)" {
		t.Errorf("communes headers = %q, %q", header[0][5], header[0][7])
	}
	assertNumber(t, f, SheetCommunes, cell(6, row), "12889", 3, "")
	assertNumber(t, f, SheetCommunes, cell(8, row), "2.647", 0, "#,##0.00")
	communes := 0
	for _, r := range header[1:] {
		if len(r) > 0 && strings.HasPrefix(r[0], "77") {
			communes++
		}
	}
	if communes != 21 {
		t.Errorf("communes sheet has %d communes, want 21", communes)
	}

	// Frozen header rows and filters on the tables.
	for _, sheet := range []string{SheetCommunes, SheetProfessionals, SheetStructures, SheetAccess, SheetReferences, SheetSources} {
		p, err := f.GetPanes(sheet)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: panes = %+v, %v; want the header row frozen", sheet, p, err)
		}
	}
	for _, sheet := range []string{SheetSynthese, SheetIndicators} {
		if p, _ := f.GetPanes(sheet); !p.Freeze || p.YSplit != 5 {
			t.Errorf("%s: panes = %+v, want rows 1-5 frozen", sheet, p)
		}
	}
	names := map[string]bool{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" {
			names[d.Scope] = true
		}
	}
	for _, sheet := range []string{SheetCommunes, SheetProfessionals, SheetStructures, SheetAccess, SheetReferences, SheetSources} {
		if !names[sheet] {
			t.Errorf("%s has no autofilter", sheet)
		}
	}

	// APL classes coloured by conditional formats on the APL columns.
	cf, err := f.GetConditionalFormats(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	rules := cf["H2:H22"]
	if len(rules) != 3 || rules[0].Criteria != "AND(ISNUMBER(H2),H2<=2.5)" || rules[2].Criteria != "AND(ISNUMBER(H2),H2>4)" {
		t.Errorf("APL 2023 conditional formats = %+v", rules)
	}

	// Synthèse: the territory's APL as a number (weighted by the
	// standardised population: 2.666624 in the independent recomputation of
	// diagnostic/testdata/golden_raw.json), France's population.
	aplRow := findRow(t, f, SheetSynthese, "APL 2023 (consultations/an/hab.)")
	assertNumber(t, f, SheetSynthese, cell(2, aplRow), "2.66662428254014", 0, "#,##0.00")
	popRow := findRow(t, f, SheetSynthese, "Population municipale, populations de référence en vigueur en 2026 (hab.)")
	assertNumber(t, f, SheetSynthese, cell(5, popRow), "68350798", 3, "")
	// The same figures in the details.
	aplRow = findRow(t, f, SheetIndicators, "APL 2023 (consultations/an/hab.)")
	assertNumber(t, f, SheetIndicators, cell(2, aplRow), "2.66662428254014", 0, "#,##0.00")
	// Missing values are "n.d.", never 0: the territory's share of 75+.
	oldRow := findRow(t, f, SheetIndicators, "Part des 75 ans et plus (%)")
	if v, _ := f.GetCellValue(SheetIndicators, cell(2, oldRow)); v != "n.d." {
		t.Errorf("territory share of 75+ = %q, want n.d.", v)
	}

	// Two native charts on the Indicateurs sheet.
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 2 {
		t.Errorf("workbook has %d charts, want 2", charts)
	}

	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Creator != "diagsante" || props.Created != "2026-01-01T00:00:00Z" || props.Modified != props.Created ||
		props.Title != "Diagnostic territorial d'accès aux soins — CC Pays de Nemours" || props.Subject == "" {
		t.Errorf("document properties = %+v", props)
	}
}

func TestWriteXLSXDeterministic(t *testing.T) {
	a := writeWorkbook(t, "epci:200023240")
	b := writeWorkbook(t, "epci:200023240")
	if !bytes.Equal(a, b) {
		t.Fatal("two workbooks of the same report differ")
	}
}

func TestWriteXLSXAccess(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	withAccess(rep)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := findRow(t, f, SheetAccess, "Services d'urgences")
	assertNumber(t, f, SheetAccess, cell(2, row), "17.26", 0, "#,##0.0")
	assertNumber(t, f, SheetAccess, cell(5, row), "0.05", 0, "0.0%")
	rows, _ := f.GetRows(SheetCommunes)
	last := rows[0][len(rows[0])-4:]
	if last[0] != "Service d'urgences le plus proche : temps (min)" || last[3] != "Notes" {
		t.Errorf("nearest columns = %q", last)
	}
}

func cell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// assertNumber checks that a cell holds a number (not text) with the given
// raw value and number format (built-in id, or custom code).
func assertNumber(t *testing.T, f *excelize.File, sheet, ref, raw string, numFmt int, custom string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s!%s has type %v, want a number", sheet, ref, typ)
	}
	v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if err != nil || v != raw {
		t.Errorf("%s!%s = %q (%v), want %s", sheet, ref, v, err, raw)
	}
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if custom != "" {
		if st.CustomNumFmt == nil || *st.CustomNumFmt != custom {
			t.Errorf("%s!%s format = %v, want %q", sheet, ref, st.CustomNumFmt, custom)
		}
	} else if st.NumFmt != numFmt {
		t.Errorf("%s!%s format = %d, want %d", sheet, ref, st.NumFmt, numFmt)
	}
}
