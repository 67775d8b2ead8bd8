package importer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// lozereRows are the embedded APL 2023 rows of Lozère (every commune).
func lozereRows(t *testing.T) []importertest.APLRow {
	var rows []importertest.APLRow
	for _, a := range embedded(t).APL {
		if a.Vintage == 2023 && strings.HasPrefix(a.Code, "48") {
			rows = append(rows, importertest.APLRow{Code: a.Code, Name: a.Code, Value: a.Value, Under65: a.Under65, PopStd: a.PopStandardised, PopTotal: a.PopTotal})
		}
	}
	if len(rows) < 100 {
		t.Fatalf("%d Lozère rows", len(rows))
	}
	return rows
}

func TestImportRefusesDamagedAPL(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	rows := lozereRows(t)
	write := func(name, scope string, names map[int]string, v map[int][]importertest.APLRow) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, importertest.APLWorkbookScope(t, scope, names, v), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	test := "Champ : Omnipraticiens libéraux ; communes de test."
	france := "Champ : Omnipraticiens libéraux ; France hors Mayotte."
	lastRow := func(n int) string { return "row " + strconv.Itoa(10+n) } // header row 9, units row 10

	// A sheet whose scope is France cut at a row: refused, sheet and last
	// row named.
	cut := write("apl_cut.xlsx", france, nil, map[int][]importertest.APLRow{2023: rows})
	_, err := strictImport(t, dir, Sources{APL: cut}, false)
	if _, ok := parseerr.As(err); !ok || !strings.Contains(err.Error(), `apl_cut.xlsx: sheet "APL 2023" `+lastRow(len(rows))+`: the sheet ends at this row`) ||
		!strings.Contains(err.Error(), "is all France") {
		t.Errorf("national sheet cut: %v", err)
	}
	// A département cut at a row: refused, the row named; accepted whole.
	part := write("apl_48_cut.xlsx", test, nil, map[int][]importertest.APLRow{2023: rows[:len(rows)/2]})
	_, err = strictImport(t, dir, Sources{APL: part}, false)
	if !strings.Contains(err.Error(), `apl_48_cut.xlsx: sheet "APL 2023" `+lastRow(len(rows)/2)+`: département 48 stops at this row (commune `+rows[len(rows)/2-1].Code+")") ||
		!strings.Contains(err.Error(), "--allow-shrink") {
		t.Errorf("département cut: %v", err)
	}
	// A renamed sheet whose name gives the vintage of another is refused,
	// not loaded over it (a renamed sheet that says its vintage loads:
	// conv_apl_test.go).
	renamed := write("apl_renamed.xlsx", test, map[int]string{2022: "APL 2023 (2)"}, map[int][]importertest.APLRow{2022: rows, 2023: rows})
	_, err = strictImport(t, dir, Sources{APL: renamed}, false)
	if err == nil || !strings.Contains(err.Error(), `apl_renamed.xlsx: sheet "APL 2023": vintage 2023 given by two sheets, "APL 2023 (2)" and "APL 2023": keep one`) {
		t.Errorf("renamed sheet: %v", err)
	}
	if snapshot.HasLocal(dir) {
		t.Fatal("a refused import wrote a local snapshot")
	}
	whole := write("apl_48.xlsx", test, nil, map[int][]importertest.APLRow{2022: rows, 2023: rows})
	if _, err := strictImport(t, dir, Sources{APL: whole}, false); err != nil {
		t.Fatalf("complete Lozère: %v", err)
	}

	// verify fails on a local APL table of which a département is partial.
	partial := filepath.Join(work, "partial")
	if _, err := tryImport(t, partial, Sources{APL: part}); err != nil {
		t.Fatal(err)
	}
	s, _, err := snapshot.LoadWithLocal(partial)
	if err != nil {
		t.Fatal(err)
	}
	c := aplCompleteCheck(s)
	if c.Status != StatusFail || !strings.Contains(c.Detail, "APL 2023: département 48 has") {
		t.Errorf("verify: %+v", c)
	}
	if c := aplCompleteCheck(embedded(t)); c.Status != StatusOK {
		t.Errorf("embedded: %+v", c)
	}
}
