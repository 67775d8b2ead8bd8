package apl

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// realWorkbook is the DREES file in the shared raw data (rawdata.Path).
const realWorkbook = "drees-apl/apl_medecins_generalistes_2022_2023.xlsx"

// sheetRows is a sheet's content for building fixture workbooks: nil cells
// are left empty, float64 values are stored as numbers, strings as text.
type sheetRows struct {
	name string
	rows [][]any
}

func buildWorkbook(t testing.TB, sheets ...sheetRows) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(s.name, ref, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	uAPL = "En nombre de consultations/visites accessibles par habitant standardisé"
	uStd = "En nombre d'habitants standardisés"
	uTot = "En nombre d'habitants"
)

// aplSheet mimics the DREES layout: title and notes, an empty row, the
// header on row 9, the units on row 10, communes from row 11.
func aplSheet(name string, year int, units []any, data ...[]any) sheetRows {
	rows := [][]any{
		{fmt.Sprintf("Indicateur d'accessibilité potentielle localisée (APL) %d aux médecins généralistes", year+2)},
		nil,
		{fmt.Sprintf("Millésime : %d", year+2)},
		{"Sources : SNIIR-AM, Insee ; Traitements Drees."},
		{"Champ : Omnipraticiens libéraux ; France hors Mayotte."},
		{"Lecture : …"},
		{"Note : …"},
		nil,
		{"Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes de moins de 65 ans",
			fmt.Sprintf("Population standardisée %d pour la médecine générale", year), fmt.Sprintf("Population totale %d", year)},
		units,
	}
	return sheetRows{name: name, rows: append(rows, data...)}
}

var stdUnits = []any{nil, nil, uAPL, uAPL, uStd, uTot}

func paramsSheet() sheetRows {
	return sheetRows{name: "Paramètres", rows: [][]any{
		{"Paramètres de l'indicateur d'APL aux médecins généralistes"},
		nil,
		{"Champ de l'indicateur"},
		{"Omnipraticiens libéraux, …"},
		nil,
		{"Comptabilisation de l'activité"},
		{"Nombre de consultations, visites et téléconsultations effectuées dans l'année", "Nombre comptabilisé"},
		{"Moins de 250", 0.0},
		{"Entre 251 et 3 600", 3600.0},
		{"Entre 3 601 et 6 000", "Nombre de consultations et visites effectués dans l'année d'après les données du SNIIR-AM"},
		{"Plus de 6 000", 6000.0},
		{"Exceptions : Pour les médecins libéraux n'ayant pas exercé d'activité libérale l'année précédente, une offre de 5 400 consultations ou visites est imputée ; \npour les centres de santé, les bornes d'activité ne sont pas appliquées."},
		nil,
		{"Décroissance de l'accessibilité avec la distance"},
		{"Temps de trajet entre communes", "Accessibilité"},
		{"Moins de  10 minutes", 1.0},
		{"Entre 10 et 15 minutes", 2.0 / 3},
		{"Entre 15 et 20 minutes", 1.0 / 3},
		{"Plus de 20 minutes", 0.0},
		nil,
		{"Pondération de la population selon l'âge"},
		{"Tranche d'âge", "Poids de la tranche d'âge en 2022", "Poids de la tranche d'âge en 2023"},
		{"Moins de 5 ans", 0.93, 1.12},
		{"de 5 à 9 ans", 0.59, 0.58},
		{"Plus de 90 ans", 2.39, 2.26},
		{"Sources : DCIR 2020 et 2021, Cnam ; Traitements Drees. "},
	}}
}

// goodWorkbook has the nasty but legal variants: a numeric code that lost
// its leading zero, a Corsican code, Paris by arrondissement, a value typed
// as text with a decimal comma, an empty row and a footnote after the data.
func goodWorkbook(t testing.TB) []byte {
	return buildWorkbook(t,
		paramsSheet(),
		aplSheet("APL 2022", 2020, stdUnits,
			[]any{"01001", "L'Abergement-Clémenciat", 1.89, 1.8280000000000001, 810.85500000000002, 806.0},
		),
		aplSheet("APL 2023", 2021, stdUnits,
			[]any{"01001", "L'Abergement-Clémenciat", 1.9419999999999999, 1.881, 838.154, 832.0},
			[]any{1002.0, "L'Abergement-de-Varey", 2.3759999999999999, 1.7669999999999999, 255.72300000000001, 267.0},
			[]any{"2A004", "Ajaccio", 3.901, 3.11, 75673.255, 73822.0},
			[]any{"75101", "Paris 1er Arrondissement", "6,545", 5.337, 15782.019, 15919.0},
			nil,
			[]any{"Source : Drees, traitements internes."},
		),
		sheetRows{name: "Notes", rows: [][]any{{"not an APL sheet"}}},
	)
}

