// Package importer turns the official files users download — the Annuaire
// Santé RPPS extraction, the FINESS etalab extraction, the DREES APL
// workbook, the INSEE populations de référence and age structure, a CPTS
// list — into tables of a local snapshot that the CLI loads over the
// embedded one (snapshot.LoadWithLocal), and checks the consistency of a
// snapshot (Verify).
//
// A local snapshot holds only the tables that were imported, with a
// manifest.json describing each (title, publisher, vintage read from the
// file, licence, rows, the absolute path of the file in Origin and the
// import time in Imported). Importing another source later keeps the
// tables imported before. Writing is atomic: the new snapshot is built in a
// temporary folder next to the target, loaded once to check it, then
// renamed over the previous one, so a failed import leaves the previous
// local snapshot as it was.
//
// Commune codes of every source are mapped onto the communes of the
// embedded snapshot's COG (2026): old codes of merged communes go to their
// commune nouvelle, arrondissements municipaux to Paris, Lyon or Marseille
// (except in the APL table, which keeps the codes as published, as the
// embedded one does), and what could not be mapped is counted and reported.
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Sources are the files to import, by path; empty fields are not imported.
type Sources struct {
	// RPPS is the Annuaire Santé activity table, told by its header, not
	// its name: ps-libreacces-personne-activite.txt (the current name) or
	// PS_LibreAcces_Personne_activite_*.txt, plain or gzip'd, or the
	// PS_LibreAcces_*.zip archive, whose savoir-faire member is read too.
	RPPS string
	// RPPSSavoirFaire is the companion PS_LibreAcces_SavoirFaire_*.txt
	// (plain, gzip'd or in a zip archive), needed when the activity file
	// has no savoir-faire columns and is not a zip archive holding it.
	RPPSSavoirFaire string
	FINESS          string // etalab-cs1100507-stock-*.csv (or the flat 2021 / Occitanie layouts)
	APL             string // DREES APL workbook (.xlsx)
	Population      string // INSEE donnees_communes.csv
	Ages            string // INSEE base-cc-evol-struct-pop-YYYY.CSV
	CPTS            string // CPTS list, cpts_nom;code_commune_insee[;statut]
}

// Empty reports whether no file is given.
func (s Sources) Empty() bool { return s == Sources{} }

// RPPSOnly reports whether s is an RPPS extraction alone (with its
// savoir-faire companion or not).
func (s Sources) RPPSOnly() bool {
	return s.RPPS != "" && s == Sources{RPPS: s.RPPS, RPPSSavoirFaire: s.RPPSSavoirFaire}
}

// snapshotTables are the tables an import of s reads from the snapshots
// (the COG to map codes, the tables it replaces), or nil for all of them.
// Only an RPPS import, the one of a 1 GB file where memory counts, is
// narrowed: the establishments, postcodes, APL… tables (about 60 MB
// decoded) are not read for it.
func (s Sources) snapshotTables() []string {
	if !s.RPPSOnly() {
		return nil
	}
	return []string{snapshot.CommunesFile, snapshot.ArrondissementsFile, snapshot.OldCodesFile, snapshot.EPCIFile,
		snapshot.DepartementsFile, snapshot.RegionsFile,
		snapshot.ProfessionalsFile, snapshot.GPFile, snapshot.GPSitesFile}
}

// LoadEmbedded returns the embedded snapshot for an Importer of src: the
// tables an import of src reads (see Importer.Embedded), not necessarily
// all of them.
func LoadEmbedded(src Sources) (*snapshot.Snapshot, error) {
	if tables := src.snapshotTables(); tables != nil {
		return snapshot.LoadLayersOnly(tables, snapshot.Embedded())
	}
	return snapshot.LoadEmbedded()
}

// A Result describes what one file gave.
type Result struct {
	Table   string // snapshot table written ("" when the file was only read and validated)
	File    string // absolute path of the file
	Vintage string
	Read    int // records read from the file
	Rows    int // rows of the table written
	// Unmatched counts records that could not be used: commune codes unknown
	// to the COG, establishments that could not be placed in a commune.
	Unmatched int
	Notes     []string // what was mapped, dropped or kept, in English for the terminal
}

