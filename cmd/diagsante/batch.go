package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

type batchOptions struct {
	*globalOptions
	Job         string
	Departement string
	By          string
	Out         string
	Jobs        int
	Formats     string
	Force       bool
	CSVLocale   string
}

func newBatchCommand(g *globalOptions) *cobra.Command {
	opts := &batchOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "batch --departement DEP --by epci|cpts|commune",
		Short: "Write one diagnostic per EPCI, CPTS or commune of a département, with an index",
		Long: `Write one report folder per unit of a département (its EPCI, its CPTS
perimeters, or its communes) plus index.html (a sortable table of the units
with their headline indicators and links), index.xlsx and index.csv, in
French like the reports.

Units run in parallel (--jobs, default the number of cores). A unit that
fails is reported and the others complete; the exit status is then 1. A
unit whose report is up to date (same program version, same data, same
formats) is skipped unless --force.

An EPCI is a unit of the département when one of its communes is; its report
covers the whole EPCI. CPTS perimeters are known for the PACA région only.

Batch jobs can be declared in diagsante.yaml and run with --job NAME:

  batches:
    seine-et-marne:
      departement: "77"
      by: epci
      out: rapports/77
      format: html,xlsx
      csv-locale: fr
` + csvLocaleHelp + exitStatusHelp,
		Example: `  diagsante batch --departement 48 --by epci --out lozere
  diagsante batch --departement 77 --by commune --jobs 2 --format html
  diagsante batch --job seine-et-marne`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.applyJob(cmd); err != nil {
				return err
			}
			return runBatch(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Job, "job", "", "run the batch job of this name declared in diagsante.yaml (batches:)")
	cmd.Flags().StringVarP(&opts.Departement, "departement", "d", "", "département code (77, 2A, 974)")
	cmd.Flags().StringVar(&opts.By, "by", "epci", "unit of the reports: epci, cpts or commune")
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output folder (default: batch-<dep>-<by>)")
	cmd.Flags().IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "units computed in parallel")
	cmd.Flags().StringVar(&opts.Formats, "format", "html,xlsx", "formats of each report: html, xlsx, json, csv, geojson")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "rewrite reports that are up to date")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

// applyJob fills the options the user did not give on the command line from
// the job of that name in the configuration.
func (o *batchOptions) applyJob(cmd *cobra.Command) error {
	if o.Job == "" {
		return nil
	}
	jobs := o.cfg.GetStringMap("batches")
	if _, ok := jobs[strings.ToLower(o.Job)]; !ok {
		names := make([]string, 0, len(jobs))
		for n := range jobs {
			names = append(names, n)
		}
		sort.Strings(names)
		return usageErr(fmt.Errorf("no batch job %q in the configuration (batches: %s)", o.Job, strings.Join(names, ", ")))
	}
	job := o.cfg.Sub("batches." + strings.ToLower(o.Job))
	for _, name := range batchJobKeys {
		// The job's settings win over the file's top level, not over the
		// command line or the environment.
		if (cmd.Flags().Changed(name) && !o.fromFile[name]) || job == nil || !job.IsSet(name) {
			continue
		}
		key := "batches." + strings.ToLower(o.Job) + "." + name
		if err := setFromConfig(cmd.Flags(), cmd.Flags().Lookup(name), job.Get(name), o.cfgDoc.where(key), "batches: "+o.Job+": "+name); err != nil {
			return err
		}
	}
	return nil
}

// A batchUnit is one report of a batch.
type batchUnit struct {
	Key, Name string
	Items     []string
	Dir       string // folder name inside the batch folder
}

func batchUnits(s *snapshot.Snapshot, dep, by string) ([]batchUnit, error) {
	var units []batchUnit
	inDep := func(code string) bool { c := s.Commune(code); return c != nil && c.Dep == dep }
	switch by {
	case "epci":
		for _, e := range s.EPCIs {
			for _, m := range e.Members {
				if inDep(m) {
					units = append(units, batchUnit{Key: e.Siren, Name: e.Name, Items: []string{"epci:" + e.Siren}, Dir: e.Siren + "-" + territorySlug(e.Name)})
					break
				}
			}
		}
		// Communes outside any EPCI (islands) get a report of their own.
		for _, c := range s.Communes {
			if c.Dep == dep && c.EPCI == "" {
				units = append(units, batchUnit{Key: c.Code, Name: c.Name, Items: []string{c.Code}, Dir: c.Code + "-" + territorySlug(c.Name)})
			}
		}
	case "commune":
		for _, c := range s.Communes {
			if c.Dep == dep {
				units = append(units, batchUnit{Key: c.Code, Name: c.Name, Items: []string{c.Code}, Dir: c.Code + "-" + territorySlug(c.Name)})
			}
		}
	case "cpts":
		seen := map[string]bool{}
		for _, m := range s.CPTS {
			if inDep(m.Commune) && !seen[m.CPTS] {
				seen[m.CPTS] = true
				units = append(units, batchUnit{Key: m.CPTS, Name: m.CPTS, Items: []string{"cpts:" + m.CPTS}, Dir: territorySlug(m.CPTS)})
			}
		}
		if len(units) == 0 {
			return nil, usageErr(fmt.Errorf("no CPTS perimeter is known in département %s (the embedded data has PACA only; import a CPTS list with `datasets import --cpts`)", dep))
		}
	default:
		return nil, usageErr(fmt.Errorf("--by %q: want epci, cpts or commune", by))
	}
	sort.Slice(units, func(i, j int) bool { return units[i].Key < units[j].Key })
	return units, nil
}