func render(sheets []Sheet, p *Parameters) string {
	var b strings.Builder
	for _, s := range sheets {
		fmt.Fprintf(&b, "sheet %q vintage %d popyear %d: %d records\n", s.Name, s.Vintage, s.PopYear, len(s.Records))
		for _, r := range s.Records {
			fmt.Fprintf(&b, "  row %d %s %q apl=%v u65=%v std=%v tot=%v\n", r.Row, r.Code, r.Name, r.APL, r.APLUnder65, r.PopStandardised, r.PopTotal)
		}
	}
	if p != nil {
		fmt.Fprintf(&b, "parameters: new practitioner activity %v\n", p.NewPractitionerActivity)
		for _, a := range p.ActivityBounds {
			fmt.Fprintf(&b, "  activity %q [%v, %v] counted=%v actual=%v\n", a.Label, a.From, a.To, a.Counted, a.Actual)
		}
		for _, d := range p.DecayBands {
			fmt.Fprintf(&b, "  decay %q [%v, %v) weight=%.6f\n", d.Label, d.FromMinutes, d.ToMinutes, d.Weight)
		}
		for _, v := range []int{2019, 2020, 2021, 2022, 2023, 2024, 2025} {
			for _, w := range p.AgeWeights[v] {
				fmt.Fprintf(&b, "  age %d %q %d..%d weight=%v\n", v, w.Label, w.FromAge, w.ToAge, w.Weight)
			}
		}
	}
	return b.String()
}

func TestReadWorkbookFixture(t *testing.T) {
	sheets, params, err := ReadWorkbookReader(bytes.NewReader(goodWorkbook(t)), "fixture.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 || sheets[1].Name != "APL 2023" || sheets[1].Vintage != 2023 || sheets[1].PopYear != 2021 {
		t.Fatalf("sheets = %+v", sheets)
	}
	recs := sheets[1].Records
	if len(recs) != 4 {
		t.Fatalf("APL 2023: %d records, want 4", len(recs))
	}
	// The stored double 1.9419999999999999 is the double nearest 1.942.
	if r := recs[0]; r.Code != "01001" || r.APL != 1.942 || r.APLUnder65 != 1.881 || r.PopStandardised != 838.154 || r.PopTotal != 832 || r.Row != 11 {
		t.Errorf("first record = %+v", r)
	}
	if recs[1].Code != "01002" {
		t.Errorf("numeric code not left-padded: %q", recs[1].Code)
	}
	if recs[3].Code != "75101" || recs[3].APL != 6.545 {
		t.Errorf("decimal comma: %+v", recs[3])
	}
	if params == nil || len(params.AgeWeights[2023]) != 3 || params.AgeWeights[2023][0].Weight != 1.12 || params.NewPractitionerActivity != 5400 {
		t.Fatalf("params = %+v", params)
	}
	if w := params.Weight(12); math.Abs(w-2.0/3) > 1e-12 {
		t.Errorf("Weight(12) = %v", w)
	}
	if w := params.Weight(20); w != 0 {
		t.Errorf("Weight(20) = %v", w)
	}
	golden.Check(t, "fixture", render(sheets, params))
}

