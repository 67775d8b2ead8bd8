package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/update"
	"github.com/diagsante/diagsante/templates"
)

type datasetsUpdateOptions struct {
	*globalOptions
	Only        []string
	DryRun      bool
	From        string
	APIBase     string
	CacheDir    string
	MaxSize     string
	Timeout     time.Duration
	Stall       time.Duration
	AllowShrink bool
	NoWait      bool
}

func newDatasetsUpdateCommand(g *globalOptions) *cobra.Command {
	opts := &datasetsUpdateOptions{globalOptions: g}
	var sizes []string
	for _, s := range update.Defaults {
		def := ""
		if s.Default {
			def = ", updated by default"
		}
		sizes = append(sizes, fmt.Sprintf("  %-12s %s (%s%s)\n               %s", s.Key, s.Label, s.Size, def, s.Where()))
	}
	cmd := &cobra.Command{
		Use:   "update [--only finess,rpps,apl] [--dry-run] [--from DIR]",
		Short: "Download the current official files and import them into the local snapshot",
		Long: `Find the current official files on data.gouv.fr, download them into the
cache folder and import them into the local snapshot, with the same rules as
'datasets import' (each file replaces the départements it covers; the import
is atomic). Then print what changed: the vintage and rows of each table, and
national counts (MSP, centres de santé, CPTS, GPs…) before → after.

This is the only command that uses the network, and only when you run it.

Sources (--only KEY,…; each can be changed in diagsante.yaml, see below):
` + strings.Join(sizes, "\n") + `

A source is a data.gouv.fr dataset and a rule that picks its resource (a
pattern on the title or the file name; the one modified last wins), or a
plain URL. In diagsante.yaml:

  sources:
    finess:
      dataset: finess-structures-1      # id or slug on data.gouv.fr
      match: 'structure.*\.json\.gz$'   # regular expression, any case
    apl:
      url: https://example.org/apl_2024.xlsx

Downloads go to the cache folder (--cache-dir; default the user cache
folder, diagsante/downloads). An interrupted download (network cut, Ctrl-C,
--timeout) resumes where it stopped on the next run (HTTP Range). A file is
imported only once it arrived whole and its checksum, when the API gives one,
is right; a file already in the cache and unchanged on the server is not
downloaded again. Proxies are taken from HTTPS_PROXY, HTTP_PROXY and
NO_PROXY.

--from DIR imports the files of a folder you downloaded by hand instead:
each file is recognised by its content (its header), whatever its name;
files the tool does not read are listed and skipped.
` + exitStatusHelp,
		Example: `  diagsante datasets update
  diagsante datasets update --only rpps --dry-run
  diagsante datasets update --only finess-plus
  diagsante datasets update --from ~/Téléchargements/sante`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDatasetsUpdate(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&opts.Only, "only", nil, "update only these `SOURCES` ("+strings.Join(update.Keys(), ", ")+")")
	f.BoolVar(&opts.DryRun, "dry-run", false, "show which files would be downloaded, download nothing")
	f.StringVar(&opts.From, "from", "", "import the files of `DIR` (recognised by content) instead of downloading")
	f.StringVar(&opts.APIBase, "api-base", update.DefaultAPIBase, "data.gouv.fr API `URL` (DIAGSANTE_API_BASE)")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "download cache `DIR` (default: the user cache folder, diagsante/downloads)")
	f.StringVar(&opts.MaxSize, "max-size", "4GB", "refuse a file larger than `SIZE` (e.g. 500MB, 4GB)")
	f.DurationVar(&opts.Timeout, "timeout", 2*time.Hour, "give up a file's download after `DURATION` (it resumes on the next run)")
	f.DurationVar(&opts.Stall, "stall-timeout", time.Minute, "give up a download when no data arrives for `DURATION`")
	f.BoolVar(&opts.AllowShrink, "allow-shrink", false, "import even when a file removes more than 10 % of the rows of the départements it replaces")
	f.BoolVar(&opts.NoWait, "no-wait", false, "fail instead of waiting when another import is writing the same folder")
	return cmd
}

func runDatasetsUpdate(ctx context.Context, opts *datasetsUpdateOptions) error {
	maxSize, err := parseSize(opts.MaxSize)
	if err != nil {
		return usageErr(fmt.Errorf("--max-size: %v", err))
	}
	var over map[string]update.Override
	if opts.cfgDoc != nil {
		over = opts.cfgDoc.Sources
	}
	all, err := update.Sources(over)
	if err != nil {
		return usageErr(fmt.Errorf("%s: %v", opts.cfgDoc.where("sources"), err))
	}
	sel, err := update.Select(all, opts.Only)
	if err != nil {
		return usageErr(err)
	}
	dir, err := snapshot.LocalDir(opts.DataDir)
	if err != nil {
		return err
	}
	var files []pickedFile
	if opts.From != "" {
		files, err = filesFrom(opts, sel)
	} else {
		files, err = download(ctx, opts, sel, maxSize)
	}
	if err != nil || files == nil {
		return err
	}
	return importUpdate(ctx, opts, dir, files)
}

