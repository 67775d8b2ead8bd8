package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
)

// TestDatasetsImportAPL covers the APL workbook end to end (a binary
// .xlsx cannot live in a txtar script): import, use by territory show,
// a broken workbook that leaves the first import in place.
func TestDatasetsImportAPL(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	good := filepath.Join(work, "apl_2023.xlsx")
	nemours := importertest.APLRow{Code: "77333", Name: "Nemours", Value: 1.234, Under65: 1.1, PopStd: 12800, PopTotal: 13100}
	os.WriteFile(good, importertest.APLWorkbook(t, map[int][]importertest.APLRow{2023: {nemours}}), 0o644)

	// The embedded APL 2023 of Nemours is 2.647.
	code, out, _ := runMain(t, "territory", "show", "77333", "--csv", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, ";12889;2,647\n") {
		t.Fatalf("before import: exit %d\n%s", code, out)
	}
	code, out, stderr := runMain(t, "datasets", "import", "--allow-shrink", "--apl", good, "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "apl_2023.xlsx") || !strings.Contains(out, "APL 2023 (populations 2021)") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, stderr)
	}
	code, out, stderr = runMain(t, "territory", "show", "77333", "--csv", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, ";12889;1,234\n") || !strings.Contains(stderr, "using local snapshot "+dir+" (imported: apl)") {
		t.Fatalf("after import: exit %d\n%s\n%s", code, out, stderr)
	}
	// The comparison levels are computed from the local data, not taken
	// from those stored for the embedded snapshot: Seine-et-Marne's APL is
	// now Nemours' row alone (2.382 with the embedded data).
	reportDir := filepath.Join(work, "report")
	if code, _, stderr := runMain(t, "diagnose", "77333", "--format", "json", "--out", reportDir, "--data-dir", dir); code != 0 {
		t.Fatalf("diagnose after import: exit %d\n%s", code, stderr)
	}
	var rep struct {
		Levels []struct {
			Kind    string   `json:"kind"`
			APL2023 *float64 `json:"apl_2023"`
		} `json:"levels"`
	}
	b, err := os.ReadFile(filepath.Join(reportDir, "diagnostic.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	local, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	live := diagnostic.NewEngine(local)
	for _, l := range rep.Levels {
		var want *float64
		switch l.Kind {
		case "departement":
			want = live.LevelFigures("departement", "77").APL2023
		case "france":
			want = live.LevelFigures("france", "").APL2023
		default:
			continue
		}
		if l.APL2023 == nil || want == nil || *l.APL2023 != *want {
			t.Errorf("%s APL 2023 after import: %s, want %s computed from the local data", l.Kind, ptrString(l.APL2023), ptrString(want))
		}
	}
	if len(rep.Levels) != 4 || rep.Levels[1].APL2023 == nil || math.Abs(*rep.Levels[1].APL2023-1.234) > 1e-9 {
		t.Errorf("%d levels after import, the 2nd's APL %s: want 4, Seine-et-Marne's APL 1.234 (Nemours alone)", len(rep.Levels), ptrString(rep.Levels[1].APL2023))
	}

	// The workbook covers Seine-et-Marne only: Mende keeps the embedded
	// APL 2023 (3.834).
	if _, out, _ := runMain(t, "territory", "show", "48095", "--csv", "--data-dir", dir); !strings.HasSuffix(out, ";12464;3,834\n") {
		t.Errorf("Mende after import:\n%s", out)
	}
	// The workbook has one commune of Seine-et-Marne: imported with
	// --allow-shrink, but verify fails on the partial département.
	code, out, stderr = runMain(t, "datasets", "verify", "--data-dir", dir)
	if code != 1 || !strings.Contains(out, "apl: every département of each vintage complete") || !strings.Contains(out, "APL 2023: département 77 has 1 of its") {
		t.Errorf("verify after a partial APL: exit %d\n%s\n%s", code, out, stderr)
	}
	// Without --allow-shrink it is refused, the row named.
	if code, _, stderr := runMain(t, "datasets", "import", "--apl", good, "--data-dir", t.TempDir()); code != 2 || !strings.Contains(stderr, `apl_2023.xlsx: sheet "APL 2023" row 11: département 77 stops at this row`) {
		t.Errorf("partial APL without --allow-shrink: exit %d\n%s", code, stderr)
	}
	// With --replace-national the workbook is the whole APL table: Mende
	// has none.
	national := filepath.Join(work, "national")
	if code, _, stderr := runMain(t, "datasets", "import", "--replace-national", "--allow-shrink", "--apl", good, "--data-dir", national); code != 0 || !strings.Contains(stderr, "it now covers only 77") {
		t.Fatalf("import --replace-national: exit %d\n%s", code, stderr)
	}
	if _, out, _ := runMain(t, "territory", "show", "48095", "--csv", "--data-dir", national); !strings.HasSuffix(out, ";12464;\n") {
		t.Errorf("Mende after import --replace-national:\n%s", out)
	}

	// A workbook with text in an APL cell: exit 2, sheet and cell named,
	// the previous import still in use.
	bad := filepath.Join(work, "apl_bad.xlsx")
	broken := nemours
	broken.Value = -1
	os.WriteFile(bad, importertest.APLWorkbook(t, map[int][]importertest.APLRow{2023: {broken}}), 0o644)
	code, out, stderr = runMain(t, "datasets", "import", "--apl", bad, "--data-dir", dir)
	if code != 2 || !strings.Contains(stderr, `apl_bad.xlsx: sheet "APL 2023" cell C11`) || !strings.Contains(stderr, "is unchanged") || out != "" {
		t.Fatalf("broken workbook: exit %d\n%s\n%s", code, out, stderr)
	}
	if _, out, _ := runMain(t, "territory", "show", "77333", "--csv", "--data-dir", dir); !strings.Contains(out, ";12889;1,234\n") {
		t.Errorf("previous import lost:\n%s", out)
	}
}

func ptrString(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

func TestDatasetsImportUsage(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"datasets", "import", "--data-dir", dir}, 2, "no file to import"},
		{[]string{"datasets", "import", "--rpps-savoir-faire", "x.txt", "--data-dir", dir}, 2, "needs --rpps"},
		{[]string{"datasets", "import", "--cpts", filepath.Join(dir, "none.csv"), "--data-dir", dir}, 2, "none.csv: no such file"},
		{[]string{"datasets", "import", "--cpts", dir, "--data-dir", dir}, 2, "is a folder"},
		{[]string{"datasets", "import", "extra", "--data-dir", dir}, 2, "unknown command"},
	} {
		code, _, stderr := runMain(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.err)
		}
	}
	if snapshot.HasLocal(dir) {
		t.Error("a failed import wrote a local snapshot")
	}
}

