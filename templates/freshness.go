package templates

import (
	"html"
	"html/template"
	"regexp"
	"strings"

	"github.com/diagsante/diagsante/diagnostic"
)

// The first page of the report (HTML header, top of the Synthèse sheet)
// says when the report was made and how old each source it used is; the
// stale ones, with the command that refreshes them, are in Limites.

// dataDateRow is one source of the "date des données" block.
type dataDateRow struct {
	Label, Text, Source string
	Stale               bool
	// Refresh is the command that updates the data, or the French hint
	// when there is none; shown for stale sources only.
	Refresh string
}

// dataDateRows lists the sources of a report for the page: the label with
// the départements it holds for when the source has several dates.
func dataDateRows(r *diagnostic.Report) []dataDateRow {
	out := make([]dataDateRow, 0, len(r.DataDates))
	for _, d := range r.DataDates {
		label := d.Label
		if d.Area != "" {
			label += ", " + d.Area
		}
		out = append(out, dataDateRow{Label: label, Text: d.Text, Source: d.Source, Stale: d.Stale, Refresh: refresh(d)})
	}
	return out
}

func refresh(d diagnostic.SourceDate) string {
	if d.Update != "" {
		return d.Update
	}
	return d.Manual
}

// reportDay writes the report date as 01/12/2026, "" when unknown.
func reportDay(r *diagnostic.Report) string {
	d := r.ReportDate
	if len(d) != 10 {
		return ""
	}
	return d[8:10] + "/" + d[5:7] + "/" + d[:4]
}

// staleCount counts the sources more than two years older than the report.
func staleCount(r *diagnostic.Report) int {
	n := 0
	for _, d := range r.DataDates {
		if d.Stale {
			n++
		}
	}
	return n
}

// dateLine is the line of the Indicateurs sheet under the title: the
// report date and the date of every source used (the Synthèse has them
// in its table).
func dateLine(r *diagnostic.Report) string {
	var parts []string
	for _, d := range dataDateRows(r) {
		p := d.Label + " : " + d.Text
		if d.Stale {
			p += " (plus de deux ans)"
		}
		parts = append(parts, p)
	}
	s := "Date des données : " + strings.Join(parts, " ; ") + "."
	if day := reportDay(r); day != "" {
		s = "Rapport du " + day + ". " + s
	}
	return s
}

// staleLine says how many sources are stale and where the commands that
// refresh them are, "" when none is. where is the table of dates: "plus
// bas" on the Synthèse sheet, which has it.
func staleLine(r *diagnostic.Report, where string) string {
	switch n := staleCount(r); n {
	case 0:
		return ""
	case 1:
		return "Une source date de plus de deux ans avant ce rapport : la commande qui la met à jour est dans le tableau « Date des données » " + where + " et dans les limites (feuille « " + SheetSources + " »)."
	default:
		return Int(n) + " sources datent de plus de deux ans avant ce rapport : les commandes qui les mettent à jour sont dans le tableau « Date des données » " + where + " et dans les limites (feuille « " + SheetSources + " »)."
	}
}

// commandRE finds the commands quoted in the Limites sentences.
var commandRE = regexp.MustCompile(`« (diagsante [^«»]+?) »`)

// limitHTML escapes a Limites sentence and shows the diagsante commands it
// quotes as code.
func limitHTML(s string) template.HTML {
	return template.HTML(commandRE.ReplaceAllString(html.EscapeString(s), "<code>$1</code>"))
}