// A pickedFile is a file to import, with the source it answers.
type pickedFile struct {
	Key, Path string
	Kind      update.Kind
}

// download resolves the sources, then downloads each (or reuses the cache).
// It returns nil files, and no error, for --dry-run.
func download(ctx context.Context, opts *datasetsUpdateOptions, sel []update.Source, maxSize int64) ([]pickedFile, error) {
	client := &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		TLSHandshakeTimeout:   30 * time.Second,
		ResponseHeaderTimeout: opts.Stall,
		IdleConnTimeout:       90 * time.Second,
	}}
	api := &update.Client{Base: opts.APIBase, HTTP: client}
	var res []update.Resource
	tab := templates.Table{Header: []string{"Source", "File", "Published", "Size", "Checksum"}}
	for _, s := range sel {
		r, err := api.Resolve(ctx, s)
		if err != nil {
			return nil, err
		}
		res = append(res, r)
		pub, size, sum := "", "", ""
		if !r.Modified.IsZero() {
			pub = r.Modified.Format("2006-01-02")
		}
		if r.Size > 0 {
			size = update.HumanBytes(r.Size)
		}
		if r.Checksum != "" {
			sum = r.ChecksumType
		}
		tab.Rows = append(tab.Rows, []string{s.Key, r.FileName(), pub, size, sum})
	}
	if err := tab.Render(opts.Stdout); err != nil {
		return nil, err
	}
	if opts.DryRun {
		fmt.Fprintln(opts.Stdout, "dry run: nothing downloaded, nothing imported")
		return nil, nil
	}
	cache := opts.CacheDir
	if cache == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return nil, usageErr(fmt.Errorf("no user cache folder (%v): give --cache-dir", err))
		}
		cache = filepath.Join(base, "diagsante", "downloads")
	}
	d := &update.Downloader{HTTP: client, Dir: cache, MaxSize: maxSize, Stall: opts.Stall, Timeout: opts.Timeout}
	if isTerminal(opts.Stderr) {
		d.Progress = opts.Stderr
	} else {
		d.Lines = opts.Stderr
	}
	var files []pickedFile
	for i, s := range sel {
		f, err := d.Fetch(ctx, s.Key, res[i])
		if err != nil {
			var ie *update.InterruptedError
			if errors.As(err, &ie) && ie.Kept != "" {
				fmt.Fprintf(opts.Stderr, "%s: download interrupted%s\n", s.Key, ie.Kept)
			}
			return nil, err
		}
		switch {
		case f.Cached:
			fmt.Fprintf(opts.Stderr, "%s: %s already in the cache, unchanged\n", s.Key, f.Path)
		case f.Verified != "":
			fmt.Fprintf(opts.Stderr, "%s: %s checked (%s)\n", s.Key, f.Path, f.Verified)
		}
		k, err := update.Detect(f.Path)
		if err != nil {
			return nil, err
		}
		if k != s.Kind {
			return nil, fmt.Errorf("source %s: %s is not a %s file (its content reads as %s): nothing imported; the publisher may have changed the dataset: set sources.%s in diagsante.yaml",
				s.Key, f.Path, s.Kind, k, s.Key)
		}
		files = append(files, pickedFile{Key: s.Key, Path: f.Path, Kind: k})
	}
	return files, nil
}

// filesFrom recognises the files of a folder by their content.
func filesFrom(opts *datasetsUpdateOptions, sel []update.Source) ([]pickedFile, error) {
	entries, err := os.ReadDir(opts.From)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--from: %w", err))
	}
	want := map[update.Kind]string{}
	for _, s := range sel {
		want[s.Kind] = s.Key
	}
	byKind := map[update.Kind][]string{}
	var skipped []string
	for _, e := range entries {
		if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".part") || strings.HasSuffix(e.Name(), ".json") && isCacheMeta(opts.From, e.Name()) {
			continue
		}
		p := filepath.Join(opts.From, e.Name())
		k, err := update.Detect(p)
		if err != nil {
			return nil, usageErr(err)
		}
		_, wanted := want[k]
		if k == update.RPPSSavoirFaire {
			_, wanted = want[update.RPPS]
		}
		if k == update.Unknown || !wanted {
			skipped = append(skipped, e.Name())
			continue
		}
		byKind[k] = append(byKind[k], p)
	}
	var files []pickedFile
	kinds := []update.Kind{update.FINESS, update.RPPS, update.RPPSSavoirFaire, update.APL}
	for _, k := range kinds {
		ps := byKind[k]
		if len(ps) > 1 {
			return nil, usageErr(fmt.Errorf("--from %s: %d %s files (%s): keep one of each kind in the folder", opts.From, len(ps), k, baseNames(ps)))
		}
		if len(ps) == 1 {
			fmt.Fprintf(opts.Stderr, "%s: %s\n", k, ps[0])
			files = append(files, pickedFile{Key: want[k], Path: ps[0], Kind: k})
		}
	}
	if len(skipped) > 0 {
		sort.Strings(skipped)
		fmt.Fprintf(opts.Stderr, "skipped (not a file to import%s): %s\n", onlyNote(opts.Only), strings.Join(skipped, ", "))
	}
	if len(files) == 0 {
		return nil, usageErr(fmt.Errorf("--from %s: no FINESS, RPPS or APL file found (files are recognised by their content)", opts.From))
	}
	return files, nil
}