// An InputError is a source file that cannot be opened (missing, not
// readable): bad input from the user, like a malformed file.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// An Importer converts source files against the reference data of the
// embedded snapshot.
type Importer struct {
	// Embedded is the embedded snapshot: its COG maps the codes of the
	// sources, and its communes table is the base a population file updates.
	// LoadEmbedded gives it with only the tables an import reads.
	Embedded *snapshot.Snapshot
	// Current is the snapshot in use (embedded plus the local one): a
	// regional FINESS file replaces its establishments of the départements
	// the file covers only. Nil means the snapshot of the folder Import
	// writes, read once Import holds the folder's lock.
	Current *snapshot.Snapshot
	// Progress receives a status line while reading files (a terminal);
	// nil for none.
	Progress io.Writer
	// Now gives the import time (tests fix it); nil means time.Now.
	Now func() time.Time
	// ReplaceNational makes each imported file replace its whole table,
	// which then covers only the file's départements. By default a file
	// replaces the rows of the départements it covers and keeps the others
	// (see merge.go).
	ReplaceNational bool
	// AllowShrink lets an import remove more than ShrinkLimit of the rows
	// of the départements it replaces, or empty them (see guard.go).
	AllowShrink bool
	// NoWait makes Import fail with a *LockedError when another import
	// is writing the same folder, instead of waiting for it.
	NoWait bool
	// Log receives the lines a user should see while importing: waiting
	// for another import, work folders of killed imports removed. Nil for
	// none.
	Log io.Writer

	ctx      context.Context
	codes    *Codes
	contours *ContourIndex
	inputs   map[string]string
}

// A table is one converted table, ready to be written.
type table struct {
	info  snapshot.TableInfo
	file  string
	write func(io.Writer) (int, error)
	// rows are the file's rows ([]snapshot.Establishment…), merged by
	// département with the table in use before writing; nil when write
	// alone gives them (they are then decoded back for the merge).
	rows any
	// whole says the converter built the final table itself (the communes
	// table, whose rows are fixed by the COG): no merge.
	whole bool
}

