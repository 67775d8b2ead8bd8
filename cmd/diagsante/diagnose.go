package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"

	"golang.org/x/sync/errgroup"
)

// diagnoseFormats are the output formats, in the order they are written,
// with the file each one writes.
var diagnoseFormats = []struct{ name, file string }{
	{"html", "diagnostic.html"},
	{"xlsx", "diagnostic.xlsx"},
	{"json", "diagnostic.json"},
	{"csv", "diagnostic.csv"},
	{"geojson", "diagnostic.geojson"},
}

type diagnoseOptions struct {
	*globalOptions
	Items   []string
	Out     string
	Name    string
	Formats string
	Force   bool
	// CSVLocale is --csv-locale: the convention of diagnostic.csv.
	CSVLocale string
}

func newDiagnoseCommand(g *globalOptions) *cobra.Command {
	opts := &diagnoseOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "diagnose TERRITORY...",
		Short: "Write the territorial access-to-care diagnostic (HTML report, Excel workbook)",
		Long: `Build the diagnostic of a territory and write it into a folder:

  diagnostic.html     the report in French: one file with its charts and map,
                      readable offline, on a phone, and printable
  diagnostic.xlsx     the workbook: one sheet per section, numbers as numbers
  diagnostic.json     the full report model (--format json)
  diagnostic.csv      the communes table, one row per commune (--format csv;
                      French spreadsheet convention by default, --csv-locale)
  diagnostic.geojson  the communes with their indicators, for QGIS (--format geojson)

The folder defaults to the territory's name as a slug ("cc-pays-de-nemours").
Existing files are not overwritten without --force. Files are written under a
temporary name and renamed only when complete: an error leaves no
half-written report. Standard output gets a summary table and the paths
written.
` + csvLocaleHelp + exitStatusHelp,
		Example: `  diagsante diagnose "CC Pays de Nemours"
  diagsante diagnose epci:200023240 --out nemours --format html,xlsx,json
  diagsante diagnose dep:48 --name "Lozère" --force
  diagsante diagnose epci:200023240 --format csv --csv-locale en`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Items = args
			return runDiagnoseContext(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "output folder (default: the territory's name as a slug)")
	cmd.Flags().StringVar(&opts.Name, "name", "", "name of the territory in the report (default: its label)")
	cmd.Flags().StringVar(&opts.Formats, "format", "html,xlsx", "formats to write, comma-separated: html, xlsx, json, csv, geojson")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing report files")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

// parseFormats returns the requested formats in writing order, or a usage
// error naming the unknown one.
func parseFormats(list string) ([]string, error) {
	want := map[string]bool{}
	for _, f := range strings.Split(list, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		if f == "" {
			continue
		}
		known := false
		for _, d := range diagnoseFormats {
			known = known || d.name == f
		}
		if !known {
			return nil, usageErr(fmt.Errorf("--format: unknown format %q (want html, xlsx, json, csv or geojson)", f))
		}
		want[f] = true
	}
	var out []string
	for _, d := range diagnoseFormats {
		if want[d.name] {
			out = append(out, d.name)
		}
	}
	if len(out) == 0 {
		return nil, usageErr(errors.New("--format: no format given"))
	}
	return out, nil
}

// territorySlug turns a territory label into a folder name: "CC Pays de
// Nemours" → "cc-pays-de-nemours".
func territorySlug(label string) string {
	s := strings.ReplaceAll(textnorm.Fold(label), " ", "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		return "diagnostic"
	}
	return s
}

func runDiagnose(opts *diagnoseOptions) error {
	return runDiagnoseContext(context.Background(), opts)
}

// runDiagnoseContext is runDiagnose stopped by ctx (Ctrl-C): it then
// returns ctx's error and leaves no file behind.
func runDiagnoseContext(ctx context.Context, opts *diagnoseOptions) error {
	formats, err := parseFormats(opts.Formats)
	if err != nil {
		return err
	}
	loc, err := csvLocale(opts.CSVLocale)
	if err != nil {
		return err
	}
	if err := checkName(opts.Name); err != nil {
		return err
	}
	// The territory is resolved from the geography tables while the
	// others are read, from the start, and the engine's indexes built,
	// on other goroutines.
	resolveTables, engineTables := diagnoseTables()
	opts.snapTables, opts.snapAhead = resolveTables, engineTables
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	type prepared struct {
		finish func(codes []string) *diagnostic.Engine
		err    error
	}
	engineReady := make(chan prepared, 1)
	go func(s *snapshot.Snapshot) {
		wait := s.Ahead
		if !opts.aheadStarted {
			// Loaded before this command set its tables: read them now.
			wait = func() error { return s.LoadMore(engineTables...) }
		}
		if err := wait(); err != nil {
			engineReady <- prepared{err: err}
			return
		}
		engineReady <- prepared{finish: diagnostic.PrepareEngine(s)}
	}(s)
	_, t, err := opts.resolveTerritory(opts.Items)
	if err != nil {
		return err
	}
	if err := s.LoadAPLOf(t.Communes); err != nil {
		return err
	}
	ready := <-engineReady
	if ready.err != nil {
		return ready.err
	}
	if err := loadLevelsAPL(s); err != nil {
		return err
	}
	if (hasFormat(formats, "html") && len(t.Communes) <= templates.SummaryThreshold) || hasFormat(formats, "geojson") {
		// The map's contours are read while the report is built.
		go warmContours(s, t.Communes)
	}
	dir := opts.Out
	if dir == "" {
		dir = territorySlug(t.Label)
	}
	if err := checkOutDir("--out", dir); err != nil {
		return err
	}
	if !opts.Force {
		for _, target := range reportTargets(dir, formats) {
			if _, err := os.Stat(target); err == nil {
				return usageErr(fmt.Errorf("%s already exists: use --force to overwrite it", target))
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	// The official APL of the territory's places only: the comparison
	// levels' figures are stored (or computed with all of France's).
	eng, err := opts.setUpEngine(ready.finish(t.Communes), s)
	if err != nil {
		return err
	}
	rep, err := withContext(ctx, func() *diagnostic.Report { return eng.Build(t, opts.Name) })
	if err != nil {
		return err
	}
	opts.Log.Info("report built", "territory", t.Label, "communes", len(rep.Communes))
	paths, err := writeReportFilesContext(ctx, eng, rep, dir, formats, loc)
	if err != nil {
		return err
	}
	tab := diagnoseSummary(rep)
	if err := tab.Render(opts.Stdout); err != nil {
		return err
	}
	printTableLegend(opts.Stderr, tab, "the report's footnotes give the reasons")
	for _, p := range paths {
		fmt.Fprintln(opts.Stdout, p)
	}
	return nil
}

// diagnoseTables are the tables diagnose reads: those the territory is
// resolved from, read first, and the others but the APL, read meanwhile.
// The APL is read once the territory is known (LoadAPLOf, loadLevelsAPL).
func diagnoseTables() (resolve, engine []string) {
	for _, f := range snapshot.ReportFiles() {
		switch f {
		case snapshot.APLFile:
		case snapshot.CommunesFile, snapshot.ArrondissementsFile, snapshot.OldCodesFile, snapshot.EPCIFile,
			snapshot.DepartementsFile, snapshot.RegionsFile, snapshot.CPTSFile:
			resolve = append(resolve, f)
		default:
			engine = append(engine, f)
		}
	}
	return resolve, engine
}

// loadLevelsAPL reads all of France's official APL rows when the
// comparison levels' figures stored in the program are not for this data
// (a local import): the levels are then computed from them. The snapshot's
// other report tables must have been read (its fingerprint), the APL rows
// of the territory's places too (LoadAPLOf).
func loadLevelsAPL(s *snapshot.Snapshot) error {
	if diagnostic.StoredLevelsMatch(s) {
		return nil
	}
	return s.LoadAPL()
}

func hasFormat(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// writeAllAtomic writes every file under a temporary name in dir, then
// renames them all into place: on any error the temporary files are removed
// and no target is touched.
func writeAllAtomic(dir string, paths []string, write func(i int, w io.Writer) error) error {
	return writeAllAtomicContext(context.Background(), dir, paths, write)
}

// writeAllAtomicContext is writeAllAtomic stopped by ctx: a write in
// progress fails at its next buffer and nothing is renamed. Temporary names
// carry the process id (see cleanStaleTemps).
func writeAllAtomicContext(ctx context.Context, dir string, paths []string, write func(i int, w io.Writer) error) error {
	return writeAll(ctx, dir, paths, write, false)
}

// writeAllAtomicConcurrent is writeAllAtomicContext writing the files at
// the same time: write must be safe for concurrent use (the renderers of
// a report, which only read it).
func writeAllAtomicConcurrent(ctx context.Context, dir string, paths []string, write func(i int, w io.Writer) error) error {
	return writeAll(ctx, dir, paths, write, true)
}

// fileBufs are the 64 kB buffers of the files writeAll writes, reused: a
// batch writes three files a unit.
var fileBufs sync.Pool

func writeAll(ctx context.Context, dir string, paths []string, write func(i int, w io.Writer) error, concurrent bool) (err error) {
	temps := make([]string, 0, len(paths))
	defer func() {
		if err != nil {
			for _, t := range temps {
				os.Remove(t)
			}
		}
	}()
	files := make([]*os.File, len(paths))
	for i, p := range paths {
		f, err := os.CreateTemp(dir, tempPattern(p))
		if err != nil {
			for _, f := range files[:i] {
				f.Close()
			}
			return fmt.Errorf("write %s: %w", p, err)
		}
		temps = append(temps, f.Name())
		files[i] = f
	}
	one := func(i int) error {
		f := files[i]
		if err := ctx.Err(); err != nil {
			f.Close()
			return err
		}
		bw, _ := fileBufs.Get().(*bufio.Writer)
		if bw == nil {
			bw = bufio.NewWriterSize(nil, 1<<16)
		}
		bw.Reset(ctxWriter{ctx, f})
		werr := write(i, bw)
		if werr == nil {
			werr = bw.Flush()
		}
		bw.Reset(nil) // holds no file
		fileBufs.Put(bw)
		if werr == nil {
			werr = f.Chmod(0o644)
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("write %s: %w", paths[i], werr)
		}
		return nil
	}
	var g errgroup.Group
	if !concurrent {
		g.SetLimit(1)
	}
	for i := range paths {
		g.Go(func() error { return one(i) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, p := range paths {
		if err := os.Rename(temps[i], p); err != nil {
			temps = temps[i:]
			return fmt.Errorf("write %s: %w", p, err)
		}
	}
	return nil
}

// warmContours reads the contours of the départements of places into the
// snapshot's cache; territoryContours reports any error.
func warmContours(s *snapshot.Snapshot, places []string) {
	seen := map[string]bool{}
	for _, code := range places {
		if c := s.Place(code); c != nil && !seen[c.Dep] {
			seen[c.Dep] = true
			s.Contours(c.Dep)
		}
	}
}

// territoryContours returns the contours of the report's communes, and of
// the neighbours of a one-commune territory, read from their départements.
// The contours we hold draw Paris, Lyon and Marseille whole: an
// arrondissement is drawn with its city's outline, once per city so that
// outlines do not pile up.
func territoryContours(s *snapshot.Snapshot, rep *diagnostic.Report) (map[string]json.RawMessage, error) {
	out := make(map[string]json.RawMessage, len(rep.Communes))
	byDep := map[string]map[string]json.RawMessage{}
	of := func(dep string) (map[string]json.RawMessage, error) {
		if g, ok := byDep[dep]; ok {
			return g, nil
		}
		g, err := s.Contours(dep)
		byDep[dep] = g
		return g, err
	}
	cityDrawn := map[string]bool{}
	for _, c := range rep.Communes {
		g, err := of(c.Dep)
		if err != nil {
			return nil, err
		}
		if geom, ok := g[c.Code]; ok {
			out[c.Code] = geom
		} else if city := s.CityOf(c.Code); city != "" && !cityDrawn[city] {
			if geom, ok := g[city]; ok {
				out[c.Code] = geom
				cityDrawn[city] = true
			}
		}
	}
	// The communes around a one-commune territory, drawn for context.
	for _, n := range rep.Neighbours {
		g, err := of(n.Dep)
		if err != nil {
			return nil, err
		}
		if geom, ok := g[n.Code]; ok {
			out[n.Code] = geom
		}
	}
	// The snapshot delimits the contours without validating them (see
	// Snapshot.Contours): those written in the report are checked here.
	for code, geom := range out {
		if !json.Valid(geom) {
			return nil, fmt.Errorf("snapshot: the contour of %s is not valid JSON", code)
		}
	}
	return out, nil
}

// diagnoseSummary is the short table printed after writing a report. A
// figure the data cannot give is "n.d.", never 0; one computed over part of
// its level only (a "partial" Gap) is marked "*", as in the indicators
// table; the GP row names the source of each level's counts.
func diagnoseSummary(rep *diagnostic.Report) *templates.Table {
	tab := &templates.Table{Header: []string{"Indicator"}, Numeric: []bool{false}}
	for _, l := range rep.Levels {
		name := l.Name
		if l.Kind == "departement" {
			name += " (" + l.Code + ")"
		}
		tab.Header = append(tab.Header, name)
		tab.Numeric = append(tab.Numeric, true)
	}
	num := func(v *float64, prec int) string {
		if v == nil {
			return diagnostic.NA
		}
		return strconv.FormatFloat(*v, 'f', prec, 64)
	}
	pct := func(v *float64) string {
		if v == nil {
			return diagnostic.NA
		}
		return strconv.FormatFloat(100**v, 'f', 1, 64) + "%"
	}
	count := func(n *int) string {
		if n == nil {
			return diagnostic.NA
		}
		return strconv.Itoa(*n)
	}
	// field is the figure's name in the Gaps ("" for the population,
	// always complete).
	rows := []struct {
		label, field string
		v            func(f diagnostic.Figures) string
	}{
		{"Population", "", func(f diagnostic.Figures) string { return strconv.Itoa(f.Population) }},
		{"APL 2023 (consult./yr/inh.)", "apl_2023", func(f diagnostic.Figures) string { return num(f.APL2023, rep.Thresholds.DecimalsOf(f.APL2023)) }},
		{"Pop. share APL <= 2.5", "share_apl_low", func(f diagnostic.Figures) string { return pct(f.ShareLow) }},
		{"GPs per 10,000 inh. (" + gpSources(rep.Levels) + ")", "gp_density_per_10000", func(f diagnostic.Figures) string { return num(f.GPDensity, 1) }},
		// Kinds of structures by their data labels (French terms of art).
		{diagnostic.KindLabel("msp"), "structures.msp", func(f diagnostic.Figures) string { return count(f.Structures["msp"]) }},
		{diagnostic.KindLabel("cds"), "structures.cds", func(f diagnostic.Figures) string { return count(f.Structures["cds"]) }},
		{"CPTS: pop. share in a known perimeter", "cpts_population_share", func(f diagnostic.Figures) string { return pct(f.CPTSPopulationShare) }},
	}
	for _, r := range rows {
		rec := []string{r.label}
		for _, l := range rep.Levels {
			v := r.v(l.Figures)
			if g := l.Gap(r.field); g != nil && g.Status == diagnostic.GapPartial && v != diagnostic.NA {
				v += partialMark
			}
			rec = append(rec, v)
		}
		tab.Rows = append(tab.Rows, rec)
	}
	return tab
}

// partialMark follows a figure computed over the part of its level the
// source covers, in the console tables.
const partialMark = "*"

// printTableLegend writes, on w (standard error: a note, not data, so that
// the table alone can be piped), what "n.d." and the partial mark of a
// table's cells mean, when they appear; where says where the reasons are.
func printTableLegend(w io.Writer, tab *templates.Table, where string) {
	na, partial := false, false
	for _, rec := range tab.Rows {
		for _, v := range rec[1:] {
			na = na || v == diagnostic.NA
			partial = partial || strings.HasSuffix(v, partialMark)
		}
	}
	var parts []string
	if na {
		parts = append(parts, diagnostic.NA+": not given by the data for that level")
	}
	if partial {
		parts = append(parts, partialMark+": computed over the part of the level the source covers")
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "note: %s (%s)\n", strings.Join(parts, "; "), where)
	}
}

// gpSources names the sources of the levels' GP counts: "BPE 2017", or
// "BPE 2017 / RPPS 2026-11-20" when the levels differ; "no source" when no
// level has GP counts.
func gpSources(levels []diagnostic.Level) string {
	var out []string
	for _, l := range levels {
		if l.GPSource != "" && !slices.Contains(out, l.GPSource) {
			out = append(out, l.GPSource)
		}
	}
	if len(out) == 0 {
		return "no source"
	}
	return strings.Join(out, " / ")
}
