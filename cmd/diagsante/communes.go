package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

type communesSearchOptions struct {
	*globalOptions
	Text  string
	Limit int
	JSON  bool
}

func newCommunesCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "communes",
		Short: "Find communes and their INSEE codes",
	}
	cmd.AddCommand(newCommunesSearchCommand(g))
	return cmd
}

func newCommunesSearchCommand(g *globalOptions) *cobra.Command {
	opts := &communesSearchOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "search TEXT...",
		Short: "Search communes, EPCI and CPTS by name (accent- and case-insensitive)",
		Long: `Search communes, EPCI and CPTS by name, accents and case ignored, and
print their kind, code, name, département and population.

--json writes a list of {"kind", "code", "name", "departement",
"departement_name", "population"}: kind is commune, epci or cpts; code is
the INSEE code of a commune, the SIREN of an EPCI, "" for a CPTS;
departement is the département of a commune, or the one holding most of
the population of an EPCI or CPTS.
` + exitStatusHelp,
		Example: `  diagsante communes search nemours
  diagsante communes search saint denis --limit 50`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Text = strings.Join(args, " ")
			if opts.Limit < 1 {
				return usageErr(fmt.Errorf("--limit must be at least 1"))
			}
			if err := checkItem("search text", opts.Text); err != nil {
				return err
			}
			return runCommunesSearch(opts)
		},
	}
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", 20, "maximum number of results")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	return cmd
}

func runCommunesSearch(opts *communesSearchOptions) error {
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	matches := diagnostic.NewResolver(s).Search(opts.Text, opts.Limit)
	if opts.JSON {
		out := make([]searchMatch, 0, len(matches))
		for _, m := range matches {
			out = append(out, searchMatch{Kind: m.Kind, Code: m.Code, Name: m.Name, Dep: m.Dep, DepName: m.DepName, Population: m.Population})
		}
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(matches) == 0 {
		return usageErr(fmt.Errorf("no commune, EPCI or CPTS matches %s", echo(opts.Text)))
	}
	tab := templates.Table{Header: []string{"Kind", "Code", "Name", "Département", "Population"}, Numeric: []bool{false, false, false, false, true}}
	for _, m := range matches {
		dep := m.Dep
		if m.DepName != "" {
			dep += " " + m.DepName
		}
		tab.Rows = append(tab.Rows, []string{m.Kind, m.Code, m.Name, dep, strconv.Itoa(m.Population)})
	}
	return tab.Render(opts.Stdout)
}

// searchMatch is a diagnostic.Match as `communes search --json` writes it:
// snake_case keys like every JSON of the program, "departement" as in
// `territory show --json`. The names are part of the command's stable
// output.
type searchMatch struct {
	Kind       string `json:"kind"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Dep        string `json:"departement"`
	DepName    string `json:"departement_name"`
	Population int    `json:"population"`
}
