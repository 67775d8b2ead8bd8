package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Two imports into the same folder must not run at once: each reads the
// snapshot in use, merges its file into it and swaps the folder, so the
// second swap would drop the table of the first. An import holds an
// advisory lock on the file .<dir>.lock beside the folder (not inside it:
// the folder is replaced by a rename) from the moment it reads the
// snapshot in use to the final rename. The lock is released by the
// operating system when the process ends, killed or not, so a lock file
// left behind never blocks the next import.

// ErrLocked is returned, with NoWait, when another import holds the lock.
var ErrLocked = errors.New("another import is running")

// A LockedError says which folder another import holds.
type LockedError struct{ Dir string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("another import is writing %s (its lock %s is held): try again when it is done, or drop --no-wait to wait for it", e.Dir, lockPath(e.Dir))
}
func (e *LockedError) Unwrap() error { return ErrLocked }

func lockPath(dir string) string {
	dir = filepath.Clean(dir)
	return filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+".lock")
}

// A dirLock is a held lock; release unlocks it.
type dirLock struct{ f *os.File }

func (l *dirLock) release() {
	if l != nil && l.f != nil {
		unlockFile(l.f)
		l.f.Close()
		l.f = nil
	}
}

// lockDir takes the import lock of dir. When another import holds it,
// lockDir returns a *LockedError if noWait, else says so on waiting (once)
// and waits, polling, until the lock is free or ctx is done.
func lockDir(ctx context.Context, dir string, noWait bool, waiting io.Writer) (*dirLock, error) {
	p := lockPath(dir)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("import lock: %w", err)
	}
	said := false
	for {
		ok, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("import lock %s: %w", p, err)
		}
		if ok {
			return &dirLock{f: f}, nil
		}
		if noWait {
			f.Close()
			return nil, &LockedError{Dir: dir}
		}
		if !said && waiting != nil {
			fmt.Fprintf(waiting, "waiting for another import in %s… (its lock is %s)\n", dir, p)
			said = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// cleanStale removes what imports killed before the end left beside dir:
// work folders .<dir>.import-* — the caller holds the lock, so no other
// import is using them. A work folder's ".previous" (the previous snapshot
// moved aside just before the final rename) is put back when dir itself is
// missing: the kill came between the two renames. It returns the names
// removed or restored, for a note.
func cleanStale(dir string) ([]string, error) {
	dir = filepath.Clean(dir)
	parent, prefix := filepath.Dir(dir), "."+filepath.Base(dir)+".import-"
	entries, err := os.ReadDir(parent)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var done []string
	_, statErr := os.Stat(dir)
	missing := errors.Is(statErr, os.ErrNotExist)
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, prefix) {
			continue
		}
		p := filepath.Join(parent, name)
		if missing && strings.HasSuffix(name, ".previous") {
			if err := os.Rename(p, dir); err == nil {
				missing = false
				done = append(done, "restored "+name+" as "+filepath.Base(dir)+" (an import was killed between its two renames)")
				continue
			}
		}
		if err := os.RemoveAll(p); err != nil {
			return done, fmt.Errorf("removing the work folder %s of an earlier import: %w", p, err)
		}
		done = append(done, "removed "+name+" (left by an import that was killed)")
	}
	return done, nil
}