func TestReadWorkbookErrors(t *testing.T) {
	okRow := []any{"01001", "A", 1.0, 1.0, 10.0, 10.0}
	for _, tc := range []struct {
		name   string
		sheets []sheetRows
		want   string
	}{
		{"unit changed", []sheetRows{aplSheet("APL 2023", 2021, []any{nil, nil, uAPL, uAPL, "En milliers d'habitants standardisés", uTot}, okRow)},
			`f.xlsx: sheet "APL 2023" cell E10: unit "En milliers d'habitants standardisés" for column "Population standardisée 2021 pour la médecine générale", expected "En nombre d'habitants standardisés": refusing to mix units across vintages`},
		{"not a number", []sheetRows{aplSheet("APL 2023", 2021, stdUnits, okRow, []any{"01002", "B", 1.0, "n.d.", 10.0, 10.0})},
			`f.xlsx: sheet "APL 2023" cell D12: APL aux médecins généralistes de moins de 65 ans: not a number: "n.d."`},
		{"empty value", []sheetRows{aplSheet("APL 2023", 2021, stdUnits, []any{"01002", "B", 1.0, 1.0, nil, 10.0})},
			`f.xlsx: sheet "APL 2023" cell E11: Population standardisée 2021 pour la médecine générale: empty value`},
		{"bad code", []sheetRows{aplSheet("APL 2023", 2021, stdUnits, []any{"1A001", "B", 1.0, 1.0, 1.0, 10.0})},
			`f.xlsx: sheet "APL 2023" cell A11: invalid commune code "1A001"`},
		{"duplicate", []sheetRows{aplSheet("APL 2023", 2021, stdUnits, okRow, okRow)},
			`f.xlsx: sheet "APL 2023" cell A12: commune 01001 listed twice (first at row 11)`},
		{"no header", []sheetRows{{name: "APL 2023", rows: [][]any{{"Code INSEE", "Commune"}, {"01001", "A"}}}},
			`f.xlsx: sheet "APL 2023": no header row: no cell "Code commune INSEE" found`},
		{"missing column", []sheetRows{{name: "APL_2019", rows: [][]any{{"Code commune INSEE", "Commune", "APL aux médecins généralistes"}, okRow}}},
			`f.xlsx: sheet "APL_2019" row 1: missing column "APL aux médecins généralistes de moins de 65 ans" in the header row`},
		{"no data", []sheetRows{aplSheet("APL 2023", 2021, stdUnits)},
			`f.xlsx: sheet "APL 2023" row 10: no commune rows after the header (row 9)`},
		{"no APL sheet", []sheetRows{{name: "Feuil1", rows: [][]any{{"x"}}}},
			`f.xlsx: no APL sheet (a sheet with a header row holding the cell "Code commune INSEE" in its first 50 rows); found ["Feuil1"]`},
		{"no year anywhere", []sheetRows{{name: "Feuil1", rows: [][]any{
			{"Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes de moins de 65 ans", "Population standardisée", "Population totale"}, okRow}}},
			`f.xlsx: sheet "Feuil1" row 1: the sheet name gives no year, and neither a "Millésime" note nor the population columns do: name the sheet like "APL 2024"`},
		{"vintage too old", []sheetRows{aplSheet("APL 2012", 2010, stdUnits, okRow)},
			`f.xlsx: sheet "APL 2012" row 9: vintage 2012 (from its name) is outside 2015..2099: not an APL release this program reads`},
		{"header too low in an unnamed sheet", []sheetRows{{name: "Feuil1", rows: append(make([][]any, 50), aplSheet("x", 2022, stdUnits, okRow).rows...)}},
			`f.xlsx: no APL sheet (a sheet with a header row holding the cell "Code commune INSEE" in its first 50 rows); found ["Feuil1"]`},
		{"bad age weight", []sheetRows{aplSheet("APL 2023", 2021, stdUnits, okRow), {name: "Paramètres", rows: [][]any{
			{"Pondération de la population selon l'âge"}, {"Tranche d'âge", "Poids en 2023"}, {"Moins de 5 ans", "x"}}}},
			`f.xlsx: sheet "Paramètres" cell B3: age weight "x" is not a positive number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ReadWorkbookReader(bytes.NewReader(buildWorkbook(t, tc.sheets...)), "f.xlsx")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", err, tc.want)
			}
			var pe *parseerr.Error
			if !errors.As(err, &pe) {
				t.Errorf("error is %T, not *parseerr.Error", err)
			}
		})
	}
}

func TestNotAWorkbook(t *testing.T) {
	_, _, err := ReadWorkbookReader(strings.NewReader("code;commune\n01001;A\n"), "apl.csv")
	if _, ok := parseerr.As(err); !ok || !strings.HasPrefix(err.Error(), "apl.csv: not an xlsx workbook") {
		t.Fatalf("err = %v", err)
	}
}

func TestNoUnitsRow(t *testing.T) {
	// Older layouts go straight from the header to the data.
	s := sheetRows{name: "APL_2019", rows: [][]any{
		{"Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes âgés de 65 ans et moins",
			"Population standardisée 2017", "Population totale 2017"},
		{"01001", "A", 2.5, 2.0, 700.0, 750.0},
	}}
	sheets, params, err := ReadWorkbookReader(bytes.NewReader(buildWorkbook(t, s)), "f.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if params != nil || len(sheets) != 1 || sheets[0].Vintage != 2019 || sheets[0].PopYear != 2017 || len(sheets[0].Records) != 1 || sheets[0].Records[0].APLUnder65 != 2.0 {
		t.Fatalf("sheets = %+v, params = %v", sheets, params)
	}
}

func TestSheetVintage(t *testing.T) {
	for name, want := range map[string]int{"APL 2023": 2023, "APL_2019": 2019, "apl-2021": 2021, "APL2020": 2020, "Paramètres": 0,
		"APL 2023 (2)": 2023, "APL_2024": 2024, "APL 2024 ": 2024, "APL-2025": 2025, "Données 2024": 2024, "Feuil1": 0, "APL 2023-2024": 0, "APL 12024": 0} {
		got, ok := SheetVintage(name)
		if got != want || ok != (want != 0) {
			t.Errorf("SheetVintage(%q) = %d, %v", name, got, ok)
		}
	}
}

// TestRealWorkbook checks the published DREES workbook against values
// checked by hand in the derived CSV apl_mg_2023_communes.csv.
func TestRealWorkbook(t *testing.T) {
	sheets, params, err := ReadWorkbook(rawdata.Path(t, realWorkbook))
	if err != nil {
		t.Fatal(err)
	}
	if len(sheets) != 2 {
		t.Fatalf("%d sheets", len(sheets))
	}
	byName := map[string]Sheet{}
	for _, s := range sheets {
		byName[s.Name] = s
	}
	s22, s23 := byName["APL 2022"], byName["APL 2023"]
	if len(s22.Records) != 34964 || s22.PopYear != 2020 || s22.Vintage != 2022 {
		t.Errorf("APL 2022: %d records, pop year %d", len(s22.Records), s22.PopYear)
	}
	if len(s23.Records) != 34954 || s23.PopYear != 2021 || s23.Vintage != 2023 {
		t.Errorf("APL 2023: %d records, pop year %d", len(s23.Records), s23.PopYear)
	}
	want := map[string]Record{
		"01001": {Code: "01001", Name: "L'Abergement-Clémenciat", APL: 1.942, APLUnder65: 1.881, PopStandardised: 838.154, PopTotal: 832, Row: 11},
		"2A004": {Code: "2A004", Name: "Ajaccio", APL: 3.901, APLUnder65: 3.11, PopStandardised: 75673.255, PopTotal: 73822},
		"48095": {Code: "48095", Name: "Mende", APL: 3.834, APLUnder65: 3.585, PopStandardised: 12276.051, PopTotal: 12316},
		"75101": {Code: "75101", Name: "Paris 1er Arrondissement", APL: 6.545, APLUnder65: 5.337, PopStandardised: 15782.019, PopTotal: 15919},
		"97411": {Code: "97411", Name: "Saint-Denis", APL: 4.886, APLUnder65: 3.815, PopStandardised: 145109.352, PopTotal: 154765},
	}
	var total float64
	for _, r := range s23.Records {
		total += r.PopTotal
		w, ok := want[r.Code]
		if !ok {
			continue
		}
		if w.Row == 0 {
			w.Row = r.Row
		}
		if r != w {
			t.Errorf("got %+v\nwant %+v", r, w)
		}
		delete(want, r.Code)
		if r.Code == "75056" || r.Code == "05120" {
			t.Errorf("unexpected commune %s", r.Code)
		}
	}
	if len(want) != 0 {
		t.Errorf("communes not found: %v", want)
	}
	if last := s23.Records[len(s23.Records)-1]; last.Code != "97424" || last.Row != 34964 {
		t.Errorf("last record %+v", last)
	}
	// France without Mayotte, population totale 2021: about 67.6 million.
	if total < 66e6 || total > 69e6 {
		t.Errorf("total population %v", total)
	}
	if params == nil || len(params.ActivityBounds) != 4 || len(params.DecayBands) != 4 || len(params.AgeWeights[2022]) != 19 || len(params.AgeWeights[2023]) != 19 {
		t.Fatalf("params = %v", params)
	}
	if a := params.ActivityBounds[2]; !a.Actual || a.From != 3601 || a.To != 6000 {
		t.Errorf("activity bound 3 = %+v", a)
	}
	if a := params.ActivityBounds[1]; a.Counted != 3600 || a.From != 251 || a.To != 3600 {
		t.Errorf("activity bound 2 = %+v", a)
	}
	if w := params.AgeWeights[2023][18]; w.FromAge != 90 || w.ToAge != -1 || w.Weight != 2.26 {
		t.Errorf("age 90+ 2023 = %+v", w)
	}
	if w := params.AgeWeights[2022][0]; w.FromAge != 0 || w.ToAge != 4 || w.Weight != 0.93 {
		t.Errorf("age 0-4 2022 = %+v", w)
	}
	if params.NewPractitionerActivity != 5400 {
		t.Errorf("new practitioner activity %v", params.NewPractitionerActivity)
	}
}

func BenchmarkReadRealWorkbook(b *testing.B) {
	path := rawdata.Path(b, realWorkbook)
	for b.Loop() {
		if _, _, err := ReadWorkbook(path); err != nil {
			b.Fatal(err)
		}
	}
}
