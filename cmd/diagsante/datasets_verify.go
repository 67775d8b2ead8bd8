package main

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/templates"
)

type datasetsVerifyOptions struct {
	*globalOptions
	JSON bool
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

EXIT STATUS
  0  every check is OK or WARN
  1  at least one check is FAIL (or the snapshot cannot be read)
  2  bad usage`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDatasetsVerify(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON")
	return cmd
}

func runDatasetsVerify(opts *datasetsVerifyOptions) error {
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
		return fmt.Errorf("%d of %d checks failed", failed, len(checks))
	}
	return nil
}
