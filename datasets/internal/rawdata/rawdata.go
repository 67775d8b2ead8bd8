// Package rawdata locates the raw open data files (../shared/data/raw from
// the project root) for the tests that check the readers on the real files.
// A clone builds and tests without them: those tests skip, except when
// DIAGSANTE_REQUIRE_RAW is set (CI sets it when the raw folder is present),
// so that a moved or renamed file fails the run instead of silently
// skipping its checks.
package rawdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir is the raw data folder, relative to the project root.
const Dir = "../shared/data/raw"

// Path returns the absolute path of a raw file (a path under the raw
// folder, e.g. "drees-apl/apl_mg_2023_communes.csv"). When the file is
// absent, the test skips, or fails when DIAGSANTE_REQUIRE_RAW is set.
func Path(t testing.TB, rel string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..", "..")
	p := filepath.Join(root, Dir, rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("DIAGSANTE_REQUIRE_RAW") != "" {
			t.Fatalf("raw data required (DIAGSANTE_REQUIRE_RAW) but missing: %v", err)
		}
		t.Skipf("raw data not available: %v", err)
	}
	return p
}
