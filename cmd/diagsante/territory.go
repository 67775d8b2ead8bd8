package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

type territoryShowOptions struct {
	*globalOptions
	Items []string
	JSON  bool
	CSV   bool
	// CSVLocale is --csv-locale, the convention of --csv.
	CSVLocale string
}

func newTerritoryCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "territory",
		Short: "Resolve territories into communes",
	}
	cmd.AddCommand(newTerritoryShowCommand(g))
	return cmd
}

func newTerritoryShowCommand(g *globalOptions) *cobra.Command {
	opts := &territoryShowOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "show TERRITORY...",
		Short: "List the communes of a territory with population and official APL",
		Long: `Resolve TERRITORY items and list their communes: code, name, EPCI,
population municipale (COG 2026) and the official DREES APL 2023.

Items are unioned: "territory show dep:48 Nemours" lists Lozère plus Nemours.

--json writes {"label", "items", "warnings", "communes": [{"code", "name",
"departement", "epci", "epci_name", "population", "apl_2023"}],
"population", "apl_2023"}; --csv writes the communes with those columns.
` + csvLocaleHelp + exitStatusHelp,
		Example: `  diagsante territory show dep:48
  diagsante territory show "CC Pays de Nemours" --csv
  diagsante territory show epci:200023240 77186 --json
  diagsante territory show @communes.txt`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Items = args
			if opts.JSON && opts.CSV {
				return usageErr(fmt.Errorf("--json and --csv are exclusive"))
			}
			if _, err := csvLocale(opts.CSVLocale); err != nil {
				return err
			}
			return runTerritoryShow(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&opts.CSV, "csv", false, "write CSV (see --csv-locale)")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

// territoryRow is one commune of `territory show`; the JSON field names are
// part of the command's stable output.
type territoryRow struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Dep        string   `json:"departement"`
	EPCI       string   `json:"epci"`
	EPCIName   string   `json:"epci_name"`
	Population int      `json:"population"`
	APL2023    *float64 `json:"apl_2023"`
}

type territoryOutput struct {
	Label      string         `json:"label"`
	Items      []string       `json:"items"`
	Warnings   []string       `json:"warnings"`
	Communes   []territoryRow `json:"communes"`
	Population int            `json:"population"`
	// APL2023 is the mean of the communes' APL weighted by their APL population.
	APL2023 *float64 `json:"apl_2023"`
}

// territoryShowTables are the tables `territory show` reads whole: those
// the resolver indexes (communes, arrondissements, old codes, EPCI,
// départements, régions, CPTS); the APL rows of the places shown are read
// after (snapshot.LoadAPLOf).
var territoryShowTables = []string{snapshot.CommunesFile, snapshot.ArrondissementsFile, snapshot.OldCodesFile, snapshot.EPCIFile,
	snapshot.DepartementsFile, snapshot.RegionsFile, snapshot.CPTSFile}

func runTerritoryShow(opts *territoryShowOptions) error {
	opts.snapTables = territoryShowTables
	s, t, err := opts.resolveTerritory(opts.Items)
	if err != nil {
		return err
	}
	// The APL rows of these places only, not the 70,000 of France.
	if err := s.LoadAPLOf(t.Communes); err != nil {
		return err
	}
	apl := diagnostic.NewAPLIndexOf(s, t.Communes)
	out := territoryOutput{Label: t.Label, Items: t.Items, Warnings: t.Warnings, Communes: []territoryRow{}}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	// The territory's APL is the mean of its places' official APL weighted
	// by their standardised population, as diagnose gives it (METHOD.md).
	var wsum, wpop float64
	for _, code := range t.Communes {
		// A place: a commune or an arrondissement municipal (75108, 13216),
		// which has its city's département and EPCI.
		c := s.Place(code)
		if c == nil {
			return fmt.Errorf("territory %s: no place %s in the snapshot", t.Label, code)
		}
		row := territoryRow{Code: c.Code, Name: c.Name, Dep: c.Dep, EPCI: c.EPCI, Population: c.Population}
		if e := s.EPCI(c.EPCI); e != nil {
			row.EPCIName = e.Name
		}
		if a, ok := apl.Get(code, 2023); ok {
			v := a.Value
			row.APL2023 = &v
			wsum += a.Value * a.PopStandardised
			wpop += a.PopStandardised
		}
		out.Population += c.Population
		out.Communes = append(out.Communes, row)
	}
	if wpop > 0 {
		v := wsum / wpop
		out.APL2023 = &v
	}
	switch {
	case opts.JSON:
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case opts.CSV:
		loc, err := csvLocale(opts.CSVLocale)
		if err != nil {
			return err
		}
		w := loc.NewWriter(opts.Stdout)
		w.Write([]string{"code", "name", "departement", "epci", "epci_name", "population", "apl_2023"})
		for _, r := range out.Communes {
			w.Write([]string{r.Code, r.Name, r.Dep, r.EPCI, r.EPCIName, strconv.Itoa(r.Population), loc.FloatP(r.APL2023, -1)})
		}
		w.Flush()
		return w.Error()
	}
	tab := templates.Table{Header: []string{"Code", "Commune", "EPCI", "Population", "APL 2023"}, Numeric: []bool{false, false, false, true, true}}
	for _, r := range out.Communes {
		tab.Rows = append(tab.Rows, []string{r.Code, r.Name, r.EPCIName, strconv.Itoa(r.Population), fmtAPL(r.APL2023, 1)})
	}
	tab.Footer = []string{countOf(len(out.Communes), "commune", "communes"), t.Label, "", strconv.Itoa(out.Population), fmtAPL(out.APL2023, 1)}
	return tab.Render(opts.Stdout)
}

// fmtAPL formats an APL value with prec decimals (-1: shortest exact), "" when absent.
func fmtAPL(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}
