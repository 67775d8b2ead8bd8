package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
)

// TestVersionDataDates: `version` lists the date of each source of the
// embedded snapshot and flags those more than two years old (FINESS of
// 8 January 2021, BPE 2017, APL 2023) with the command that refreshes
// them; the COG 2026 and the FINESS Occitanie of March 2026 are not.
func TestVersionDataDates(t *testing.T) {
	code, out, stderr := runMain(t, "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, re := range []string{
		`(?m)^data dates \("old": more than 2 years before today, \d{4}-\d\d-\d\d\):$`,
		`(?m)^  finess    2021-01-08 old  Établissements FINESS — FINESS 2021-01-08, 89 départements: more than two years old, run diagsante datasets update --only finess$`,
		`(?m)^  finess    2026-03         Établissements FINESS — FINESS Occitanie 2026, 13 départements$`,
		`(?m)^  bpe       2017       old  Médecins généralistes par commune \(BPE, INSEE\) — BPE 2017: more than two years old, run diagsante datasets update --only rpps$`,
		`(?m)^  apl       2023       old  .* — APL 2023 \(DREES\): more than two years old, run diagsante datasets update --only apl$`,
		`(?m)^  sae       2020       old  Urgences et maternités \(SAE, DREES\) — SAE 2020: more than two years old, no automatic update$`,
		`(?m)^  cog       2026            Communes et populations de référence \(INSEE\) — COG 2026, populations de référence en vigueur en 2026$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("version output lacks %s:\n%s", re, out)
		}
	}
}

// TestDatasetsInfoDataDates: `datasets info` gives the same dates per
// table, in text and JSON; after importing an APL workbook of 2025 for
// Seine-et-Marne, the table holds two dates and only the embedded one is
// old.
func TestDatasetsInfoDataDates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "local")
	code, out, stderr := runMain(t, "datasets", "info", "establishments", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "\n  date:      2021-01-08 old  Établissements FINESS — FINESS 2021-01-08, 89 départements: more than two years old, run diagsante datasets update --only finess\n") ||
		!strings.Contains(out, "\n  date:      2026-03         Établissements FINESS — FINESS Occitanie 2026, 13 départements\n") {
		t.Fatalf("info establishments: exit %d\n%s\n%s", code, out, stderr)
	}

	book := filepath.Join(t.TempDir(), "apl_2025.xlsx")
	nemours := importertest.APLRow{Code: "77333", Name: "Nemours", Value: 2.5, Under65: 2.1, PopStd: 12800, PopTotal: 13100}
	if err := os.WriteFile(book, importertest.APLWorkbook(t, map[int][]importertest.APLRow{2025: {nemours}}), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := runMain(t, "datasets", "import", "--allow-shrink", "--apl", book, "--data-dir", dir); code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runMain(t, "datasets", "info", "apl", "--data-dir", dir)
	if code != 0 || !regexp.MustCompile(`(?m)^  date:      2023       old  .* — APL 2023 \(DREES\), \d+ départements: more than two years old, run diagsante datasets update --only apl$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^  date:      2025            .* — APL DREES 2025, 1 département$`).MatchString(out) {
		t.Fatalf("info apl after import: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, _ = runMain(t, "datasets", "info", "--json", "apl", "--data-dir", dir)
	var got struct {
		Tables []struct {
			DataDates []struct {
				Date         string   `json:"date"`
				Stale        bool     `json:"stale"`
				Departements []string `json:"departements"`
				Update       string   `json:"update"`
			} `json:"data_dates"`
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got.Tables) != 1 {
		t.Fatalf("info --json: exit %d, %v\n%s", code, err, out)
	}
	var fresh, old int
	for _, d := range got.Tables[0].DataDates {
		switch {
		case d.Date == "2025" && !d.Stale && strings.Join(d.Departements, " ") == "77":
			fresh++
		case d.Date == "2023" && d.Stale && d.Update == "diagsante datasets update --only apl":
			old++
		}
	}
	if fresh != 1 || old != 1 {
		t.Errorf("info --json apl: %+v", got.Tables[0].DataDates)
	}
}