// Import converts every given file, then writes the tables into the local
// snapshot of dir, over what it already holds. Nothing is written unless
// every file converts: the first error is returned (a *parseerr.Error for
// malformed input, naming file, line and column; an *InputError for a
// file that cannot be opened; ctx.Err() when ctx is canceled, e.g. by
// Ctrl-C, while reading).
func (im *Importer) Import(ctx context.Context, dir string, src Sources) ([]Result, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	im.ctx = ctx
	if src.RPPSSavoirFaire != "" && src.RPPS == "" {
		return nil, errors.New("--rpps-savoir-faire needs --rpps (the activity file it completes)")
	}
	// The lock is held from reading the snapshot in use to the final
	// rename: an import waiting for it then merges into what the other one
	// wrote (see lock.go).
	lock, err := lockDir(ctx, dir, im.NoWait, im.Log)
	if err != nil {
		return nil, err
	}
	defer lock.release()
	cleaned, err := cleanStale(dir)
	for _, c := range cleaned {
		if im.Log != nil {
			fmt.Fprintf(im.Log, "note: %s: %s\n", filepath.Dir(filepath.Clean(dir)), c)
		}
	}
	if err != nil {
		return nil, err
	}
	if im.Current == nil && im.Embedded != nil && !snapshot.HasLocal(dir) {
		// No local snapshot: the snapshot in use is the embedded one,
		// already decoded (about 50 MB not decoded twice).
		im.Current = im.Embedded
	}
	if im.Current == nil {
		load := snapshot.LoadWithLocal
		if tables := src.snapshotTables(); tables != nil {
			load = func(dir string) (*snapshot.Snapshot, bool, error) { return snapshot.LoadWithLocalOnly(dir, tables...) }
		}
		cur, _, err := load(dir)
		if err != nil {
			return nil, fmt.Errorf("%w (remove the folder to start again from the embedded snapshot)", err)
		}
		im.Current = cur
	}
	im.codes = NewCodes(im.Embedded)
	im.inputs = map[string]string{}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	imported := now().UTC().Format(time.RFC3339)

	var results []Result
	var tables []table
	steps := []struct {
		path string
		fn   func(string) ([]table, []Result, error)
	}{
		{src.Population, im.population},
		{src.APL, im.apl},
		{src.RPPS, func(p string) ([]table, []Result, error) {
			sf := src.RPPSSavoirFaire
			if sf != "" {
				if abs, err := filepath.Abs(sf); err == nil {
					sf = abs
				}
			}
			return im.rpps(p, sf)
		}},
		{src.FINESS, im.finess},
		{src.CPTS, im.cpts},
		{src.Ages, im.ages},
	}
	for _, s := range steps {
		if s.path == "" {
			continue
		}
		abs, err := filepath.Abs(s.path)
		if err != nil {
			return nil, err
		}
		ts, rs, err := s.fn(abs)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			rs[i].File = abs
		}
		// The tables of a file merge side by side (the merge only reads
		// the snapshot in use and the COG); notes and the first error are
		// taken in table order.
		notes, errs := make([]string, len(ts)), make([]error, len(ts))
		var wg sync.WaitGroup
		for i := range ts {
			ts[i].info.Origin = abs
			ts[i].info.Imported = imported
			if len(ts[i].info.Files) == 0 {
				ts[i].info.Files = []string{abs}
			}
			wg.Go(func() { notes[i], errs[i] = im.merge(&ts[i]) })
		}
		wg.Wait()
		for i := range ts {
			note, err := notes[i], errs[i]
			if err != nil {
				return nil, err
			}
			for j := range rs {
				if rs[j].Table == ts[i].info.Name {
					rs[j].Rows = ts[i].info.Rows
					if note != "" {
						rs[j].Notes = append(rs[j].Notes, note)
					}
				}
			}
		}
		results = append(results, rs...)
		tables = append(tables, ts...)
	}
	if len(tables) == 0 {
		return results, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, writeLocal(dir, tables, im.inputs)
}

// source is an opened input: its reader counts bytes for the progress line
// and hashes the content for the manifest.
type source struct {
	f      *os.File
	r      io.Reader
	h      hash.Hash
	size   int64
	prog   *progress
	path   string
	im     *Importer
	rows   int
	closed bool
}

// tick counts a record for the progress line, and reports a cancellation
// now and then (checking on every record would cost more than it saves).
func (s *source) tick() error {
	s.prog.row()
	s.rows++
	if s.rows&4095 == 0 {
		return s.im.ctx.Err()
	}
	return nil
}

func (im *Importer) open(path, label string) (*source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: path, Err: errors.Unwrap(err)}
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &InputError{Path: path, Err: err}
	}
	if st.IsDir() {
		f.Close()
		return nil, &InputError{Path: path, Err: errors.New("is a folder, want a file")}
	}
	s := &source{f: f, h: sha256.New(), size: st.Size(), path: path, im: im}
	s.prog = startProgress(im.Progress, label, st.Size())
	s.r = io.TeeReader(s.prog.reader(f), s.h)
	return s, nil
}

// close stops the progress line and records the file's sha256 once the
// whole file was read. Calls after the first do nothing, so that a deferred
// close can back an early one.
func (s *source) close(complete bool) {
	if s.closed {
		return
	}
	s.closed = true
	s.prog.done()
	if complete {
		// Readers may stop before the end (trailing data after a footer):
		// hash the rest so the sum is the file's.
		io.Copy(s.h, s.f)
		s.im.inputs[s.path] = hex.EncodeToString(s.h.Sum(nil))
	}
	s.f.Close()
}

// modDate is the modification date of a file, the vintage of last resort.
func modDate(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return st.ModTime().Format("2006-01-02")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

const licenceOuverte = "Licence Ouverte / Open Licence 2.0 (Etalab)"

// ticks counts n records for the progress line and reports a
// cancellation, for readers that hand records over in batches.
func (s *source) ticks(n int) error {
	s.prog.rows.Add(int64(n))
	s.rows += n
	return s.im.ctx.Err()
}
