package templates

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestCSVLocaleFormats(t *testing.T) {
	for _, tc := range []struct {
		loc  CSVLocale
		v    float64
		prec int
		want string
	}{
		{CSVFrench, 2.647, -1, "2,647"},
		{CSVFrench, 12889, -1, "12889"},
		{CSVFrench, -0.25, 1, "-0,2"},
		{CSVEnglish, 2.647, -1, "2.647"},
		{CSVEnglish, 0.27075588599752165, -1, "0.27075588599752165"},
	} {
		if got := tc.loc.Float(tc.v, tc.prec); got != tc.want {
			t.Errorf("%s.Float(%v, %d) = %q, want %q", tc.loc, tc.v, tc.prec, got, tc.want)
		}
	}
	if got := CSVFrench.FloatP(nil, -1); got != "" {
		t.Errorf("unknown value written as %q, want an empty cell", got)
	}
	for in, want := range map[string]CSVLocale{"fr": CSVFrench, "EN": CSVEnglish, " en ": CSVEnglish, "": CSVFrench} {
		if got, err := ParseCSVLocale(in); err != nil || got != want {
			t.Errorf("ParseCSVLocale(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseCSVLocale("de"); err == nil || !strings.Contains(err.Error(), `"de"`) {
		t.Errorf("ParseCSVLocale(de): %v", err)
	}
}

// The communes CSV of CC Pays de Nemours in both conventions: the mark,
// the separator, the decimal mark, and Nemours' figures (population 12889,
// APL 2023 2.647).
func TestCSVConventions(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	for _, tc := range []struct {
		loc        CSVLocale
		start, row string
	}{
		{CSVFrench, "\ufeffcode;name;departement;", "\n77333;Nemours;77;200023240;CC Pays de Nemours;12889;0,9720166805671393;2,647;2,828;middle;1;1,959;"},
		{CSVEnglish, "code,name,departement,", "\n77333,Nemours,77,200023240,CC Pays de Nemours,12889,0.9720166805671393,2.647,2.828,middle,1,1.959,"},
	} {
		var b bytes.Buffer
		if err := WriteCSV(&b, r, tc.loc); err != nil {
			t.Fatal(err)
		}
		if s := b.String(); !strings.HasPrefix(s, tc.start) || !strings.Contains(s, tc.row) {
			t.Errorf("%s: CSV lacks %q or %q:\n%.400s", tc.loc, tc.start, tc.row, s)
		}
		if n := strings.Count(b.String(), utf8BOM); n != map[CSVLocale]int{CSVFrench: 1, CSVEnglish: 0}[tc.loc] {
			t.Errorf("%s: %d byte-order marks", tc.loc, n)
		}
	}
}

// The columns of the CSV do not change with the data: a report without any
// travel time (communes without a point, or no facility in reach) has the
// same header, with empty nearest_* cells.
func TestCSVColumnsStable(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	var with, without bytes.Buffer
	if err := WriteCSV(&with, r, CSVFrench); err != nil {
		t.Fatal(err)
	}
	withoutAccess(r)
	if err := WriteCSV(&without, r, CSVFrench); err != nil {
		t.Fatal(err)
	}
	h1, _, _ := strings.Cut(with.String(), "\n")
	h2, _, _ := strings.Cut(without.String(), "\n")
	if h1 != h2 {
		t.Fatalf("header changes with the data:\n%s\n%s", h1, h2)
	}
	recs := readCSVString(t, without.String(), ';')
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	for _, col := range []string{"nearest_msp_minutes", "nearest_emergency_km", "nearest_maternity_name", "nearest_pharmacy_minutes"} {
		i, ok := idx[col]
		if !ok {
			t.Errorf("no column %s without travel times", col)
			continue
		}
		for _, rec := range recs[1:] {
			if rec[i] != "" {
				t.Errorf("%s of %s = %q without travel times, want empty", col, rec[0], rec[i])
			}
		}
	}
	// The GeoJSON has the same properties: null where unknown.
	if !strings.Contains(h1, ";nearest_emergency_minutes;nearest_emergency_km;nearest_emergency_name;") {
		t.Errorf("header lacks the emergency travel time columns:\n%s", h1)
	}
}

func readCSVString(t testing.TB, s string, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(s, utf8BOM)))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestCSVOpensInLibreOffice opens the communes CSV in LibreOffice Calc as a
// user of each locale does — French: `;`, UTF-8, language fr-FR; English:
// `,`, en-US — saves it as a workbook and reads the cells back with
// excelize: population and APL must be numbers, not text, and the accents
// intact. CI installs LibreOffice; elsewhere the test skips without it.
func TestCSVOpensInLibreOffice(t *testing.T) {
	bin := libreOffice(t, "the CSV must open in a spreadsheet with numbers as numbers")
	r, _ := testReport(t, "epci:200023240")
	for _, tc := range []struct {
		loc CSVLocale
		// The CSV filter options of LibreOffice: separator, quote,
		// charset 76 (UTF-8), first line, column formats, language.
		filter string
	}{
		{CSVFrench, "CSV:59,34,76,1,,1036"},
		{CSVEnglish, "CSV:44,34,76,1,,1033"},
	} {
		t.Run(string(tc.loc), func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			if err := WriteCSV(&b, r, tc.loc); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(dir, "diagnostic.csv")
			if err := os.WriteFile(src, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out := runLibreOffice(t, bin, dir, "--infilter="+tc.filter, "--convert-to", "xlsx", "--outdir", dir, src)
			f, err := excelize.OpenFile(filepath.Join(dir, "diagnostic.xlsx"))
			if err != nil {
				t.Fatalf("no workbook written: %v\n%s", err, out)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			col := map[string]int{}
			for i, h := range rows[0] {
				col[h] = i + 1
			}
			if col["code"] != 1 {
				t.Fatalf("first header cell %q, want code (byte-order mark or separator misread)", rows[0][0])
			}
			line := 0
			for i, row := range rows {
				if len(row) > 0 && row[0] == "77333" {
					line = i + 1
				}
			}
			if line == 0 {
				t.Fatal("Nemours (77333) not found")
			}
			for name, want := range map[string]string{"population": "12889", "apl_2023": "2.647", "apl_2022": "2.828", "lat": "48.2596067909"} {
				cell, _ := excelize.CoordinatesToCellName(col[name], line)
				typ, _ := f.GetCellType(sheet, cell)
				v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) || v != want {
					t.Errorf("Nemours %s (%s): type %v, value %q; want the number %s", name, cell, typ, v, want)
				}
			}
			found := false
			for _, row := range rows {
				found = found || len(row) > 1 && row[1] == "Saint-Pierre-lès-Nemours"
			}
			if !found {
				t.Error("Saint-Pierre-lès-Nemours not read back with its accent")
			}
		})
	}
}
