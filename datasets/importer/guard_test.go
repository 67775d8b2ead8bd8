package importer

import (
	"errors"
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
