package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/diagnostic/access"
	"github.com/diagsante/diagsante/templates"
)

type datasetsVerifyOptions struct {
	*globalOptions
	JSON bool
	APL  bool
}

func newDatasetsVerifyCommand(g *globalOptions) *cobra.Command {
	opts := &datasetsVerifyOptions{globalOptions: g}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the consistency of the snapshot in use across its tables",
		Long: `Check the snapshot in use (the embedded one, under the local snapshot when
there is one) across its tables, and print one line per check with its
status (OK, WARN, FAIL), a count and details:

  - commune codes unknown to the COG 2026 (or not current) in the APL, GP,
    establishments, CPTS and professionals tables;
  - establishments without commune, FINESS numbers listed twice;
  - establishments whose point lies more than 1 km outside the contour of
    their commune (closer is within the contours' precision);
  - GPs per département (gp_bpe, and the RPPS professionals table when
    imported) against the Assurance Maladie count of libéral generalists
    ("Généralistes et MEP / 01- Médecine générale"): the national ratio, and
    the départements whose ratio is far from it;
  - communes without point, contour or population.

WARN is worth knowing but the data is usable; FAIL means tables contradict
each other.

With --travel-times FILE (and without --apl), compare instead the road
times of FILE with the travel-time model: the --travel-times format
(origin;destination;minutes, INSEE codes) or a pairs file of 'access
times' with a minutes column (id;from;to;minutes, id;lon1;lat1;lon2;lat2;
minutes). It prints the number of pairs, the mean absolute error and the
bias (model − road) in minutes, over all pairs and over trips of at most
25 road minutes (the figure METHOD.md publishes), by crow-fly distance
class. A place to itself is left out (0 minutes by convention).

EXIT STATUS
  0  every check is OK or WARN
  1  at least one check is FAIL (or the snapshot cannot be read)
  2  bad usage`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDatasetsVerify(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	cmd.Flags().BoolVar(&opts.APL, "apl", false, "instead, validate the recomputed APL (open data, travel-time model or --travel-times) against the official DREES APL 2023")
	return cmd
}

// aplValidation is the JSON output of `datasets verify --apl`.
type aplValidation struct {
	Units              int     `json:"units"`
	Pearson            float64 `json:"pearson"`
	Spearman           float64 `json:"spearman"`
	MedianAbsError     float64 `json:"median_abs_error"`
	Agreement          float64 `json:"agreement_apl_low"`
	BothLow            int     `json:"both_low"`
	OfficialLowOnly    int     `json:"official_low_only"`
	RecomputedLowOnly  int     `json:"recomputed_low_only"`
	BothHigh           int     `json:"both_high"`
	ActivityPerGP      float64 `json:"activity_per_gp"`
	TravelTimes        string  `json:"travel_times"`
	ComputeMillisecond int64   `json:"compute_ms"`
}

// runAPLValidation recomputes the APL of every commune and compares it with
// the official one: the figures METHOD.md asks to publish.
func runAPLValidation(opts *datasetsVerifyOptions) error {
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	t, err := loadTravelTimes(opts.TravelTimes)
	if err != nil {
		return err
	}
	o := access.Options{Times: t}
	start := time.Now()
	// One E2SFCA: the calibrated activity and the values of the baseline.
	b, err := access.NewBaseline(s, o)
	if err != nil {
		return err
	}
	act, rec := b.Activity, b.Values
	elapsed := time.Since(start)
	v := access.Validate(s, rec)
	out := aplValidation{Units: v.Units, Pearson: v.Pearson, Spearman: v.Spearman, MedianAbsError: v.MedianAbsError, Agreement: v.Agreement,
		BothLow: v.BothLow, OfficialLowOnly: v.OfficialLowOnly, RecomputedLowOnly: v.RecomputedLowOnly, BothHigh: v.BothHigh,
		ActivityPerGP: act, TravelTimes: "model", ComputeMillisecond: elapsed.Milliseconds()}
	if opts.TravelTimes != "" {
		out.TravelTimes = opts.TravelTimes
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	tab := templates.Table{Header: []string{"Recomputed vs official APL 2023", "Value"}, Numeric: []bool{false, true}}
	f := func(v float64, p int) string { return strconv.FormatFloat(v, 'f', p, 64) }
	tab.Rows = [][]string{
		{"communes and arrondissements compared (metropolitan France, Paris excluded)", strconv.Itoa(v.Units)},
		{"Pearson correlation", f(v.Pearson, 3)},
		{"Spearman correlation", f(v.Spearman, 3)},
		{"median absolute error (consultations/yr/inh.)", f(v.MedianAbsError, 3)},
		{"agreement of the APL ≤ 2.5 class", f(100*v.Agreement, 1) + " %"},
		{"both ≤ 2.5 / official only / recomputed only / both > 2.5", fmt.Sprintf("%d / %d / %d / %d", v.BothLow, v.OfficialLowOnly, v.RecomputedLowOnly, v.BothHigh)},
		{"activity counted per GP (consultations/yr)", f(act, 0)},
		{"travel times", out.TravelTimes},
		{"compute time (ms)", strconv.FormatInt(elapsed.Milliseconds(), 10)},
	}
	return tab.Render(opts.Stdout)
}

func runDatasetsVerify(opts *datasetsVerifyOptions) error {
	if opts.APL {
		return runAPLValidation(opts)
	}
	if opts.TravelTimes != "" {
		return runTravelTimesVerify(opts)
	}
	s, err := opts.snapshot()
	if err != nil {
		return err
	}
	checks, err := importer.Verify(s)
	if err != nil {
		return err
	}
	failed := 0
	for _, c := range checks {
		if c.Status == importer.StatusFail {
			failed++
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checks); err != nil {
			return err
		}
	} else {
		tab := templates.Table{Header: []string{"Check", "Status", "Count", "Detail"}, Numeric: []bool{false, false, true, false}}
		for _, c := range checks {
			tab.Rows = append(tab.Rows, []string{c.Check, c.Status, strconv.Itoa(c.Count), c.Detail})
		}
		if err := tab.Render(opts.Stdout); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %s failed", failed, countOf(len(checks), "check", "checks"))
	}
	return nil
}
