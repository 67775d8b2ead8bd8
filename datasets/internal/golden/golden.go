// Package golden compares test output with testdata/*.golden files; run
// the tests with -update to rewrite them after checking the diff.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// Check compares got with testdata/name.golden, or writes it with -update.
func Check(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended):\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// Each runs render on every file matching testdata/pattern, in a subtest
// named after the file, and checks the output against
// testdata/<file name>.golden. It fails if nothing matches, so a renamed
// fixture directory cannot make the test pass vacuously.
func Each(t *testing.T, pattern string, render func(t *testing.T, path string) string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixture matches testdata/%s (%v)", pattern, err)
	}
	for _, p := range paths {
		base := filepath.Base(p)
		t.Run(base, func(t *testing.T) {
			Check(t, base, render(t, p))
		})
	}
}