func onlyNote(only []string) string {
	if len(only) == 0 {
		return ""
	}
	return ", or not in --only"
}

// isCacheMeta tells the cache's records (NAME.json beside NAME) from data.
func isCacheMeta(dir, name string) bool {
	_, err := os.Stat(filepath.Join(dir, strings.TrimSuffix(name, ".json")))
	return err == nil
}

func baseNames(ps []string) string {
	var b []string
	for _, p := range ps {
		b = append(b, filepath.Base(p))
	}
	return strings.Join(b, ", ")
}

// importUpdate imports the files in one atomic import and prints what
// changed.
func importUpdate(ctx context.Context, opts *datasetsUpdateOptions, dir string, files []pickedFile) error {
	embedded, err := snapshot.LoadEmbedded()
	if err != nil {
		return err
	}
	before, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		return err
	}
	var src importer.Sources
	for _, f := range files {
		switch f.Kind {
		case update.FINESS:
			src.FINESS = f.Path
		case update.RPPS:
			src.RPPS = f.Path
		case update.RPPSSavoirFaire:
			src.RPPSSavoirFaire = f.Path
		case update.APL:
			src.APL = f.Path
		}
	}
	if src.RPPSSavoirFaire != "" && src.RPPS == "" {
		return usageErr(fmt.Errorf("%s is an RPPS savoir-faire file without its person-activity file", src.RPPSSavoirFaire))
	}
	im := &importer.Importer{Embedded: embedded, AllowShrink: opts.AllowShrink, NoWait: opts.NoWait, Log: opts.Stderr}
	if isTerminal(opts.Stderr) {
		im.Progress = opts.Stderr
	}
	results, err := im.Import(ctx, dir, src)
	if err != nil {
		var ie *importer.InputError
		if errors.As(err, &ie) {
			err = usageErr(err)
		}
		return fmt.Errorf("%w\nnothing imported: the local snapshot %s is unchanged", err, dir)
	}
	var tables []string
	for _, r := range results {
		for _, n := range r.Notes {
			fmt.Fprintf(opts.Stderr, "note: %s: %s\n", r.Table, n)
		}
		if r.Table != "" && !containsString(tables, r.Table) {
			tables = append(tables, r.Table)
		}
	}
	for _, extra := range []string{"gp_rpps", "gp_bpe"} {
		if src.RPPS != "" && !containsString(tables, extra) {
			tables = append(tables, extra)
		}
	}
	after, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		return err
	}
	tc, cc := update.Changes(before, after, tables)
	tab := templates.Table{Header: []string{"Table", "Vintage before", "Vintage now", "Rows before", "Rows now"}, Numeric: []bool{false, false, false, true, true}}
	for _, c := range tc {
		tab.Rows = append(tab.Rows, []string{c.Table, c.VintageBefore, c.Vintage, strconv.Itoa(c.RowsBefore), strconv.Itoa(c.Rows)})
	}
	if err := tab.Render(opts.Stdout); err != nil {
		return err
	}
	counts := templates.Table{Header: []string{"France", "Before", "Now", "Change"}, Numeric: []bool{false, true, true, true}}
	for _, c := range cc {
		if c.Before == c.After {
			continue
		}
		change := c.Delta()
		if c.Large() {
			change += " !"
		}
		counts.Rows = append(counts.Rows, []string{c.Label, strconv.Itoa(c.Before), strconv.Itoa(c.After), change})
	}
	if len(counts.Rows) > 0 {
		fmt.Fprintln(opts.Stdout)
		if err := counts.Render(opts.Stdout); err != nil {
			return err
		}
		fmt.Fprintln(opts.Stderr, "note: ! marks a count that moved by 10 % or more")
	}
	fmt.Fprintf(opts.Stdout, "local snapshot: %s\n", dir)
	return nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseSize reads 500MB, 4GB, 1.5G, 123 (bytes).
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"G", 1 << 30}, {"MB", 1 << 20}, {"M", 1 << 20}, {"KB", 1 << 10}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suf)), u.m
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 500MB, 4GB)", s)
	}
	return int64(f * float64(mult)), nil
}
