package templates

import (
	"bytes"
	"encoding/json"
	"html"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic"
)

// TestDataDatesPage: the header of the page gives the report date and the
// date of every source used for Nemours, flagging those more than two
// years older than the report (1 December 2026); Limites gives the
// command that refreshes them, as code.
func TestDataDatesPage(t *testing.T) {
	page := renderedText(t, "epci:200023240")
	head := page[strings.Index(page, `<header class="page-head">`):strings.Index(page, "</header>")]
	for _, want := range []string{
		`Rapport du 01/12/2026. Date des données utilisées pour ce territoire :</p>`,
		`9 sources datent de plus de deux ans avant ce rapport : les commandes qui les mettent à jour sont dans les <a href="#limites">limites</a> (section 6).`,
		`<li class="stale">Établissements FINESS : <strong>données au 08/01/2021</strong> <span class="stale-flag">plus de deux ans</span></li>`,
		`<li class="stale">Médecins généralistes par commune (BPE, INSEE) : <strong>données 2017</strong> <span class="stale-flag">plus de deux ans</span></li>`,
		`<li class="stale">Accessibilité potentielle localisée (APL, DREES) : <strong>données 2023</strong> <span class="stale-flag">plus de deux ans</span></li>`,
		`<li>Communes et populations de référence (INSEE) : <strong>données 2026</strong></li>`,
	} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %s\n%s", want, head)
		}
	}
	if n := strings.Count(head, `class="stale-flag"`); n != 9 {
		t.Errorf("%d stale flags, want 9", n)
	}
	for _, want := range []string{
		`<h3 id="limites">Limites</h3>`,
		`<li>Établissements FINESS : données au 08/01/2021, plus de deux ans avant ce rapport — <code>diagsante datasets update --only finess</code> les met à jour.</li>`,
		`<li>Médecins généralistes par commune (BPE, INSEE) : données 2017, plus de deux ans avant ce rapport — <code>diagsante datasets update --only rpps</code> les remplace par l'Annuaire Santé (RPPS).</li>`,
		`<li>Urgences et maternités (SAE, DREES) : données 2020, plus de deux ans avant ce rapport ; pas de mise à jour automatique ni d'import pour cette source.</li>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestLimitHTML: a Limites sentence is escaped before its commands become
// code.
func TestLimitHTML(t *testing.T) {
	got := string(limitHTML(`<b>x</b> & « diagsante datasets import --cpts <f> » puis « autre »`))
	if want := `&lt;b&gt;x&lt;/b&gt; &amp; <code>diagsante datasets import --cpts &lt;f&gt;</code> puis « autre »`; got != want {
		t.Errorf("limitHTML = %s, want %s", got, want)
	}
}

// TestDataDatesWorkbook: the Synthèse sheet gives the report date under its
// title and the dates of the data in a "Date des données" table with the
// update commands; the Indicateurs sheet gives the same dates in a line.
func TestDataDatesWorkbook(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "epci:200023240")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if a3, _ := f.GetCellValue(SheetSynthese, "A3"); a3 != "Rapport du 01/12/2026." {
		t.Errorf("Synthèse A3 = %q", a3)
	}
	a3, _ := f.GetCellValue(SheetIndicators, "A3")
	if !strings.HasPrefix(a3, "Rapport du 01/12/2026. Date des données : Établissements FINESS : données au 08/01/2021 (plus de deux ans) ; Médecins généralistes par commune (BPE, INSEE) : données 2017 (plus de deux ans) ;") ||
		!strings.Contains(a3, "Communes et populations de référence (INSEE) : données 2026 ;") {
		t.Errorf("A3 = %q", a3)
	}
	for sheet, where := range map[string]string{SheetSynthese: "« Date des données » plus bas", SheetIndicators: "« Date des données » de la feuille « Synthèse »"} {
		if a4, _ := f.GetCellValue(sheet, "A4"); !strings.HasPrefix(a4, "9 sources datent de plus de deux ans avant ce rapport") || !strings.Contains(a4, where) {
			t.Errorf("%s A4 = %q, want the table %s", sheet, a4, where)
		}
	}
	findRow(t, f, SheetSynthese, "Date des données (rapport du 01/12/2026)")
	for label, want := range map[string][]string{
		"Établissements FINESS":                            {"données au 08/01/2021", "oui", "diagsante datasets update --only finess"},
		"Accessibilité potentielle localisée (APL, DREES)": {"données 2023", "oui", "diagsante datasets update --only apl"},
		"Communes et populations de référence (INSEE)":     {"données 2026", "non", ""},
		"Urgences et maternités (SAE, DREES)":              {"données 2020", "oui", "aucune commande"},
	} {
		row := findRow(t, f, SheetSynthese, label)
		for i, w := range want {
			if got, _ := f.GetCellValue(SheetSynthese, cell(i+2, row)); got != w {
				t.Errorf("%s, column %d: %q, want %q", label, i+2, got, w)
			}
		}
	}
}

// TestDataDatesImportedTable: a FINESS extraction of 20 November 2026
// imported for Seine-et-Marne (its coverage in the manifest, as `datasets
// import` writes it): a territory of Nemours (77) and Montargis (45) shows
// the new date for 77, not flagged, and the FINESS 2021 for the Loiret,
// flagged — in the page, the workbook and the JSON.
func TestDataDatesImportedTable(t *testing.T) {
	s, err := snapshot.LoadEmbedded() // a copy of its own, to alter
	if err != nil {
		t.Fatal(err)
	}
	tab := s.Manifest.Table("establishments")
	for i := range tab.Coverage {
		if tab.Coverage[i].Dep == "77" {
			tab.Coverage[i] = snapshot.Coverage{Dep: "77", Source: "FINESS 2026-11-20", Vintage: "2026-11-20"}
		}
	}
	e := diagnostic.NewEngine(s)
	e.Date = testDate
	terr, err := diagnostic.NewResolver(s).Resolve("77333", "Montargis")
	if err != nil {
		t.Fatal(err)
	}
	r := e.Build(terr, "")

	var page bytes.Buffer
	if err := WriteHTML(&page, r, nil); err != nil {
		t.Fatal(err)
	}
	text := html.UnescapeString(page.String())
	for _, want := range []string{
		`<li class="stale">Établissements FINESS, Loiret (45) : <strong>données au 08/01/2021</strong> <span class="stale-flag">plus de deux ans</span></li>`,
		`<li>Établissements FINESS, Seine-et-Marne (77) : <strong>données au 20/11/2026</strong></li>`,
		`<li>Établissements FINESS, Loiret (45) : données au 08/01/2021, plus de deux ans avant ce rapport — <code>diagsante datasets update --only finess</code> les met à jour.</li>`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(text, "Établissements FINESS, Seine-et-Marne (77) : données au 20/11/2026, plus de deux ans") {
		t.Error("the imported FINESS is flagged")
	}

	var book bytes.Buffer
	if err := WriteXLSX(&book, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&book)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for label, want := range map[string][]string{
		"Établissements FINESS, Seine-et-Marne (77)": {"données au 20/11/2026", "non", ""},
		"Établissements FINESS, Loiret (45)":         {"données au 08/01/2021", "oui", "diagsante datasets update --only finess"},
	} {
		row := findRow(t, f, SheetSynthese, label)
		for i, w := range want {
			if got, _ := f.GetCellValue(SheetSynthese, cell(i+2, row)); got != w {
				t.Errorf("%s, column %d: %q, want %q", label, i+2, got, w)
			}
		}
	}
	// The source of each date is on the Sources sheet.
	rows, _ := f.GetRows(SheetSources)
	var sources strings.Builder
	for _, r := range rows {
		sources.WriteString(strings.Join(r, "\t") + "\n")
	}
	for _, want := range []string{"2026-11-20", "2021-01-08"} {
		if !strings.Contains(sources.String(), want) {
			t.Errorf("the Sources sheet does not name the FINESS of %s", want)
		}
	}

	var js bytes.Buffer
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var got struct {
		ReportDate string `json:"report_date"`
		DataDates  []struct {
			Key, Date    string
			Stale        bool
			Departements []string
		} `json:"data_dates"`
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var finess []string
	for _, d := range got.DataDates {
		if d.Key == "finess" {
			finess = append(finess, strings.Join(d.Departements, " ")+" "+d.Date+" "+map[bool]string{true: "stale", false: "fresh"}[d.Stale])
		}
	}
	if got.ReportDate != "2026-12-01" || strings.Join(finess, ", ") != "45 2021-01-08 stale, 77 2026-11-20 fresh" {
		t.Errorf("JSON: report date %q, FINESS %q", got.ReportDate, finess)
	}
}