// stamp identifies the inputs of a unit's report: a report is up to date when
// its stamp matches.
type stamp struct {
	Version string   `json:"version"`
	Data    string   `json:"data"`
	Items   []string `json:"items"`
	Formats []string `json:"formats"`
	// CSVLocale is the convention of diagnostic.csv, set when the formats
	// have csv: a report written in the other convention is not up to date.
	CSVLocale templates.CSVLocale `json:"csv_locale,omitempty"`
}

const stampFile = ".diagsante-unit.json"

func (st stamp) upToDate(dir string, files []string) bool {
	b, err := os.ReadFile(filepath.Join(dir, stampFile))
	if err != nil {
		return false
	}
	want, _ := json.Marshal(st)
	if !bytes.Equal(bytes.TrimSpace(b), want) {
		return false
	}
	for _, f := range files {
		// A zero-byte report is what a full disk or a killed writer of an
		// older version left: never up to date.
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			return false
		}
	}
	return true
}

// dataHash identifies the snapshot a report was computed from.
func dataHash(s *snapshot.Snapshot) string {
	b, _ := json.Marshal(s.Manifest.Tables)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func runBatch(ctx context.Context, opts *batchOptions) error {
	if opts.Departement == "" {
		return usageErr(errors.New("--departement is required (or --job)"))
	}
	if opts.Jobs < 1 {
		return usageErr(errors.New("--jobs must be at least 1"))
	}
	formats, err := parseFormats(opts.Formats)
	if err != nil {
		return err
	}
	loc, err := csvLocale(opts.CSVLocale)
	if err != nil {
		return err
	}
	st := stamp{Version: opts.Build.Version, Formats: formats}
	if hasFormat(formats, "csv") {
		st.CSVLocale = loc
	}
	// The official APL rows are read for the units' places only, once
	// they are known (see below).
	opts.snapTables = slices.DeleteFunc(snapshot.ReportFiles(), func(f string) bool { return f == snapshot.APLFile })
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	dep := strings.ToUpper(opts.Departement)
	if len(dep) == 1 {
		dep = "0" + dep
	}
	d := s.Departement(dep)
	if d == nil {
		return usageErr(fmt.Errorf("--departement %q: unknown département code", opts.Departement))
	}
	units, err := batchUnits(s, dep, opts.By)
	if err != nil {
		return err
	}
	out := opts.Out
	if out == "" {
		out = "batch-" + strings.ToLower(dep) + "-" + opts.By
	}
	if err := checkOutDir("--out", out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	// The engine indexes the official APL of the units' places only (as a
	// diagnose does), not of all France: the comparison levels take theirs
	// from the stored figures, or index all places when they compute them.
	res := diagnostic.NewResolver(s)
	var places []string
	for _, u := range units {
		if t, err := res.Resolve(u.Items...); err == nil {
			places = append(places, t.Communes...)
		} // runUnit reports the error
	}
	slices.Sort(places)
	places = slices.Compact(places)
	if err := s.LoadAPLOf(places); err != nil {
		return err
	}
	if err := loadLevelsAPL(s); err != nil {
		return err
	}
	eng, err := opts.newEngineOf(s, places)
	if err != nil {
		return err
	}
	st.Data = dataHash(s)

	rows := runUnits(ctx, opts, units, func(u batchUnit) (templates.IndexRow, bool, error) {
		ust := st
		ust.Items = u.Items
		return runUnit(ctx, s, eng, res, u, filepath.Join(out, u.Dir), formats, loc, ust, opts.Force)
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	return writeBatchIndex(ctx, opts, d.Name, dep, out, rows, loc)
}

// runUnits runs the units, opts.Jobs at a time, and returns their index
// rows in unit order. A failed unit is a row with its error, not a reason
// to stop the others; after Ctrl-C (ctx done) no unit starts.
func runUnits(ctx context.Context, opts *batchOptions, units []batchUnit, run func(batchUnit) (templates.IndexRow, bool, error)) []templates.IndexRow {
	rows := make([]templates.IndexRow, len(units))
	progress := newProgress(opts.Stderr, len(units))
	var g errgroup.Group
	g.SetLimit(opts.Jobs)
	for i, u := range units {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			row, skipped, err := run(u)
			switch {
			case err != nil:
				row.Status, row.Error = templates.StatusFailed, err.Error()
			case skipped:
				row.Status = templates.StatusUpToDate
			default:
				row.Status = templates.StatusWritten
			}
			rows[i] = row
			progress.done(u.Name, row.Status, err)
			return nil
		})
	}
	g.Wait()
	progress.finish()
	return rows
}

// writeBatchIndex writes the index of a batch (HTML, workbook, CSV) and
// its summary line; it fails when a unit failed.
func writeBatchIndex(ctx context.Context, opts *batchOptions, depName, dep, out string, rows []templates.IndexRow, loc templates.CSVLocale) error {
	byLabel := map[string]string{"epci": "EPCI", "cpts": "CPTS", "commune": "communes"}[opts.By]
	ix := &templates.Index{Title: fmt.Sprintf("Diagnostics d'accès aux soins — %s (%s) par %s", depName, dep, byLabel), By: opts.By, Rows: rows}
	indexFiles := []string{filepath.Join(out, "index.html"), filepath.Join(out, "index.xlsx"), filepath.Join(out, "index.csv")}
	writers := []func(io.Writer) error{
		func(w io.Writer) error { return templates.WriteIndexHTML(w, ix) },
		func(w io.Writer) error { return templates.WriteIndexXLSX(w, ix) },
		func(w io.Writer) error { return templates.WriteIndexCSV(w, ix, loc) },
	}
	cleanStaleTemps(out)
	if err := writeAllAtomicContext(ctx, out, indexFiles, func(i int, w io.Writer) error { return writers[i](w) }); err != nil {
		return err
	}
	failed, written, skipped := 0, 0, 0
	for _, r := range rows {
		switch r.Status {
		case templates.StatusFailed:
			failed++
		case templates.StatusWritten:
			written++
		default:
			skipped++
		}
	}
	fmt.Fprintf(opts.Stdout, "%s: %d written, %d up to date, %d failed\n", countOf(len(rows), "unit", "units"), written, skipped, failed)
	for _, f := range indexFiles {
		fmt.Fprintln(opts.Stdout, f)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %s failed (see %s)", failed, countOf(len(rows), "unit", "units"), indexFiles[0])
	}
	return nil
}

// mainReport is the file the index links each unit to: its report in the
// first of the batch's formats in diagnoseFormats' order (html, xlsx, json,
// csv, geojson), so that the link exists whatever --format.
func mainReport(formats []string) string {
	for _, d := range diagnoseFormats {
		if slices.Contains(formats, d.name) {
			return d.file
		}
	}
	return ""
}

// runUnit writes one unit's report unless it is up to date.
func runUnit(ctx context.Context, s *snapshot.Snapshot, eng *diagnostic.Engine, res *diagnostic.Resolver, u batchUnit, dir string, formats []string, loc templates.CSVLocale, st stamp, force bool) (row templates.IndexRow, skipped bool, err error) {
	row = templates.IndexRow{Key: u.Key, Name: u.Name, Dir: filepath.ToSlash(u.Dir), Report: mainReport(formats)}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error: %v", p)
		}
	}()
	t, err := res.Resolve(u.Items...)
	if err != nil {
		return row, false, err
	}
	rep, err := withContext(ctx, func() *diagnostic.Report { return eng.Build(t, u.Name) })
	if err != nil {
		return row, false, err
	}
	f := rep.Levels[0].Figures
	row.Communes, row.Population = f.Communes, f.Population
	row.APL2023, row.ShareLow, row.GPDensity = f.APL2023, f.ShareLow, f.GPDensity
	row.MSP, row.CDS, row.Attention = f.Structures["msp"], f.Structures["cds"], len(rep.Attention)
	row.GPSource = f.GPSource
	if !force && st.upToDate(dir, reportTargets(dir, formats)) {
		return row, true, nil
	}
	if _, err := writeReportFilesContext(ctx, eng, rep, dir, formats, loc); err != nil {
		return row, false, err
	}
	b, _ := json.Marshal(st)
	return row, false, writeAllAtomicContext(ctx, dir, []string{filepath.Join(dir, stampFile)}, func(_ int, w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// progress reports units as they complete: a bar redrawn in place when
// standard error is a terminal, plain lines otherwise (logs, CI).
type progress struct {
	w     io.Writer
	tty   bool
	total int
	n     int
	start time.Time
	mu    sync.Mutex
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) done(name, status string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.tty {
		const width = 30
		filled := width * p.n / p.total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d  %.1fs  %-40.40s", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.n, p.total, time.Since(p.start).Seconds(), name)
		if err != nil {
			fmt.Fprintf(p.w, "\nfailed: %s: %v\n", name, err)
		}
		return
	}
	if err != nil {
		fmt.Fprintf(p.w, "[%d/%d] %s: failed: %v\n", p.n, p.total, name, err)
		return
	}
	fmt.Fprintf(p.w, "[%d/%d] %s: %s\n", p.n, p.total, name, status)
}

func (p *progress) finish() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
