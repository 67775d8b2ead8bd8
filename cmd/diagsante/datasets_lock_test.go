package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/diagsante/diagsante/datasets/importer"
)

// Two imports at once into the same folder: both tables survive (before
// the lock, the second rename dropped the first import's table in about
// half the runs).
func TestDatasetsImportConcurrent(t *testing.T) {
	work := t.TempDir()
	cptsFile := filepath.Join(work, "cpts_2026-03.csv")
	os.WriteFile(cptsFile, []byte("cpts_nom;code_commune_insee\nCPTS du Pays de Nemours;77333\n"), 0o644)
	pop, _ := filepath.Abs("../../datasets/importer/testdata/donnees_communes_2023.csv")
	for round := range 3 {
		dir := filepath.Join(work, "local"+string(rune('a'+round)))
		var wg sync.WaitGroup
		codes, stderrs := make([]int, 2), make([]string, 2)
		for i, args := range [][]string{{"--cpts", cptsFile}, {"--population", pop}} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i], _, stderrs[i] = runMain(t, append([]string{"datasets", "import", "--data-dir", dir}, args...)...)
			}()
		}
		wg.Wait()
		if codes[0] != 0 || codes[1] != 0 {
			t.Fatalf("round %d: exit %v\n%s", round, codes, strings.Join(stderrs, "\n"))
		}
		m, ok, err := importer.ReadLocalManifest(dir)
		if err != nil || !ok || m.Table("cpts") == nil || m.Table("communes") == nil {
			t.Fatalf("round %d: a table was lost: %v %v %+v", round, ok, err, m.Tables)
		}
	}
}

// cptsLocalSnapshot imports a one-line CPTS list into a local snapshot
// folder, dir, in a temporary folder, work.
func cptsLocalSnapshot(t *testing.T) (work, dir string) {
	t.Helper()
	work = t.TempDir()
	dir = filepath.Join(work, "local")
	cptsFile := filepath.Join(work, "cpts_2026-03.csv")
	os.WriteFile(cptsFile, []byte("cpts_nom;code_commune_insee\nCPTS du Pays de Nemours;77333\n"), 0o644)
	if code, _, stderr := runMain(t, "datasets", "import", "--cpts", cptsFile, "--data-dir", dir); code != 0 {
		t.Fatal(stderr)
	}
	return work, dir
}

// A table file deleted from the local snapshot: every command warns,
// verify fails naming the file, list no longer says "imported".
func TestDatasetsDamagedLocalSnapshot(t *testing.T) {
	_, dir := cptsLocalSnapshot(t)
	missing := filepath.Join(dir, "cpts.tsv.gz")
	if err := os.Remove(missing); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runMain(t, "datasets", "list", "--data-dir", dir)
	want := "warning: damaged local snapshot " + dir + ": table cpts: file " + missing + " is missing"
	if code != 0 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "Import the file again, or remove "+dir) {
		t.Errorf("list: exit %d\n%s", code, stderr)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " cpts ") && strings.Contains(line, "imported") {
			t.Errorf("list still says imported: %s", line)
		}
	}
	if _, _, stderr := runMain(t, "territory", "show", "77333", "--csv", "--data-dir", dir); !strings.Contains(stderr, want) {
		t.Errorf("territory show does not warn:\n%s", stderr)
	}
	code, out, _ = runMain(t, "datasets", "verify", "--data-dir", dir)
	if code != 1 || !strings.Contains(out, "local snapshot: imported table files present") || !strings.Contains(out, "cpts.tsv.gz") {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
}

// A local snapshot whose contour of Nemours is not valid JSON: diagnose
// fails naming the commune, and writes no report (the contour files are
// cut into members without being validated; the ones drawn are checked).
func TestDiagnoseInvalidContour(t *testing.T) {
	work, dir := cptsLocalSnapshot(t)
	if err := os.MkdirAll(filepath.Join(dir, "contours"), 0o755); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"77333":{"type":"Polygon","coordinates":[[[2.7,48.2],[2.8,48.3],[2.7,]]]},"77001":{"type":"Point","coordinates":[2.5,48.3]}}`))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, "contours", "77.json.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "report")
	code, _, stderr := runMain(t, "diagnose", "77333", "--format", "html", "-o", out, "--data-dir", dir)
	if code != 1 || !strings.Contains(stderr, "the contour of 77333 is not valid JSON") {
		t.Errorf("exit %d, want 1 naming the contour:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "diagnostic.html")); !os.IsNotExist(err) {
		t.Errorf("a report was written: %v", err)
	}
}
