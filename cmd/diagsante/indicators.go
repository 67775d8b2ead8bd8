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

type indicatorsOptions struct {
	*globalOptions
	Items []string
	Name  string
	JSON  bool
	CSV   bool
	// CSVLocale is --csv-locale, the convention of --csv.
	CSVLocale string
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
need_index, gps, gp_density_per_10000, gp_source, apl_2023, apl_2022,
apl_under65_2023, share_from_65_plus, share_apl_low, share_apl_middle,
share_apl_high, structures{kind: count}, cpts_commune_share,
cpts_population_share, share_75_plus, gaps, sources); null when the data
cannot give a value, and "gaps" says why (or that a value covers part of the
level only). The table prints n.d. for an unknown value, and a note on
standard error says what n.d. and * mean; --csv writes one row per
indicator (its key, its label), one column per level (kind:code), an empty
cell for an unknown value.
` + csvLocaleHelp + exitStatusHelp,
		Example: `  diagsante indicators "CC Pays de Nemours"
  diagsante indicators dep:48 --json
  diagsante indicators 77333 --csv --csv-locale en`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Items = args
			if opts.JSON && opts.CSV {
				return usageErr(fmt.Errorf("--json and --csv are exclusive"))
			}
			if _, err := csvLocale(opts.CSVLocale); err != nil {
				return err
			}
			return runIndicators(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "name of the territory in the output")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&opts.CSV, "csv", false, "write CSV (see --csv-locale)")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

// indicatorRow is one line of the indicators table: a key (stable, for CSV),
// a label, and how to read the value from a level's figures.
type indicatorRow struct {
	key, label string
	value      func(f diagnostic.Figures) (v float64, ok bool)
	prec       int
	// apl: an APL, shown with the decimals its class needs (2,501).
	apl bool
	// text, when set, gives a text value instead (the GP source).
	text func(f diagnostic.Figures) string
}

// field is the JSON name of the row's figure, as Gaps name it.
func (r indicatorRow) field() string {
	if k, ok := strings.CutPrefix(r.key, "structures_"); ok {
		return "structures." + k
	}
	return r.key
}

func floatOf(p *float64) (float64, bool) {
	if p == nil {
		return 0, false
	}
	return *p, true
}

func indicatorRows(levels []diagnostic.Level) []indicatorRow {
	gpSrc := gpSources(levels)
	pct := func(p func(f diagnostic.Figures) *float64) func(f diagnostic.Figures) (float64, bool) {
		return func(f diagnostic.Figures) (float64, bool) { v, ok := floatOf(p(f)); return 100 * v, ok }
	}
	num := func(p func(f diagnostic.Figures) *float64) func(f diagnostic.Figures) (float64, bool) {
		return func(f diagnostic.Figures) (float64, bool) { return floatOf(p(f)) }
	}
	count := func(n *int) (float64, bool) {
		if n == nil {
			return 0, false
		}
		return float64(*n), true
	}
	rows := []indicatorRow{
		{key: "communes", label: "Communes", value: func(f diagnostic.Figures) (float64, bool) { return float64(f.Communes), true }},
		{key: "population", label: "Population", value: func(f diagnostic.Figures) (float64, bool) { return float64(f.Population), true }},
		{key: "need_index", label: "Need index (standardised/total pop.)", value: num(func(f diagnostic.Figures) *float64 { return f.NeedIndex }), prec: 3},
		{key: "gps", label: "GPs (" + gpSrc + ")", value: func(f diagnostic.Figures) (float64, bool) { return count(f.GPs) }},
		{key: "gp_density_per_10000", label: "GPs per 10,000 inh. (" + gpSrc + ")", value: num(func(f diagnostic.Figures) *float64 { return f.GPDensity }), prec: 2},
		{key: "gp_source", label: "Source of the GP counts", text: func(f diagnostic.Figures) string { return f.GPSource }},
		{key: "apl_2023", label: "APL 2023 (consult./yr/inh.)", value: num(func(f diagnostic.Figures) *float64 { return f.APL2023 }), prec: 2, apl: true},
		{key: "apl_2022", label: "APL 2022 (consult./yr/inh.)", value: num(func(f diagnostic.Figures) *float64 { return f.APL2022 }), prec: 2, apl: true},
		{key: "apl_under65_2023", label: "APL 2023, GPs under 65", value: num(func(f diagnostic.Figures) *float64 { return f.APLUnder65_2023 }), prec: 2, apl: true},
		{key: "share_from_65_plus", label: "Share of APL 2023 from GPs 65+ (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.ShareFrom65Plus }), prec: 1},
		{key: "share_apl_low", label: "Pop. share APL ≤ 2.5 (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.ShareLow }), prec: 1},
		{key: "share_apl_middle", label: "Pop. share 2.5 < APL ≤ 4 (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.ShareMiddle }), prec: 1},
		{key: "share_apl_high", label: "Pop. share APL > 4 (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.ShareHigh }), prec: 1},
		{key: "cpts_population_share", label: "Pop. share in a CPTS perimeter (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.CPTSPopulationShare }), prec: 1},
		{key: "share_75_plus", label: "Share aged 75+ (%)", value: pct(func(f diagnostic.Figures) *float64 { return f.Share75Plus }), prec: 1},
	}
	for _, k := range diagnostic.Kinds {
		rows = append(rows, indicatorRow{key: "structures_" + k.Key, label: k.Label,
			value: func(f diagnostic.Figures) (float64, bool) { return count(f.Structures[k.Key]) }})
	}
	return rows
}

func runIndicators(opts *indicatorsOptions) error {
	s, t, err := opts.resolveTerritory(opts.Items)
	if err != nil {
		return err
	}
	e := diagnostic.NewEngine(s)
	e.UseStoredLevels()
	rep := e.Build(t, opts.Name)
	switch {
	case opts.JSON:
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Title  string             `json:"title"`
			Levels []diagnostic.Level `json:"levels"`
		}{rep.Title, rep.Levels})
	case opts.CSV:
		loc, err := csvLocale(opts.CSVLocale)
		if err != nil {
			return err
		}
		w := loc.NewWriter(opts.Stdout)
		header := []string{"indicator", "label"}
		for _, l := range rep.Levels {
			header = append(header, l.Kind+":"+l.Code)
		}
		w.Write(header)
		for _, row := range indicatorRows(rep.Levels) {
			rec := []string{row.key, row.label}
			for _, l := range rep.Levels {
				rec = append(rec, formatValue(row, l.Figures, -1, loc))
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
	for _, row := range indicatorRows(rep.Levels) {
		rec := []string{row.label}
		for _, l := range rep.Levels {
			prec := row.prec
			if row.apl {
				if x, ok := row.value(l.Figures); ok {
					prec = rep.Thresholds.Decimals(x)
				}
			}
			v := formatValue(row, l.Figures, prec, templates.CSVEnglish)
			rec = append(rec, v)
		}
		tab.Rows = append(tab.Rows, rec)
	}
	if err := tab.Render(opts.Stdout); err != nil {
		return err
	}
	// The legend is a note, not data: standard error, so that the table
	// alone can be piped; it explains the marks the table has, if any.
	printTableLegend(opts.Stderr, &tab, "--json lists the gaps and their reasons")
	return nil
}

// formatValue prints a value with prec decimals (-1: shortest exact, for
// CSV, with the decimal mark of loc), "n.d." in the table (an empty cell in
// CSV) when the data cannot give it: never 0.
func formatValue(row indicatorRow, f diagnostic.Figures, prec int, loc templates.CSVLocale) string {
	if row.text != nil {
		if t := row.text(f); t != "" || prec < 0 {
			return t
		}
		return diagnostic.NA
	}
	v, ok := row.value(f)
	if !ok {
		if prec < 0 {
			return ""
		}
		return diagnostic.NA
	}
	if prec >= 0 {
		if g := f.Gap(row.field()); g != nil && g.Status == diagnostic.GapPartial {
			return strconv.FormatFloat(v, 'f', prec, 64) + "*"
		}
	}
	return loc.Float(v, prec)
}
