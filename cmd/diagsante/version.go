package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"
)

func newVersionCommand(opts *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the vintages of the embedded data",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := opts.Build
			fmt.Fprintf(opts.Stdout, "diagsante %s", b.Version)
			if b.Commit != "" {
				fmt.Fprintf(opts.Stdout, " (commit %s, built %s)", b.Commit, b.Date)
			}
			fmt.Fprintf(opts.Stdout, " %s/%s %s\n", runtime.GOOS, runtime.GOARCH, runtime.Version())
			s, err := opts.snapshot()
			if err != nil {
				return err
			}
			fmt.Fprintln(opts.Stdout, "data:")
			for _, t := range s.Manifest.Tables {
				fmt.Fprintf(opts.Stdout, "  %-16s %s\n", t.Name, t.Vintage)
			}
			return nil
		},
	}
}
