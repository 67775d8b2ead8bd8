package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// BuildInfo is what the linker tells the program about itself.
type BuildInfo struct {
	Version, Commit, Date string
}

// globalOptions are shared by every command: where configuration and data
// come from, and where output goes.
type globalOptions struct {
	Build  BuildInfo
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger

	ConfigFile  string
	DataDir     string
	TravelTimes string
	Verbose     bool
	cfg         *viper.Viper
	cfgDoc      *configDoc // the config file read, nil when none
	// fromFile lists the flags set from the config file's top level,
	// which a batch job's own settings override.
	fromFile map[string]bool

	snapOnce sync.Once
	snap     *snapshot.Snapshot
	snapErr  error
	// snapTables, when set before the first snapshot(), are the only
	// table files it decodes (see snapshot.LoadLayersOnly).
	snapTables []string
	// snapAhead, when set with snapTables, are table files the first
	// snapshot() starts decoding beside them (see
	// snapshot.LoadLayersAhead): wait for them with Snapshot.Ahead.
	snapAhead []string
	// aheadStarted says whether the snapshot was loaded with snapAhead.
	aheadStarted bool
	// restoreGC undoes tuneGC when the command ends.
	restoreGC func()
}

// Exit codes, documented in the root command's help.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitInterrupted is the status shells give a program killed by
	// SIGINT (128+2): scripts tell an interruption from a failure.
	exitInterrupted = 130
)

const exitStatusHelp = `
EXIT STATUS
  0  success
  1  failure (I/O error, corrupt data, a part of a batch failed)
  2  bad usage or bad input (unknown flag, unknown or ambiguous territory,
     malformed input file)
  130  interrupted (Ctrl-C): no report or index file half-written`

// Main runs diagsante with the given arguments and returns the exit code;
// tests call it directly instead of the binary.
//
// The first Ctrl-C (or SIGTERM) cancels ctx: long commands stop at their
// next step, remove their temporary files and exit with status 130. A
// second Ctrl-C kills the program at once.
func Main(ctx context.Context, build BuildInfo, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal gets its default action
	}()
	opts := &globalOptions{Build: build, Stdin: stdin, Stdout: stdout, Stderr: stderr, cfg: viper.New()}
	opts.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	root := newRootCommand(opts)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	releaseFlags(root)
	if opts.restoreGC != nil {
		opts.restoreGC()
	}
	if err == nil {
		return exitOK
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		fmt.Fprintln(stderr, "Error: interrupted; no file was left half-written")
		return exitInterrupted
	}
	fmt.Fprintln(stderr, "Error:", err)
	return exitCode(err)
}

