package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/templates"
)

type indicatorsOptions struct {
	*globalOptions
	Items []string
	Name  string
	JSON  bool
	CSV   bool
}

func newIndicatorsCommand(g *globalOptions) *cobra.Command {
	opts := &indicatorsOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "indicators TERRITORY...",
		Short: "Print the territory's indicators next to its département, région and France",
		Long: `Compute the indicators of a territory (population, need index, GPs and
their density, official APL 2022 and 2023, shares of the population by APL
class, structures by kind, CPTS coverage) and of its comparison levels.

--json writes {"title", "levels": [...]} where each level has the fields
documented in diagnostic.Figures (kind, code, name, communes, population,
need_index, gps_bpe_2017, gp_density_per_10000, apl_2023, apl_2022,
share_apl_low, share_apl_middle, share_apl_high, structures{kind: count},
cpts_commune_share, cpts_population_share, share_75_plus); null when the data
cannot give a value. --csv writes one row per indicator, one column per level.
` + exitStatusHelp,
		Example: `  diagsante indicators "CC Pays de Nemours"
  diagsante indicators dep:48 --json`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Items = args
			if opts.JSON && opts.CSV {
				return usageErr(fmt.Errorf("--json and --csv are exclusive"))
			}
			return runIndicators(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "name of the territory in the output")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&opts.CSV, "csv", false, "write CSV (`;`-separated, UTF-8)")
	return cmd
}

// indicatorRow is one line of the indicators table: a key (stable, for CSV),
// a label, and how to read the value from a level's figures.
type indicatorRow struct {
	key, label string
	value      func(f diagnostic.Figures) (v float64, ok bool)
	prec       int
}

func floatOf(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

func indicatorRows() []indicatorRow {
	rows := []indicatorRow{
		{"communes", "Communes", func(f diagnostic.Figures) (float64, bool) { return float64(f.Communes), true }, 0},
		{"population", "Population municipale", func(f diagnostic.Figures) (float64, bool) { return float64(f.Population), true }, 0},
		{"need_index", "Need index (standardised/total pop.)", func(f diagnostic.Figures) (float64, bool) { return floatOf(f.NeedIndex) }, 3},
		{"gps", "GPs", func(f diagnostic.Figures) (float64, bool) {
			if f.GPs == nil {
				return 0, false
			}
			return float64(*f.GPs), true
		}, 0},
		{"gp_density_per_10000", "GPs per 10,000 inh.", func(f diagnostic.Figures) (float64, bool) { return floatOf(f.GPDensity) }, 2},
		{"apl_2023", "APL 2023 (consult./yr/inh.)", func(f diagnostic.Figures) (float64, bool) { return floatOf(f.APL2023) }, 2},
		{"apl_2022", "APL 2022 (consult./yr/inh.)", func(f diagnostic.Figures) (float64, bool) { return floatOf(f.APL2022) }, 2},
		{"share_apl_low", "Pop. share APL ≤ 2.5 (%)", func(f diagnostic.Figures) (float64, bool) { v, ok := floatOf(f.ShareLow); return 100 * v, ok }, 1},
		{"share_apl_middle", "Pop. share 2.5 < APL ≤ 4 (%)", func(f diagnostic.Figures) (float64, bool) { v, ok := floatOf(f.ShareMiddle); return 100 * v, ok }, 1},
		{"share_apl_high", "Pop. share APL > 4 (%)", func(f diagnostic.Figures) (float64, bool) { v, ok := floatOf(f.ShareHigh); return 100 * v, ok }, 1},
		{"cpts_population_share", "Pop. share in a CPTS perimeter (%)", func(f diagnostic.Figures) (float64, bool) {
			v, ok := floatOf(f.CPTSPopulationShare)
			return 100 * v, ok
		}, 1},
		{"share_75_plus", "Share aged 75+ (%)", func(f diagnostic.Figures) (float64, bool) { v, ok := floatOf(f.Share75Plus); return 100 * v, ok }, 1},
	}
	for _, k := range diagnostic.Kinds {
		rows = append(rows, indicatorRow{"structures_" + k.Key, k.Label, func(f diagnostic.Figures) (float64, bool) {
			if n := f.Structures[k.Key]; n != nil {
				return float64(*n), true
			}
			return 0, false
		}, 0})
	}
	return rows
}

func runIndicators(opts *indicatorsOptions) error {
	s, t, err := opts.resolveTerritory(opts.Items)
	if err != nil {
		return err
	}
	rep := diagnostic.NewEngine(s).Build(t, opts.Name)
	switch {
	case opts.JSON:
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Title  string             `json:"title"`
			Levels []diagnostic.Level `json:"levels"`
		}{rep.Title, rep.Levels})
	case opts.CSV:
		w := csv.NewWriter(opts.Stdout)
		w.Comma = ';'
		header := []string{"indicator", "label"}
		for _, l := range rep.Levels {
			header = append(header, l.Kind+":"+l.Code)
		}
		w.Write(header)
		for _, row := range indicatorRows() {
			rec := []string{row.key, row.label}
			for _, l := range rep.Levels {
				rec = append(rec, formatValue(row, l.Figures, -1))
			}
			w.Write(rec)
		}
		w.Flush()
		return w.Error()
	}
	tab := templates.Table{Header: []string{"Indicator"}, Numeric: []bool{false}}
	for _, l := range rep.Levels {
		tab.Header = append(tab.Header, l.Name)
		tab.Numeric = append(tab.Numeric, true)
	}
	for _, row := range indicatorRows() {
		rec := []string{row.label}
		for _, l := range rep.Levels {
			rec = append(rec, formatValue(row, l.Figures, row.prec))
		}
		tab.Rows = append(tab.Rows, rec)
	}
	return tab.Render(opts.Stdout)
}

// formatValue prints a value with prec decimals (-1: shortest exact), "n/a"
// (or "" in CSV) when the data cannot give it.
func formatValue(row indicatorRow, f diagnostic.Figures, prec int) string {
	v, ok := row.value(f)
	if !ok {
		if prec < 0 {
			return ""
		}
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}
