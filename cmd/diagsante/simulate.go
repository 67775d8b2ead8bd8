package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/traveltimes"
	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/diagnostic/access"
	"github.com/diagsante/diagsante/templates"
)

type simulateOptions struct {
	*globalOptions
	Items    []string
	AddGP    []string
	RemoveGP []string
	Retire65 bool
	JSON     bool
	CSV      bool
	// CSVLocale is --csv-locale, the convention of --csv.
	CSVLocale string
}

func newSimulateCommand(g *globalOptions) *cobra.Command {
	opts := &simulateOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "simulate TERRITORY... --add-gp CODE=N [--remove-gp CODE=N]",
		Short: "What if GPs settle in or leave communes: the change in accessibility (APL)",
		Long: `Recompute the accessibility to GPs (the DREES E2SFCA method on open data:
BPE GPs, standardised populations, estimated road times) with and without
the change, and apply the difference to the official APL 2023 of each
commune of the territory. The recomputed index is not official: only the
change it models is reported, added to the official value.

Prints, per commune, the official APL, the modelled change and the
resulting estimate, then the territory's share of population at or below
2.5 before and after; notes on the method go to standard error.
` + csvLocaleHelp + exitStatusHelp,
		Example: `  diagsante simulate "CC Pays de Nemours" --add-gp 77333=2
  diagsante simulate dep:48 --add-gp 48095=3 --remove-gp 48140=1 --json
  diagsante simulate 77333 --add-gp 77333=2 --travel-times osrm.csv
  diagsante simulate "CC Pays de Nemours" --retire-65 --add-gp 77333=3`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Items = args
			if opts.JSON && opts.CSV {
				return usageErr(fmt.Errorf("--json and --csv are exclusive"))
			}
			if _, err := csvLocale(opts.CSVLocale); err != nil {
				return err
			}
			return runSimulateContext(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.AddGP, "add-gp", nil, "GPs settling in a commune, CODE=N (repeatable)")
	cmd.Flags().StringArrayVar(&opts.RemoveGP, "remove-gp", nil, "GPs leaving a commune, CODE=N (repeatable)")
	cmd.Flags().BoolVar(&opts.Retire65, "retire-65", false, "start from the departure of the GPs aged 65 and over (the DREES APL to GPs under 65)")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&opts.CSV, "csv", false, "write CSV (see --csv-locale)")
	addCSVLocaleFlag(cmd, &opts.CSVLocale)
	return cmd
}

// maxGPChange bounds the GPs a scenario moves in one commune: Paris has
// about 2,000 GPs for 2 million inhabitants, so a change of more than
// 1,000 in a commune is a typo, and 1e308 made the APL +Inf.
const maxGPChange = 1000

// parseGPChanges reads CODE=N flags into a map, sign applied.
func parseGPChanges(flag string, values []string, sign float64, into map[string]float64) error {
	for _, v := range values {
		code, n, ok := strings.Cut(v, "=")
		code = strings.TrimSpace(code)
		f, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		// NaN fails every comparison: !(f > 0) refuses it.
		if !ok || code == "" || err != nil || !(f > 0) || math.IsInf(f, 0) {
			return usageErr(fmt.Errorf("--%s %s: want CODE=N with N a number > 0, e.g. 77333=2", flag, echo(v)))
		}
		if f > maxGPChange {
			return usageErr(fmt.Errorf("--%s %s: at most %d GPs per commune", flag, echo(v), maxGPChange))
		}
		if err := checkItem("--"+flag, code); err != nil {
			return err
		}
		into[code] += sign * f
		if math.Abs(into[code]) > maxGPChange {
			return usageErr(fmt.Errorf("--%s %s: at most %d GPs per commune in all", flag, echo(v), maxGPChange))
		}
	}
	return nil
}

// loadTravelTimes reads a user matrix into an Override over the model.
func loadTravelTimes(path string) (access.Times, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErr(fmt.Errorf("--travel-times: %w", err))
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, usageErr(fmt.Errorf("--travel-times %s is a folder: give a CSV file origin;destination;minutes", path))
	}
	pairs, err := traveltimes.Read(f, path)
	if err != nil {
		return nil, err
	}
	return &access.Override{Matrix: access.NewMatrix(pairs), Fallback: access.DefaultModel()}, nil
}

// simulateTables are the tables `simulate` reads: the resolver's (those
// of `territory show`), the APL of France (the E2SFCA recomputes every
// place) and the GP counts the recomputation starts from (BPE by commune,
// Assurance Maladie by département). The establishments and postcodes,
// the largest, are not decoded.
var simulateTables = append([]string{snapshot.APLFile, snapshot.GPFile, snapshot.LiberalFile}, territoryShowTables...)

