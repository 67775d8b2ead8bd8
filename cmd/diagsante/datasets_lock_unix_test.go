//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// --no-wait: another import holds the folder's lock → exit 1, clear message.
func TestDatasetsImportNoWait(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	f, err := os.OpenFile(filepath.Join(work, ".local.lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	cptsFile := filepath.Join(work, "cpts_2026-03.csv")
	os.WriteFile(cptsFile, []byte("cpts_nom;code_commune_insee\nCPTS du Pays de Nemours;77333\n"), 0o644)
	code, out, stderr := runMain(t, "datasets", "import", "--no-wait", "--cpts", cptsFile, "--data-dir", dir)
	if code != 1 || out != "" || !strings.Contains(stderr, "another import is writing "+dir) || !strings.Contains(stderr, "nothing imported") {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("folder written: %v", err)
	}
}
