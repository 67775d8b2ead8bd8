package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

func TestCheckDate(t *testing.T) {
	now := time.Date(2026, 5, 6, 12, 0, 0, 0, time.UTC)
	for d, want := range map[string]string{
		"2026-05-04": "",
		"2026-05-07": "", // tomorrow: time zones
		"2026-05-08": "in the future",
		"2026-13-45": "not a calendar date",
		"2025-02-29": "not a calendar date",
		"1989-12-31": "before 1990",
		"2021":       "",
		"2099":       "in the future",
		"2024-02":    "",
		"20240101":   "not YYYY-MM-DD",
	} {
		err := checkDate(d, now)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("checkDate(%q) = %v, want %q", d, err, want)
		}
	}
}

// A FINESS stock file dated 2026-13-45 is refused at line 1, field 4,
// and so are file names dated in the future; nothing is written.
func TestImportRefusesBadVintageDates(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	stock := filepath.Join(work, "etalab-cs1100507-stock.csv")
	b, err := os.ReadFile(fixture("etalab-cs1100507-stock-20260504-0336.csv"))
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(b), "\n")
	f := strings.Split(first, ";")
	f[3] = "2026-13-45"
	os.WriteFile(stock, []byte(strings.Join(f, ";")+"\n"+rest), 0o644)
	_, err = tryImport(t, dir, Sources{FINESS: stock})
	var pe *parseerr.Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "etalab-cs1100507-stock.csv:1:4: header date") || !strings.Contains(err.Error(), `"2026-13-45" is not a calendar date`) {
		t.Fatalf("got %v", err)
	}
	future := filepath.Join(work, "cpts_2099-01.csv")
	os.WriteFile(future, []byte("cpts_nom;code_commune_insee\nCPTS X;77333\n"), 0o644)
	if _, err = tryImport(t, dir, Sources{CPTS: future}); err == nil || !strings.Contains(err.Error(), "cpts_2099-01.csv: the file name's date 2099-01 is in the future") {
		t.Fatalf("future file name: %v", err)
	}
	if snapshot.HasLocal(dir) {
		t.Error("a refused import wrote a local snapshot")
	}
}

func strictImport(t *testing.T, dir string, src Sources, national bool) ([]Result, error) {
	t.Helper()
	im := &Importer{Embedded: embedded(t), Now: func() time.Time { return importTime }, contours: contours(t), ReplaceNational: national}
	return im.Import(t.Context(), dir, src)
}

// A CPTS list whose only known commune is in Bouches-du-Rhône would
// replace the embedded perimeters of 13 by one row: refused, with the
// counts per département, unless allowed; the same for a Lozère FINESS
// excerpt and for --replace-national.
func TestImportRefusesShrink(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	list := filepath.Join(work, "cpts_2026-03.csv")
	os.WriteFile(list, []byte("cpts_nom;code_commune_insee\nCPTS X;13001\nCPTS Y;99999\nCPTS Z;99998\n"), 0o644)
	emb, in13 := embedded(t), 0
	for _, c := range emb.CPTS {
		if strings.HasPrefix(c.Commune, "13") {
			in13++
		}
	}
	_, err := strictImport(t, dir, Sources{CPTS: list}, false)
	var ie *InputError
	var se *ShrinkError
	if !errors.As(err, &ie) || !errors.As(err, &se) {
		t.Fatalf("got %v", err)
	}
	want := fmt.Sprintf("cpts_2026-03.csv: the import would shrink table cpts from %d to 1 rows in the départements it replaces", in13)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("13 -%d (%d → 1)", in13-1, in13)) || !strings.Contains(err.Error(), "--allow-shrink") {
		t.Errorf("got %v\nwant %q", err, want)
	}
	if _, err := strictImport(t, dir, Sources{CPTS: list}, true); !errors.As(err, &se) || !strings.Contains(err.Error(), "(--replace-national replaces the whole table)") || !strings.Contains(err.Error(), "from 912 to 1 rows") {
		t.Errorf("national: %v", err)
	}
	if _, err := strictImport(t, dir, Sources{FINESS: fixture("etalab-cs1100507-stock-20260311-0343-lozere.csv")}, false); !errors.As(err, &se) || se.Deps[0].Dep != "48" {
		t.Errorf("Lozère FINESS: %v", err)
	}
	if snapshot.HasLocal(dir) {
		t.Fatal("a refused import wrote a local snapshot")
	}
	// Allowed: the note says what was removed.
	res, err := tryImport(t, dir, Sources{CPTS: list})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res[0].Notes, "\n"), fmt.Sprintf("--allow-shrink: %d rows removed", in13-1)) {
		t.Errorf("notes %q", res[0].Notes)
	}
	// A file that adds rows where the table had none is no shrink.
	add := filepath.Join(work, "cpts_2026-04.csv")
	os.WriteFile(add, []byte("cpts_nom;code_commune_insee\nCPTS N;77333\n"), 0o644)
	if _, err := strictImport(t, filepath.Join(work, "other"), Sources{CPTS: add}, false); err != nil {
		t.Errorf("adding rows: %v", err)
	}
}