func TestDatasetsVerifyExitCodes(t *testing.T) {
	// The embedded snapshot has warnings only: exit 0.
	code, out, _ := runMain(t, "datasets", "verify", "--json")
	var checks []struct{ Check, Status, Detail string }
	if code != 0 || json.Unmarshal([]byte(out), &checks) != nil || len(checks) < 10 {
		t.Fatalf("embedded: exit %d\n%s", code, out)
	}
	// A local GP table naming a commune the COG does not know: FAIL, exit 1.
	dir := t.TempDir()
	var buf bytes.Buffer
	if _, err := snapshot.WriteGPs(&buf, []snapshot.GPCount{{Code: "99999", Count: 2, Vintage: 2025}}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, snapshot.GPFile), buf.Bytes(), 0o644)
	m, _ := json.Marshal(snapshot.Manifest{Tables: []snapshot.TableInfo{{Name: "gp_bpe", Rows: 1, Origin: "/x/gp.txt"}}})
	os.WriteFile(filepath.Join(dir, snapshot.ManifestFile), m, 0o644)
	code, out, stderr := runMain(t, "datasets", "verify", "--data-dir", dir)
	if code != 1 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "99999") || !strings.Contains(stderr, "checks failed") {
		t.Fatalf("FAIL: exit %d\n%s\n%s", code, out, stderr)
	}
}

func TestIsTerminal(t *testing.T) {
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is no terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is no terminal")
	}
}