// runSimulateContext runs a scenario; ctx (Ctrl-C) stops it.
func runSimulateContext(ctx context.Context, opts *simulateOptions) error {
	changes := map[string]float64{}
	if err := parseGPChanges("add-gp", opts.AddGP, 1, changes); err != nil {
		return err
	}
	if err := parseGPChanges("remove-gp", opts.RemoveGP, -1, changes); err != nil {
		return err
	}
	if len(changes) == 0 && !opts.Retire65 {
		return usageErr(fmt.Errorf("nothing to simulate: give --add-gp, --remove-gp or --retire-65"))
	}
	opts.snapTables = simulateTables
	s, t, err := opts.resolveTerritory(opts.Items)
	if err != nil {
		return err
	}
	// The scenario reads the official APL of the territory's communes only.
	eng, err := opts.newEngineOf(s, t.Communes)
	if err != nil {
		return err
	}
	type result struct {
		res *diagnostic.ScenarioResult
		err error
	}
	r, err := withContext(ctx, func() result {
		res, err := eng.Simulate(t, diagnostic.Scenario{AddGP: changes, Retire65: opts.Retire65})
		return result{res, err}
	})
	if err != nil {
		return err
	}
	res, err := r.res, r.err
	var se *access.ScenarioError
	if errors.As(err, &se) {
		return usageErr(err)
	}
	if err != nil {
		return err
	}
	th := eng.Thresholds
	if len(changes) > 0 && !reachesTerritory(res) {
		fmt.Fprintln(opts.Stderr, "warning: the change reaches no commune of the territory: its GPs are beyond the catchment (travel times) of every commune listed")
	}
	switch {
	case opts.JSON:
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	case opts.CSV:
		loc, err := csvLocale(opts.CSVLocale)
		if err != nil {
			return err
		}
		w := loc.NewWriter(opts.Stdout)
		w.Write([]string{"code", "name", "population", "apl_official_2023", "apl_official_start", "apl_recomputed_baseline", "apl_recomputed_scenario", "apl_delta", "apl_estimate"})
		for _, c := range res.Communes {
			w.Write([]string{c.Code, c.Name, strconv.Itoa(c.Population), loc.FloatP(c.Official, -1), loc.FloatP(c.Start, -1), loc.FloatP(c.Baseline, -1), loc.FloatP(c.Scenario, -1), loc.FloatP(c.Delta, -1), loc.FloatP(c.Estimate, -1)})
		}
		w.Flush()
		return w.Error()
	}
	header := []string{"Code", "Commune", "Population", "Official APL 2023", "Modelled change", "Estimate"}
	if res.Retire65 {
		header = []string{"Code", "Commune", "Population", "Official APL 2023", "Official APL, GPs under 65", "Modelled change", "Estimate"}
	}
	tab := templates.Table{Header: header, Numeric: []bool{false, false, true, true, true, true, true}[:len(header)]}
	for _, c := range res.Communes {
		delta := ""
		if c.Delta != nil {
			delta = strconv.FormatFloat(*c.Delta, 'f', 2, 64)
			if *c.Delta >= 0 {
				delta = "+" + delta
			}
		}
		row := []string{c.Code, c.Name, strconv.Itoa(c.Population), fmtAPL(c.Official, th.DecimalsOf(c.Official))}
		if res.Retire65 {
			row = append(row, fmtAPL(c.Start, th.DecimalsOf(c.Start)))
		}
		tab.Rows = append(tab.Rows, append(row, delta, fmtAPL(c.Estimate, th.DecimalsOf(c.Estimate))))
	}
	if err := tab.Render(opts.Stdout); err != nil {
		return err
	}
	pctStr := func(v *float64) string {
		if v == nil {
			return diagnostic.NA
		}
		return strconv.FormatFloat(100**v, 'f', 1, 64) + " %"
	}
	fmt.Fprintf(opts.Stdout, "%s: APL %s → %s (estimate); population with APL ≤ 2.5: %s → %s\n", res.Territory, fmtAPL(res.APLBefore, th.DecimalsOf(res.APLBefore)), fmtAPL(res.APLAfter, th.DecimalsOf(res.APLAfter)), pctStr(res.ShareLowBefore), pctStr(res.ShareLowAfter))
	// Notes on the method: standard error, each on its own line.
	if res.Retire65 {
		fmt.Fprintln(opts.Stderr, "note: start: the official DREES APL to GPs under 65 (as if the GPs aged 65 and over stopped), not a recomputation")
	}
	fmt.Fprintln(opts.Stderr, "note: the shares count the population of the rows of the DREES APL file, as the official shares do; the Population column is the 2026 reference population (INSEE)")
	if res.Activity > 0 {
		fmt.Fprintf(opts.Stderr, "note: modelled change: recomputed index (not official): BPE 2017 GPs scaled to the 2023 Assurance Maladie counts, %.0f consultations per GP, estimated road times\n", res.Activity)
	}
	return nil
}

// reachesTerritory reports whether the scenario's change moves the
// modelled APL of some commune of the territory (by at least 0.005, what
// the table shows), or keeps none for lack of a recomputed value.
func reachesTerritory(res *diagnostic.ScenarioResult) bool {
	for _, c := range res.Communes {
		if c.Delta != nil && math.Abs(*c.Delta) >= 0.005 {
			return true
		}
	}
	return false
}
