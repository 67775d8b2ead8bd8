package main

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/diagnostic"
)

func newVersionCommand(opts *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the vintages of the embedded data",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := opts.Build
			fmt.Fprintf(opts.Stdout, "diagsante %s", b.Version)
			// goreleaser --snapshot outside a tagged checkout gives "none"
			// and a zero date: print only what is known.
			if b.Commit != "" && b.Commit != "none" {
				fmt.Fprintf(opts.Stdout, " (commit %s", b.Commit)
				if b.Date != "" && !strings.HasPrefix(b.Date, "0001-") {
					fmt.Fprintf(opts.Stdout, ", %s", b.Date)
				}
				fmt.Fprint(opts.Stdout, ")")
			}
			fmt.Fprintf(opts.Stdout, " %s/%s %s\n", runtime.GOOS, runtime.GOARCH, runtime.Version())
			// The manifest is enough: decoding the tables would be most of
			// the time of the command.
			s, err := opts.manifest()
			if err != nil {
				return err
			}
			fmt.Fprintln(opts.Stdout, "data:")
			for _, t := range s.Manifest.Tables {
				fmt.Fprintf(opts.Stdout, "  %-16s %s\n", t.Name, t.Vintage)
			}
			now, err := reportDay()
			if err != nil {
				return err
			}
			writeDataDates(opts.Stdout, diagnostic.SourceDates(s, nil, now), now)
			return nil
		},
	}
}