func newRootCommand(opts *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "diagsante",
		Short: "Territorial access-to-care diagnostics from French open data",
		Long: `diagsante builds a territorial access-to-care diagnostic ("diagnostic
territorial d'accès aux soins") for any set of French communes, from public
open data embedded in the binary: communes and EPCI (COG 2026), official DREES
APL, GPs per commune, libéral professionals, FINESS establishments, SAE
emergency departments and maternities, CPTS perimeters.

A TERRITORY is an INSEE code (77333), a commune name (Nemours,
"Saint-Denis (93)"), an EPCI (epci:200023240 or its name), a département
(dep:77), a région (reg:76), a CPTS (cpts:"CPTS Aix Sainte Victoire") or
@file (one item per line, or a CSV with a code column).

Configuration: flags, then DIAGSANTE_* environment variables, then
diagsante.yaml (current folder, then the user config folder).
` + exitStatusHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.loadConfig(cmd); err != nil {
				return err
			}
			opts.restoreGC = tuneGC(cmd)
			if opts.Verbose {
				opts.Log = slog.New(slog.NewTextHandler(opts.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&opts.ConfigFile, "config", "", "config file (default ./diagsante.yaml, then the user config folder)")
	root.PersistentFlags().StringVar(&opts.DataDir, "data-dir", "", "folder of the local snapshot written by 'datasets import' (default: the user data folder)")
	root.PersistentFlags().StringVar(&opts.TravelTimes, "travel-times", "", "CSV origin;destination;minutes of road times (OSRM, Metric…) replacing the travel-time model for the pairs it lists (diagnose, batch, simulate)")
	root.PersistentFlags().BoolVarP(&opts.Verbose, "verbose", "v", false, "log progress on standard error")

	root.AddCommand(
		newVersionCommand(opts),
		newCommunesCommand(opts),
		newTerritoryCommand(opts),
		newIndicatorsCommand(opts),
		newDiagnoseCommand(opts),
		newBatchCommand(opts),
		newSimulateCommand(opts),
		newAccessCommand(opts),
		newDatasetsCommand(opts),
	)
	typeUsageErrors(root)
	return root
}

// loadConfig reads the config file and environment, then copies config
// values onto every flag the user did not set, so that precedence is flags >
// DIAGSANTE_* > diagsante.yaml > defaults for every command alike.
func (o *globalOptions) loadConfig(cmd *cobra.Command) error {
	v := o.cfg
	v.SetEnvPrefix("DIAGSANTE")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	if o.ConfigFile == "" {
		o.ConfigFile = os.Getenv("DIAGSANTE_CONFIG")
	}
	explicit := o.ConfigFile != ""
	if !explicit {
		// Look for diagsante.yaml ourselves: viper's own search also matches
		// a file named plain "diagsante" — the binary itself, when run from
		// its folder.
		candidates := []string{"diagsante.yaml"}
		if dir, err := os.UserConfigDir(); err == nil {
			candidates = append(candidates, filepath.Join(dir, "diagsante", "diagsante.yaml"))
		}
		for _, c := range candidates {
			if st, err := os.Stat(c); err == nil && st.Mode().IsRegular() {
				o.ConfigFile = c
				break
			}
		}
	}
	if o.ConfigFile != "" {
		// The file is read and checked here, with its lines, and given to
		// viper as YAML whatever its name (viper guessed the format from
		// the extension: "Unsupported Config Type" for a plain name).
		b, err := readConfigFile(o.ConfigFile)
		if err != nil {
			return usageErr(err)
		}
		doc, err := parseConfig(o.ConfigFile, b, configKnown(cmd.Root()))
		if err != nil {
			return usageErr(err)
		}
		for _, w := range doc.Warnings {
			fmt.Fprintln(o.Stderr, "warning:", w)
		}
		o.cfgDoc = doc
		v.SetConfigType("yaml")
		if err := v.ReadConfig(bytes.NewReader(b)); err != nil {
			return usageErr(fmt.Errorf("config %s: %v", o.ConfigFile, err))
		}
	}
	var ferr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if ferr != nil || f.Changed || f.Name == "config" || f.Name == "help" {
			return
		}
		key := f.Name
		if !v.IsSet(key) {
			return
		}
		where := o.configWhere(key)
		ferr = setFromConfig(cmd.Flags(), f, v.Get(key), where, key)
		if strings.HasPrefix(where, "config ") {
			if o.fromFile == nil {
				o.fromFile = map[string]bool{}
			}
			o.fromFile[key] = true
		}
	})
	return ferr
}

// snapshot loads the reference data once, on first use: the tables of
// snapTables, else those of the reports (snapshot.ReportFiles).
func (o *globalOptions) snapshot() (*snapshot.Snapshot, error) {
	o.snapOnce.Do(func() {
		tables := o.snapTables
		if tables == nil {
			tables = snapshot.ReportFiles()
		}
		o.snap, o.snapErr = o.loadSnapshot(func(dir string) (*snapshot.Snapshot, bool, error) {
			if o.snapAhead != nil {
				o.aheadStarted = true
				return snapshot.LoadWithLocalAhead(dir, tables, o.snapAhead)
			}
			return snapshot.LoadWithLocalOnly(dir, tables...)
		})
	})
	return o.snap, o.snapErr
}

// manifest loads the manifest of the reference data with the départements
// and régions, and no other table (see snapshot.LoadManifestLayers): what
// `version` needs to list the sources and their dates.
func (o *globalOptions) manifest() (*snapshot.Snapshot, error) {
	return o.loadSnapshot(snapshot.LoadManifestWithLocal)
}

// loadSnapshot loads the embedded snapshot under the local one with load,
// saying on standard error when a local snapshot is used and what is wrong
// with it.
func (o *globalOptions) loadSnapshot(load func(dir string) (*snapshot.Snapshot, bool, error)) (*snapshot.Snapshot, error) {
	dir, err := snapshot.LocalDir(o.DataDir)
	if err != nil {
		return nil, err
	}
	s, local, err := load(dir)
	if local && err == nil {
		var tables []string
		for _, t := range s.Manifest.Tables {
			if t.Origin != "embedded" {
				tables = append(tables, t.Name)
			}
		}
		fmt.Fprintf(o.Stderr, "using local snapshot %s (imported: %s)\n", dir, strings.Join(tables, ", "))
		for _, p := range s.LocalProblems {
			fmt.Fprintf(o.Stderr, "warning: %s\n", p)
		}
	}
	return s, err
}

// newEngine returns the indicators engine of a snapshot, with the user's
// travel times when --travel-times is given.
func (o *globalOptions) newEngine(s *snapshot.Snapshot) (*diagnostic.Engine, error) {
	return o.setUpEngine(diagnostic.NewEngine(s), s)
}

