package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/diagsante/diagsante/templates"
)

// csvLocaleHelp is the paragraph of long help of the commands that write
// CSV.
const csvLocaleHelp = `
CSV files follow --csv-locale (or csv-locale: in diagsante.yaml,
DIAGSANTE_CSV_LOCALE): fr, the default, is ';'-separated with decimal
commas and a UTF-8 byte-order mark, so that LibreOffice and Excel with a
French locale open it with numbers as numbers and accents right; en is
','-separated with decimal points (English spreadsheets, pandas, R). The
columns are the same whatever the data; an unknown value is an empty cell,
never 0.
`

// addCSVLocaleFlag adds --csv-locale to a command that writes CSV.
func addCSVLocaleFlag(cmd *cobra.Command, p *string) {
	*p = string(templates.CSVFrench)
	cmd.Flags().Var(&releasableString{p: p}, "csv-locale", templates.CSVLocaleHelp)
	cmd.RegisterFlagCompletionFunc("csv-locale", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"fr\t; and decimal commas (French spreadsheets)", "en\t, and decimal points"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// A releasableString is a string flag bound to a field of a command's
// options until Main releases it. cobra keeps every flag that has a
// completion function in a map of its own for the life of the process: a
// flag bound to a field of the options kept those options alive, with the
// snapshot they had loaded (20 MB for each diagnose run in-process, by the
// tests and the benchmarks, until the heap reached the memory limit).
type releasableString struct{ p *string }

func (v *releasableString) Set(s string) error {
	if v.p != nil {
		*v.p = s
	}
	return nil
}

func (v *releasableString) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v *releasableString) Type() string { return "string" }

// releaseFlags unbinds the releasable flags of a command tree from the
// options they write into, once the command has run.
func releaseFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if v, ok := f.Value.(*releasableString); ok {
			v.p = nil
		}
	})
	for _, sub := range c.Commands() {
		releaseFlags(sub)
	}
}

// csvLocale reads the value of --csv-locale; a wrong one is a usage error.
func csvLocale(s string) (templates.CSVLocale, error) {
	l, err := templates.ParseCSVLocale(s)
	if err != nil {
		return "", usageErr(err)
	}
	return l, nil
}
