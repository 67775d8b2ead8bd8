package main

import (
	"github.com/spf13/cobra"

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
	cmd.Flags().StringVar(p, "csv-locale", string(templates.CSVFrench), templates.CSVLocaleHelp)
	cmd.RegisterFlagCompletionFunc("csv-locale", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"fr\t; and decimal commas (French spreadsheets)", "en\t, and decimal points"}, cobra.ShellCompDirectiveNoFileComp
	})
}

// csvLocale reads the value of --csv-locale; a wrong one is a usage error.
func csvLocale(s string) (templates.CSVLocale, error) {
	l, err := templates.ParseCSVLocale(s)
	if err != nil {
		return "", usageErr(err)
	}
	return l, nil
}
