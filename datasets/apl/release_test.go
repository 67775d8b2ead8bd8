package apl

import (
	"bytes"
	"fmt"
	"testing"
)

// release2024 is a vintage sheet of a release after 2023 as DREES could
// lay it out: the notes in another order with an extra warning, the
// header lower (row 11), the population columns swapped and an extra
// column, an empty row between the units and the communes.
func release2024(name string, millesime bool) sheetRows {
	rows := [][]any{
		{"Note : Pour calculer un APL moyen, l'APL communal doit être pondéré par la population standardisée."},
		{"Lecture : les habitants de l'Abergement-Clémenciat ont accès en moyenne à 2,0 consultations par an."},
		nil,
		{"Sources : SNIIR-AM 2024, Cnam ; Populations par sexe et âge 2022, distancier Metric, Insee ; Traitements Drees."},
		{"Champ : Omnipraticiens libéraux et salariés en centre de santé ; France hors Mayotte."},
		{"Millésime : 2024"},
		{"Avertissement : la colonne Code commune INSEE suit le COG 2024."},
		{"Indicateur d'accessibilité potentielle localisée (APL) aux médecins généralistes"},
		nil,
		nil,
		{"Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes âgés de 65 ans ou moins",
			"Population totale 2022", "Population standardisée 2022 pour la médecine générale", "Département"},
		{nil, nil, uAPL, uAPL, uTot, uStd, nil},
		nil,
		{"01001", "L'Abergement-Clémenciat", 2.0139999999999998, 1.9019999999999999, 859.0, 861.53800000000001, "Ain"},
		{1002.0, "L'Abergement-de-Varey", 2.4489999999999998, 1.833, 271.0, 259.68700000000001, "Ain"},
		{"2A004", "Ajaccio", 3.8719999999999999, 3.052, 74856.0, 76523.612999999998, "Corse-du-Sud"},
		{"97411", "Saint-Denis", 4.9109999999999996, 3.8740000000000001, 155114.0, 145877.20300000000, "La Réunion"},
		nil,
		{"Source : Drees, APL 2024."},
	}
	if !millesime {
		rows[5] = nil
	}
	return sheetRows{name: name, rows: rows}
}

func TestReadWorkbookNewRelease(t *testing.T) {
	want := []Record{
		{Code: "01001", Name: "L'Abergement-Clémenciat", APL: 2.014, APLUnder65: 1.902, PopStandardised: 861.538, PopTotal: 859, Row: 14},
		{Code: "01002", Name: "L'Abergement-de-Varey", APL: 2.449, APLUnder65: 1.833, PopStandardised: 259.687, PopTotal: 271, Row: 15},
		{Code: "2A004", Name: "Ajaccio", APL: 3.872, APLUnder65: 3.052, PopStandardised: 76523.613, PopTotal: 74856, Row: 16},
		{Code: "97411", Name: "Saint-Denis", APL: 4.911, APLUnder65: 3.874, PopStandardised: 145877.203, PopTotal: 155114, Row: 17},
	}
	for _, tc := range []struct {
		sheet     sheetRows
		vintageOf string // VintageFrom
	}{
		{release2024("APL 2024", true), ""},
		{release2024("APL_2024 ", true), ""},
		{release2024("APL-2024", false), ""},
		{release2024("Feuil1", true), `the note "Millésime : 2024"`},
		{release2024("Communes", false), "the populations of 2022, plus two years as in every DREES release"},
	} {
		t.Run(tc.sheet.name, func(t *testing.T) {
			b := buildWorkbook(t,
				sheetRows{name: "Lisez-moi", rows: [][]any{{"APL aux médecins généralistes, édition 2025"}, {"Code commune INSEE : code de la commune au COG"}}},
				tc.sheet, paramsSheet())
			sheets, params, err := ReadWorkbookReader(bytes.NewReader(b), "apl_2024.xlsx")
			if err != nil {
				t.Fatal(err)
			}
			if len(sheets) != 1 || params == nil {
				t.Fatalf("%d sheets, parameters %v", len(sheets), params)
			}
			sh := sheets[0]
			if sh.Name != tc.sheet.name || sh.Vintage != 2024 || sh.VintageFrom != tc.vintageOf || sh.PopYear != 2022 || !sh.National() || sh.LastRow != 17 {
				t.Errorf("sheet %q: vintage %d from %q, populations %d, scope %q, last row %d", sh.Name, sh.Vintage, sh.VintageFrom, sh.PopYear, sh.Scope, sh.LastRow)
			}
			if fmt.Sprint(sh.Records) != fmt.Sprint(want) {
				t.Errorf("records\n got %v\nwant %v", sh.Records, want)
			}
		})
	}
}

// TestReadWorkbookTwoReleases reads a workbook holding the 2023 sheet as
// published and a 2025 one renamed by a user: both vintages, in order.
func TestReadWorkbookTwoReleases(t *testing.T) {
	okRow := []any{"01001", "A", 1.0, 1.0, 10.0, 10.0}
	b := buildWorkbook(t, aplSheet("APL 2023", 2021, stdUnits, okRow), aplSheet("Mon export", 2023, stdUnits, okRow))
	sheets, _, err := ReadWorkbookReader(bytes.NewReader(b), "f.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	// aplSheet writes "Millésime : <populations + 2>".
	if len(sheets) != 2 || sheets[0].Vintage != 2023 || sheets[1].Vintage != 2025 || sheets[1].VintageFrom != `the note "Millésime : 2025"` || sheets[1].PopYear != 2023 {
		t.Fatalf("sheets %+v", sheets)
	}
}
