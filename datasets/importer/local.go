package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// ReadLocalManifest reads the manifest of the local snapshot in dir; ok is
// false when dir holds none.
func ReadLocalManifest(dir string) (m snapshot.Manifest, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, snapshot.ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, false, fmt.Errorf("local snapshot %s: %s: %w (remove the folder to start again from the embedded snapshot)", dir, snapshot.ManifestFile, err)
	}
	return m, true, nil
}

// writeLocal writes tables into the local snapshot of dir, keeping the
// tables it already holds that are not replaced. The new snapshot is built
// in a temporary folder beside dir and checked by loading it over the
// embedded snapshot; only then does it replace dir.
func writeLocal(dir string, tables []table, inputs map[string]string) (err error) {
	dir = filepath.Clean(dir)
	old, hasOld, err := ReadLocalManifest(dir)
	if err != nil {
		return err
	}
	if !hasOld {
		// Refuse to swap a folder that is not ours: --data-dir pointing at
		// a folder of other files must not make them disappear.
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if len(entries) > 0 {
			return &InputError{Path: dir, Err: fmt.Errorf("exists and is not a diagsante local snapshot (no %s): choose an empty or new folder with --data-dir", snapshot.ManifestFile)}
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".import-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	// MkdirTemp makes a private folder; the snapshot is no secret.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}

	replaced := map[string]bool{snapshot.ManifestFile: true}
	for _, t := range tables {
		replaced[t.file] = true
	}
	if hasOld {
		if err := copyEntries(dir, tmp, replaced); err != nil {
			return fmt.Errorf("copying the previous local snapshot: %w", err)
		}
	}
	m := snapshot.Manifest{Generated: "diagsante datasets import", Unmatched: map[string]int{}, Inputs: map[string]string{}}
	if hasOld {
		m.Tables = old.Tables
		for k, v := range old.Inputs {
			m.Inputs[k] = v
		}
	}
	// Tables are compressed in parallel: a national RPPS import writes
	// three tables of 25,000 to 250,000 rows, a second each on one core.
	var g errgroup.Group
	written := make([]string, 0, len(tables))
	for _, t := range tables {
		g.Go(func() error { return writeTableFile(filepath.Join(tmp, t.file), t) })
		written = append(written, t.file)
	}
	if err := g.Wait(); err != nil {
		return err
	}
	// The rows are written: let them go before loading the files back.
	for i := range tables {
		tables[i].rows, tables[i].write = nil, nil
	}
	for _, t := range tables {
		i := slices.IndexFunc(m.Tables, func(x snapshot.TableInfo) bool { return x.Name == t.info.Name })
		if i >= 0 {
			m.Tables[i] = t.info
		} else {
			m.Tables = append(m.Tables, t.info)
		}
	}
	for k, v := range inputs {
		m.Inputs[k] = v
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, snapshot.ManifestFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	// The tables not written are those in use, which loaded: the check
	// decodes the new files and the manifest.
	if _, err := snapshot.LoadLayersOnly(written, os.DirFS(tmp), snapshot.Embedded()); err != nil {
		return fmt.Errorf("the new local snapshot does not load (nothing replaced): %w", err)
	}
	return swapDir(tmp, dir)
}

func writeTableFile(path string, t table) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	n, err := t.write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	if n != t.info.Rows {
		return fmt.Errorf("writing %s: %d rows written, %d expected", filepath.Base(path), n, t.info.Rows)
	}
	return nil
}

// copyEntries copies what dir holds into tmp, except the names in skip:
// hard links where the file system allows (the files are never modified in
// place, only replaced), copies elsewhere.
func copyEntries(dir, tmp string, skip map[string]bool) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if skip[e.Name()] {
			continue
		}
		src, dst := filepath.Join(dir, e.Name()), filepath.Join(tmp, e.Name())
		if e.IsDir() {
			if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
				return err
			}
			continue
		}
		if !e.Type().IsRegular() {
			continue
		}
		if os.Link(src, dst) == nil {
			continue
		}
		if err := copyFile(src, dst); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// swapDir puts tmp in the place of dir. A folder cannot be replaced in one
// rename, so the previous one is moved aside first and moved back if the
// second rename fails.
func swapDir(tmp, dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	aside := tmp + ".previous"
	if err := os.Rename(dir, aside); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(aside, dir); rerr != nil {
			return fmt.Errorf("%w; the previous local snapshot is in %s", err, aside)
		}
		return err
	}
	return os.RemoveAll(aside)
}
