package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/templates"
)

func newDatasetsCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "Show the data sources, their vintages and row counts; import newer official files",
	}
	cmd.AddCommand(newDatasetsListCommand(g), newDatasetsInfoCommand(g), newDatasetsImportCommand(g), newDatasetsVerifyCommand(g))
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
		Args:  cobra.NoArgs,
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

func newDatasetsInfoCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "info [TABLE...]",
		Short: "Describe tables: source, publisher, vintage, licence, files, notes, and what the generator could not match",
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
			for _, t := range s.Manifest.Tables {
				if len(want) > 0 && !want[t.Name] {
					continue
				}
				fmt.Fprintf(w, "%s — %s\n", t.Name, t.Title)
				fmt.Fprintf(w, "  publisher: %s\n  source:    %s\n  vintage:   %s\n  licence:   %s\n  rows:      %d\n  origin:    %s\n",
					t.Publisher, t.Source, t.Vintage, t.Licence, t.Rows, origin(t))
				if t.Origin != "" && t.Origin != "embedded" {
					fmt.Fprintf(w, "  file:      %s\n", t.Origin)
				}
				for _, f := range t.Files {
					fmt.Fprintf(w, "  input:     %s\n", f)
				}
				for _, n := range t.Notes {
					fmt.Fprintf(w, "  note:      %s\n", n)
				}
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
}
