package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/diagnostic"
)

// usageError marks errors caused by the command line or the input files: they
// exit with status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErr(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err}
}

// exitCode maps an error to the documented exit status, in one place.
func exitCode(err error) int {
	var ue *usageError
	var re *diagnostic.ResolveError
	var pe *parseerr.Error
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &re), errors.As(err, &pe):
		return exitUsage
	default:
		return exitFailure
	}
}

// Cobra's own argument validators return plain errors; the commands use
// these instead, so that a usage error is known by its type, not by its
// message (as gh does with its FlagError).

// noArgs accepts no positional argument.
func noArgs(cmd *cobra.Command, args []string) error { return usageErr(cobra.NoArgs(cmd, args)) }

// minArgs accepts at least n positional arguments.
func minArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error { return usageErr(cobra.MinimumNArgs(n)(cmd, args)) }
}

// typeUsageErrors makes every command of the tree report its usage errors
// typed: flag errors (SetFlagErrorFunc is inherited), and unknown
// subcommands of command groups ("diagsante datasets lst"), which cobra
// would otherwise report with an untyped "unknown command" error.
//
// Cobra adds its completion command when it executes; it is added here
// first so that "completion tcsh" is typed too (cobra's NoArgs on the group
// gave exit 0 and the help).
func typeUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() && (c.Args == nil || c.Name() == "completion") {
			c.Args = func(cmd *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usageErr(fmt.Errorf("unknown command %q for %q; see %q", args[0], cmd.CommandPath(), cmd.CommandPath()+" --help"))
				}
				return nil
			}
			if !c.Runnable() {
				c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
