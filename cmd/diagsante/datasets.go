package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

func newDatasetsCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "Show the data sources, their vintages and row counts; import newer official files",
	}
	cmd.AddCommand(newDatasetsListCommand(g), newDatasetsInfoCommand(g), newDatasetsImportCommand(g), newDatasetsUpdateCommand(g), newDatasetsVerifyCommand(g))
	return cmd
}

type datasetsListOptions struct {
	*globalOptions
	JSON bool
}

func newDatasetsListCommand(g *globalOptions) *cobra.Command {
	opts := &datasetsListOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the tables of the snapshot with their origin, vintage and row count",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := opts.snapshot()
			if err != nil {
				return err
			}
			if opts.JSON {
				enc := json.NewEncoder(opts.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(s.Manifest.Tables)
			}
			tab := templates.Table{Header: []string{"Table", "Origin", "Vintage", "Rows", "Publisher"}, Numeric: []bool{false, false, false, true, false}}
			for _, t := range s.Manifest.Tables {
				tab.Rows = append(tab.Rows, []string{t.Name, origin(t), t.Vintage, strconv.Itoa(t.Rows), t.Publisher})
			}
			return tab.Render(opts.Stdout)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	return cmd
}

func origin(t snapshot.TableInfo) string {
	if t.Origin == "" || t.Origin == "embedded" {
		return "embedded"
	}
	file := filepath.Base(t.Origin)
	if t.Imported != "" {
		return "imported " + t.Imported[:min(len(t.Imported), 10)] + " from " + file
	}
	return "imported from " + file
}

type datasetsInfoOptions struct {
	*globalOptions
	JSON bool
}

// tableInfoJSON is a table of `datasets info --json`: its description,
// with its coverage grouped by source and vintage.
type tableInfoJSON struct {
	snapshot.TableInfo
	// National is true for a table without coverage list: it covers every
	// département.
	National         bool                     `json:"national"`
	CoverageBySource []importer.CoverageGroup `json:"coverage_by_source,omitempty"`
	// DataDates are the dates of the data the table holds, with the flag
	// of data more than two years old (see diagnostic.SourceDates).
	DataDates []diagnostic.SourceDate `json:"data_dates,omitempty"`
}

func newDatasetsInfoCommand(g *globalOptions) *cobra.Command {
	opts := &datasetsInfoOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "info [TABLE...]",
		Short: "Describe tables: source, publisher, vintage, licence, files, coverage by département, notes, and what the generator could not match",
		Long: `Describe the tables of the snapshot in use. The coverage line says which
source and vintage each table holds in which départements, e.g.
"FINESS 2021-01-08: 88 départements; FINESS Occitanie 2026: 09 11 12 …":
after importing a file that covers some départements, those départements
name the file. A table without coverage list is national (COG tables).
Outside its coverage a table's figures are unknown, never zero.

The date line gives the date of the data each table holds, flagged "old"
when it is more than two years before today, with the command that
refreshes it (diagsante datasets update --only finess|rpps|apl) or how to
do it by hand. Reports flag the same sources against their own date.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.snapshot()
			if err != nil {
				return err
			}
			want := map[string]bool{}
			for _, a := range args {
				if s.Manifest.Table(a) == nil {
					var names []string
					for _, t := range s.Manifest.Tables {
						names = append(names, t.Name)
					}
					return usageErr(fmt.Errorf("unknown table %q (tables: %s)", a, strings.Join(names, ", ")))
				}
				want[a] = true
			}
			w := g.Stdout
			today, err := reportDay()
			if err != nil {
				return err
			}
			dates := diagnostic.SourceDates(s, nil, today)
			if opts.JSON {
				out := struct {
					Tables    []tableInfoJSON `json:"tables"`
					Unmatched map[string]int  `json:"unmatched,omitempty"`
				}{Tables: []tableInfoJSON{}}
				for _, t := range s.Manifest.Tables {
					if len(want) > 0 && !want[t.Name] {
						continue
					}
					if t.Name == "apl" {
						t.Notes = append(slices.Clone(t.Notes), diagnostic.APLNotes(s)...)
					}
					out.Tables = append(out.Tables, tableInfoJSON{TableInfo: t, National: t.Coverage == nil, CoverageBySource: importer.GroupCoverage(t.Coverage),
						DataDates: datesOfTable(dates, t.Name)})
				}
				if len(want) == 0 {
					out.Unmatched = s.Manifest.Unmatched
				}
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			for _, t := range s.Manifest.Tables {
				if len(want) > 0 && !want[t.Name] {
					continue
				}
				fmt.Fprintf(w, "%s — %s\n", t.Name, t.Title)
				fmt.Fprintf(w, "  publisher: %s\n  source:    %s\n  vintage:   %s\n  licence:   %s\n  rows:      %d\n  origin:    %s\n",
					t.Publisher, t.Source, t.Vintage, t.Licence, t.Rows, origin(t))
				fmt.Fprintf(w, "  coverage:  %s\n", coverageLine(t))
				for _, d := range datesOfTable(dates, t.Name) {
					fmt.Fprintf(w, "  date:      %s\n", dateEntry(d))
				}
				if t.Origin != "" && t.Origin != "embedded" {
					fmt.Fprintf(w, "  file:      %s\n", t.Origin)
				}
				for _, f := range t.Files {
					fmt.Fprintf(w, "  input:     %s\n", f)
				}
				notes := t.Notes
				if t.Name == "apl" {
					notes = append(slices.Clone(notes), diagnostic.APLNotes(s)...)
				}
				for _, n := range notes {
					fmt.Fprintf(w, "  note:      %s\n", n)
				}
				fmt.Fprintln(w)
			}
			if len(want) == 0 {
				writeDataDates(w, dates, today)
				fmt.Fprintln(w)
			}
			if len(want) == 0 && len(s.Manifest.Unmatched) > 0 {
				fmt.Fprintln(w, "Not matched when the embedded snapshot was built:")
				keys := make([]string, 0, len(s.Manifest.Unmatched))
				for k := range s.Manifest.Unmatched {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(w, "  %6d  %s\n", s.Manifest.Unmatched[k], k)
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON (each table with its coverage by département and grouped by source)")
	return cmd
}

// coverageLine describes a table's coverage compactly: the sources and
// vintages with their départements, listed up to 20.
func coverageLine(t snapshot.TableInfo) string {
	if t.Coverage == nil {
		return "national (every département)"
	}
	if len(t.Coverage) == 0 {
		return "none"
	}
	return strings.Join(importer.CoverageSummary(t.Coverage, 20), "; ")
}

// datesOfTable returns the data dates that come from a table.
func datesOfTable(dates []diagnostic.SourceDate, table string) []diagnostic.SourceDate {
	var out []diagnostic.SourceDate
	for _, d := range dates {
		if slices.Contains(d.Tables, table) {
			out = append(out, d)
		}
	}
	return out
}

// writeDataDates lists the date of each source of the snapshot, as
// `version` and `datasets info` show it: the same list and flags as the
// reports' first page, against today.
func writeDataDates(w io.Writer, dates []diagnostic.SourceDate, today time.Time) {
	fmt.Fprintf(w, "data dates (\"old\": more than %d years before today, %s):\n", diagnostic.StaleAfterYears, today.Format("2006-01-02"))
	for _, d := range dates {
		fmt.Fprintf(w, "  %-9s %s\n", d.Key, dateEntry(d))
	}
}

// dateEntry is one data date for the terminal: the date, "old" when it is
// more than two years before today, and dateLine.
func dateEntry(d diagnostic.SourceDate) string {
	flag := ""
	if d.Stale {
		flag = "old"
	}
	return fmt.Sprintf("%-10s %-3s  %s", cmpOr(d.Date, "unknown"), flag, dateLine(d))
}

// handCommandRE finds a command in the French hint of a source without
// automatic update.
var handCommandRE = regexp.MustCompile(`« (diagsante [^«»]+?) »`)

// dateLine describes one data date in English: the label and source,
// where it holds, and for old data how to refresh it.
func dateLine(d diagnostic.SourceDate) string {
	s := d.Label + " — " + d.Source
	if n := len(d.Departements); n > 0 {
		s += fmt.Sprintf(", %d département", n)
		if n > 1 {
			s += "s"
		}
	}
	if !d.Stale {
		return s
	}
	switch m := handCommandRE.FindStringSubmatch(d.Manual); {
	case d.Update != "":
		s += ": more than two years old, run " + d.Update
	case m != nil:
		s += ": more than two years old, no automatic update; import a newer file with " + m[1]
	default:
		s += ": more than two years old, no automatic update"
	}
	return s
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
