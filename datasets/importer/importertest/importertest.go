// Package importertest builds, for tests, the official files that are not
// text and so cannot be committed as readable fixtures: the DREES APL
// workbook, in the layout of the 2022–2023 release.
package importertest

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"github.com/xuri/excelize/v2"
)

// An APLRow is one commune of an APL sheet. A Value of -1 writes the text
// "abc" in the APL cell, to make a broken workbook.
type APLRow struct {
	Code                             string
	Name                             string
	Value, Under65, PopStd, PopTotal float64
}

const (
	unitAPL = "En nombre de consultations/visites accessibles par habitant standardisé"
	unitStd = "En nombre d'habitants standardisés"
	unitTot = "En nombre d'habitants"
)

// APLWorkbook returns an .xlsx workbook with one sheet "APL <vintage>" per
// vintage: title and notes, the header on row 9, the units on row 10, the
// communes from row 11, populations of vintage-2.
//
// The scope line says "communes de test": a workbook whose scope is France
// must hold every commune (apl.NationalMinRows), see APLWorkbookScope.
func APLWorkbook(tb testing.TB, vintages map[int][]APLRow) []byte {
	tb.Helper()
	return APLWorkbookScope(tb, "Champ : Omnipraticiens libéraux ; communes de test.", nil, vintages)
}

// APLWorkbookScope is APLWorkbook with the given scope line ("Champ : …
// France hors Mayotte." as DREES writes it) and sheet names (by vintage;
// "APL <vintage>" when absent).
func APLWorkbookScope(tb testing.TB, scope string, names map[int]string, vintages map[int][]APLRow) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	years := make([]int, 0, len(vintages))
	for y := range vintages {
		years = append(years, y)
	}
	sort.Ints(years)
	for i, y := range years {
		name := fmt.Sprintf("APL %d", y)
		if n, ok := names[y]; ok {
			name = n
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				tb.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			tb.Fatal(err)
		}
		rows := [][]any{
			{fmt.Sprintf("Indicateur d'accessibilité potentielle localisée (APL) %d aux médecins généralistes", y)},
			nil,
			{fmt.Sprintf("Millésime : %d", y)},
			{"Sources : SNIIR-AM, Insee ; Traitements Drees."},
			{scope},
			nil, nil, nil,
			{"Code commune INSEE", "Commune", "APL aux médecins généralistes", "APL aux médecins généralistes de moins de 65 ans",
				fmt.Sprintf("Population standardisée %d pour la médecine générale", y-2), fmt.Sprintf("Population totale %d", y-2)},
			{nil, nil, unitAPL, unitAPL, unitStd, unitTot},
		}
		for _, r := range vintages[y] {
			var v any = r.Value
			if r.Value == -1 {
				v = "abc"
			}
			rows = append(rows, []any{r.Code, r.Name, v, r.Under65, r.PopStd, r.PopTotal})
		}
		for ri, row := range rows {
			for ci, v := range row {
				if v == nil {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				if err := f.SetCellValue(name, ref, v); err != nil {
					tb.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
