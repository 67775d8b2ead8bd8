package importer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// TestImportAPLNewRelease imports releases after 2023 without code
// changes: a sheet named "APL_2025 " and one renamed "Feuil1" whose
// vintage is its Millésime note, said in the result.
func TestImportAPLNewRelease(t *testing.T) {
	wb := filepath.Join(t.TempDir(), "apl_mg_2024_2025.xlsx")
	nemours := importertest.APLRow{Code: "77333", Name: "Nemours", Value: 2.5, Under65: 2.25, PopStd: 12900, PopTotal: 13200}
	ajaccio := importertest.APLRow{Code: "2A004", Name: "Ajaccio", Value: 3.75, Under65: 3, PopStd: 76000, PopTotal: 74900}
	b := importertest.APLWorkbookScope(t, "Champ : Omnipraticiens libéraux ; communes de test.",
		map[int]string{2024: "Feuil1", 2025: "APL_2025 "},
		map[int][]importertest.APLRow{2024: {nemours, ajaccio}, 2025: {nemours}})
	if err := os.WriteFile(wb, b, 0o644); err != nil {
		t.Fatal(err)
	}
	res, s := importInto(t, t.TempDir(), Sources{APL: wb})
	r := res[0]
	if r.Read != 3 || r.Vintage != "APL 2024 (populations 2022), APL 2025 (populations 2023)" ||
		!containsNote(r.Notes, `sheet "Feuil1": vintage 2024 from the note "Millésime : 2024" (the sheet name gives no year)`) ||
		containsNote(r.Notes, `sheet "APL_2025 ": vintage`) {
		t.Errorf("result %+v", r)
	}
	got := map[int]snapshot.APL{}
	for _, a := range s.APL {
		if a.Code == "77333" {
			got[a.Vintage] = a
		}
	}
	if a := got[2024]; a.Value != 2.5 || a.Under65 != 2.25 || a.PopStandardised != 12900 || a.PopTotal != 13200 || a.PopYear != 2022 {
		t.Errorf("Nemours APL 2024: %+v", a)
	}
	if a := got[2025]; a.Value != 2.5 || a.PopYear != 2023 {
		t.Errorf("Nemours APL 2025: %+v", a)
	}
	if a, ok := find(s.APL, func(a snapshot.APL) bool { return a.Code == "2A004" && a.Vintage == 2024 }); !ok || a.Value != 3.75 || a.PopTotal != 74900 {
		t.Errorf("Ajaccio APL 2024: %+v", a)
	}
	if c, ok := s.Manifest.Table("apl").Covers("77"); !ok || c.Source != "APL DREES 2024, 2025" || c.Vintage != "2025" {
		t.Errorf("coverage of 77: %+v", c)
	}
}
