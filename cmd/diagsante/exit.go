package main

import (
	"errors"
	"strings"

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
	case errors.As(err, &ue), errors.As(err, &re), errors.As(err, &pe), isCobraUsage(err):
		return exitUsage
	default:
		return exitFailure
	}
}

// cobraUsagePrefixes are the messages of cobra's own argument validation,
// which returns plain errors.
var cobraUsagePrefixes = []string{"unknown command", "unknown flag", "unknown shorthand flag", "requires at least", "requires at most",
	"accepts ", "invalid argument", "flag needs an argument", "unknown help topic"}

func isCobraUsage(err error) bool {
	for _, p := range cobraUsagePrefixes {
		if strings.HasPrefix(err.Error(), p) {
			return true
		}
	}
	return false
}
