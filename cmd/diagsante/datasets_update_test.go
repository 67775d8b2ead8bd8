package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/update"
	"github.com/diagsante/diagsante/datasets/update/updatetest"
)

// TestUpdateScripts runs the scripts of testdata/update against a local
// server that imitates the data.gouv.fr API: the default sources' datasets
// (ids and slugs of update.Defaults) serve fixture files in the official
// layouts, and the datasets "broken-*" serve the failures a download meets.
// DIAGSANTE_API_BASE points the scripts at it; nothing leaves the machine.
func TestUpdateScripts(t *testing.T) {
	srv := updatetest.New(updateDatasets(t))
	t.Cleanup(srv.Close) // the scripts run in parallel, after Run returns
	srv.Stall = 3 * time.Second
	testscript.Run(t, testscript.Params{
		Dir: "testdata/update",
		Setup: func(e *testscript.Env) error {
			e.Setenv("DIAGSANTE_API_BASE", srv.Base)
			e.Setenv("API", srv.Base)
			return nil
		},
	})
}

// The publication dates of the fixtures, as the API gives them.
var (
	finessPublished = time.Date(2026, 3, 11, 3, 43, 0, 0, time.UTC)
	rppsPublished   = time.Date(2026, 10, 8, 6, 0, 0, 0, time.UTC)
	aplPublished    = time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
)

func updateDatasets(t *testing.T) map[string][]*updatetest.File {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "datasets", "importer", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stock := read("etalab-cs1100507-stock-20260311-0343-lozere.csv")
	activity := read("PS_LibreAcces_Personne_activite_202603010800.txt")
	// The FiNESS+ flow in the layout of the published files (Lozère,
	// Nemours, Guadeloupe, La Réunion).
	plus, err := os.ReadFile(filepath.Join("..", "..", "datasets", "finess", "testdata", "plus_real.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// A release "APL 2024" of the Lozère: the official APL 2023 rows of its
	// communes under the new sheet name (real figures, a new vintage), beside
	// the "APL 2023" sheet, as DREES releases carry two vintages.
	snap, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	var rows []importertest.APLRow
	for _, a := range snap.APL {
		if a.Vintage == 2023 && strings.HasPrefix(a.Code, "48") {
			name := ""
			if c := snap.Commune(a.Code); c != nil {
				name = c.Name
			}
			rows = append(rows, importertest.APLRow{Code: a.Code, Name: name, Value: a.Value, Under65: a.Under65, PopStd: a.PopStandardised, PopTotal: a.PopTotal})
		}
	}
	apl := importertest.APLWorkbook(t, map[int][]importertest.APLRow{2023: rows, 2024: rows})
	src := map[string]update.Source{}
	for _, s := range update.Defaults {
		src[s.Key] = s
	}
	doc := &updatetest.File{ID: "doc", Title: "Documentation", Name: "notice.pdf", Body: []byte("%PDF-1.4"), Modified: rppsPublished.Add(time.Hour)}
	return map[string][]*updatetest.File{
		src["finess"].Dataset: {
			{ID: "f-old", Title: "Extraction FINESS", Name: "etalab-cs1100507-stock-20260115-0830.csv", Body: []byte("finess;etalab;1;2026-01-15\n"), Modified: finessPublished.AddDate(0, -2, 0)},
			{ID: "f-new", Title: "Extraction FINESS", Name: "etalab-cs1100507-stock-20260311-0343.csv", Body: stock, Modified: finessPublished},
			doc,
		},
		src["finess-plus"].Dataset: {
			{ID: "fp", Title: "Flux structures FiNESS+", Name: "finess-structures-20260504.json.gz", Body: plus, Modified: finessPublished.AddDate(0, 1, 23)},
		},
		src["rpps"].Dataset: {
			{ID: "fffda7e9-0ea2-4c35-bba0-4496f3af935d", Title: "PS_LibreAcces_Personne_activite", Name: "ps-libreacces-personne-activite.txt", Body: activity, Modified: rppsPublished},
			doc,
		},
		src["apl"].Dataset: {
			{ID: "a1", Title: "APL aux médecins généralistes 2024", Name: "apl_medecins_generalistes_2024.xlsx", Body: apl, Modified: aplPublished},
		},
		"broken-checksum": {{ID: "b1", Title: "x", Name: "etalab-cs1100507-stock-20260312-0000.csv", Body: stock, Modified: finessPublished, Behaviour: "badsum"}},
		"broken-missing":  {{ID: "b2", Title: "x", Name: "etalab-cs1100507-stock-20260313-0000.csv", Body: stock, Modified: finessPublished, Behaviour: "missing"}},
		"broken-cut":      {{ID: "b3", Title: "x", Name: "etalab-cs1100507-stock-20260314-0000.csv", Body: stock, Modified: finessPublished, Behaviour: "truncate"}},
		"broken-stall":    {{ID: "b4", Title: "x", Name: "etalab-cs1100507-stock-20260315-0000.csv", Body: stock, Modified: finessPublished, Behaviour: "stall"}},
		"broken-kind":     {{ID: "b5", Title: "x", Name: "etalab-cs1100507-stock-20260316-0000.csv", Body: activity, Modified: finessPublished}},
	}
}
