package templates

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
)

// The tests render real territories from the embedded snapshot, loaded once.
var (
	testOnce   sync.Once
	testSnap   *snapshot.Snapshot
	testEngine *diagnostic.Engine
	testErr    error
)

// testDate is the fixed day of the test reports, so that pages and
// workbooks do not change with the day the tests run.
var testDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// testReport builds the report of a territory and the contours of its
// communes, as `diagnose` does.
func testReport(t testing.TB, items ...string) (*diagnostic.Report, map[string]json.RawMessage) {
	t.Helper()
	testOnce.Do(func() {
		testSnap, testErr = snapshot.LoadEmbedded()
		if testErr == nil {
			testEngine = diagnostic.NewEngine(testSnap)
			testEngine.Date = testDate
		}
	})
	if testErr != nil {
		t.Fatal(testErr)
	}
	terr, err := diagnostic.NewResolver(testSnap).Resolve(items...)
	if err != nil {
		t.Fatal(err)
	}
	rep := testEngine.Build(terr, "")
	contours := map[string]json.RawMessage{}
	for _, c := range rep.Communes {
		g, err := testSnap.Contours(c.Dep)
		if err != nil {
			t.Fatal(err)
		}
		if geom, ok := g[c.Code]; ok {
			contours[c.Code] = geom
		}
	}
	return rep, contours
}

// communeOf returns a commune of the report by code.
func communeOf(t testing.TB, r *diagnostic.Report, code string) *diagnostic.CommuneFigures {
	t.Helper()
	for i := range r.Communes {
		if r.Communes[i].Code == code {
			return &r.Communes[i]
		}
	}
	t.Fatalf("commune %s not in the report", code)
	return nil
}

// withAccess fills the travel-time figures the accessibility engine will
// give, so that the tests cover both states of the report.
func withAccess(r *diagnostic.Report) {
	r.Access = []diagnostic.AccessFigures{
		{Kind: "emergency", Label: "Services d'urgences", MeanMinutes: 17.26, Beyond15: 0.412, Beyond20: 0.2, Beyond30: 0.05},
		{Kind: "msp", Label: "Maisons de santé", MeanMinutes: 9.5, Beyond15: 0.1, Beyond20: 0.02, Beyond30: 0},
	}
	for i := range r.Communes {
		r.Communes[i].Nearest = map[string]diagnostic.NearestFacility{
			"emergency": {Finess: "770000214", Name: "CH DE NEMOURS", Commune: "Nemours", Km: 12.34, Minutes: 16.4},
		}
	}
}

// withoutAccess empties the travel-time figures: the state of a report
// whose accessibility engine did not run.
func withoutAccess(r *diagnostic.Report) {
	r.Access = []diagnostic.AccessFigures{}
	for i := range r.Communes {
		r.Communes[i].Nearest = nil
	}
}

// needTool skips a test when a tool it drives is missing, except in CI
// (CI set, as .ci/run does), where the tool is installed on purpose and its
// absence must fail the run rather than silently skip the checks.
func needTool(t testing.TB, what, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI (%s): see .ci/run", what, why)
	}
	t.Skipf("%s not installed (%s)", what, why)
}

// libreOffice returns the LibreOffice binary, or skips the test without it
// (fails in CI, see needTool).
func libreOffice(t testing.TB, why string) string {
	t.Helper()
	for _, name := range []string{"libreoffice", "soffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	needTool(t, "libreoffice", why)
	return ""
}

// runLibreOffice runs LibreOffice headless in dir with a profile of its own
// (a running LibreOffice or a stale lock elsewhere cannot take the
// conversion over), with a time limit; args are its conversion arguments.
func runLibreOffice(t testing.TB, bin, dir string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	return out
}
