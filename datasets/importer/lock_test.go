package importer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLockDirWaitsOrFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "local")
	held, err := lockDir(t.Context(), dir, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	// --no-wait: a clear error naming the folder.
	_, err = lockDir(t.Context(), dir, true, nil)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another import is writing "+dir) {
		t.Fatalf("no-wait: %v", err)
	}
	// Waiting: a message, then the lock once released.
	var msg bytes.Buffer
	got := make(chan error, 1)
	go func() {
		l, err := lockDir(context.Background(), dir, false, &msg)
		if err == nil {
			l.release()
		}
		got <- err
	}()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-got:
		t.Fatalf("took a held lock: %v", err)
	default:
	}
	held.release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(msg.String(), "waiting for another import in "+dir+"…") {
		t.Errorf("waiting message %q", msg.String())
	}
	// A canceled wait returns.
	held, _ = lockDir(t.Context(), dir, false, nil)
	defer held.release()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := lockDir(ctx, dir, false, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("canceled wait: %v", err)
	}
}

// Work folders of killed imports are removed by the next import; the
// previous snapshot moved aside is put back when the kill came between
// the two renames.
func TestImportCleansStaleWorkFolders(t *testing.T) {
	work := t.TempDir()
	dir := filepath.Join(work, "local")
	importInto(t, dir, Sources{CPTS: fixture("cpts_test_2026-03.csv")})
	stale := filepath.Join(work, ".local.import-123456")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "apl.tsv.gz"), []byte("half"), 0o644)
	other := filepath.Join(work, ".other.import-1") // another folder's: kept
	os.MkdirAll(other, 0o755)
	importInto(t, dir, Sources{Population: fixture("donnees_communes_2023.csv")})
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale work folder kept: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another folder's work folder removed: %v", err)
	}

	// Killed between "dir → aside" and "tmp → dir".
	aside := filepath.Join(work, ".local.import-999.previous")
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(work, ".local.import-999"), 0o755)
	_, err := tryImport(t, dir, Sources{CPTS: fixture("cpts_test_2026-03.csv")})
	if err != nil {
		t.Fatal(err)
	}
	m, ok, err := ReadLocalManifest(dir)
	if err != nil || !ok || m.Table("communes") == nil || m.Table("cpts") == nil {
		t.Fatalf("previous snapshot not restored: %v %v %+v", ok, err, m.Tables)
	}
	entries, _ := os.ReadDir(work)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".local.import-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