// newEngineOf is newEngine for a command that reads the official APL of
// the places of codes only.
func (o *globalOptions) newEngineOf(s *snapshot.Snapshot, codes []string) (*diagnostic.Engine, error) {
	return o.setUpEngine(diagnostic.NewEngineOf(s, codes), s)
}

// setUpEngine sets the report day and the travel times of an engine.
func (o *globalOptions) setUpEngine(e *diagnostic.Engine, s *snapshot.Snapshot) (*diagnostic.Engine, error) {
	day, err := reportDay()
	if err != nil {
		return nil, err
	}
	e.Date = day
	// The snapshot is as read from its files: the levels' figures stored
	// for the same data are valid.
	e.UseStoredLevels()
	t, err := loadTravelTimes(o.TravelTimes)
	if err != nil {
		return nil, err
	}
	e.Times = t
	if ov, ok := t.(*access.Override); ok && ov.Matrix != nil {
		e.TimesSource = filepath.Base(o.TravelTimes) + ", " + diagnostic.Plural(ov.Matrix.Len(), "paire", "paires")
		warnUnknownPairs(o.Stderr, o.TravelTimes, s, ov.Matrix)
	}
	return e, nil
}

// warnUnknownPairs tells, on w, how many rows of a travel-time file name a
// code the data does not know, with a few of them: those rows are never
// looked up, and a file of old or mistyped codes would otherwise change
// nothing without a word.
func warnUnknownPairs(w io.Writer, path string, s *snapshot.Snapshot, m *access.Matrix) {
	const examples = 5
	var n int
	var ex []string
	for _, p := range m.Pairs() {
		bad := ""
		switch {
		case s.Place(p.From) == nil:
			bad = p.From
		case s.Place(p.To) == nil:
			bad = p.To
		default:
			continue
		}
		n++
		if len(ex) < examples {
			ex = append(ex, fmt.Sprintf("%s:%d (%s)", path, p.Line, bad))
		}
	}
	if n == 0 {
		return
	}
	more := ""
	if n > len(ex) {
		more = ", …"
	}
	fmt.Fprintf(w, "warning: --travel-times: %d of %s %s a code that is not a current commune or arrondissement and %s ignored: %s%s\n",
		n, countOf(m.Len(), "row", "rows"), diagnostic.Agree(n, "names", "name"), diagnostic.Agree(n, "is", "are"), strings.Join(ex, ", "), more)
}

// reportDay is the date a report is made on: today, or the time given by
// SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds
// convention), so that a report made again later from the same data is
// byte-identical.
func reportDay() (time.Time, error) {
	v := strings.TrimSpace(os.Getenv("SOURCE_DATE_EPOCH"))
	if v == "" {
		return time.Now(), nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, usageErr(fmt.Errorf("environment variable SOURCE_DATE_EPOCH: %q is not a number of seconds since 1970-01-01", v))
	}
	return time.Unix(n, 0).UTC(), nil
}

// tuneGC collects garbage less often for the short commands: they load the
// snapshot, build their indexes and write a report in well under a second,
// allocating most of it once and keeping it: a collection then marks a
// heap that is nearly all live and frees next to nothing. They run with
// the collector off under a soft memory limit (shortCommandHeap): the
// heap is collected only when it reaches the limit (diagnose of one EPCI:
// one collection, at 20 MB of heap, took 20 to 40 ms of CPU with
// GOGC=400 and freed 2 MB; none now, same peak memory, 121 MB; diagnose of
// all of France: peak 1.55 GB → 1.07 GB, same time). Batches, which write
// many reports in turn, allocating each afresh over the snapshot that
// stays, collect at twice the default (batch 13 by commune: the
// collector's share of the CPU halved, peak memory 225 → 330 MB; with the
// limit instead, the same time at 990 MB). Imports, which stream large
// files, keep the default and their memory bound. A GOGC or GOMEMLIMIT
// set by the user wins. It returns what restores the previous settings
// (Main runs in-process in tests).
func tuneGC(cmd *cobra.Command) (restore func()) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		return nil
	}
	percent := -1
	for c := cmd; c != nil; c = c.Parent() {
		switch c.Name() {
		case "datasets":
			return nil
		case "batch":
			percent = 200
		}
	}
	if percent > 0 {
		prev := debug.SetGCPercent(percent)
		return func() { debug.SetGCPercent(prev) }
	}
	prevLimit := debug.SetMemoryLimit(shortCommandHeap)
	prev := debug.SetGCPercent(percent)
	return func() {
		debug.SetGCPercent(prev)
		debug.SetMemoryLimit(prevLimit)
	}
}

// shortCommandHeap is the heap at which the short commands collect
// garbage (tuneGC): well above what one diagnose holds live (all of
// France: 350 MB at the end of the build), so that the collector does not
// run back to back.
const shortCommandHeap = 1 << 30
