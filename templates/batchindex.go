package templates

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// An IndexRow is one unit of a batch in the index: its headline figures and
// the link to its report. Nil values are unknown.
type IndexRow struct {
	Key        string   `json:"key"`  // unit code (SIREN, INSEE code, CPTS name)
	Name       string   `json:"name"` // unit name
	Dir        string   `json:"dir"`  // report folder, relative to the index
	Status     string   `json:"status"`
	Error      string   `json:"error,omitempty"`
	Communes   int      `json:"communes"`
	Population int      `json:"population"`
	APL2023    *float64 `json:"apl_2023"`
	ShareLow   *float64 `json:"share_apl_low"`
	GPDensity  *float64 `json:"gp_density_per_10000"`
	MSP        *int     `json:"msp"`
	CDS        *int     `json:"cds"`
	GPSource   string   `json:"gp_source"`
	Attention  int      `json:"attention"`
	// Report is the file of the unit's folder the index links to: the
	// batch's first format in the order html, xlsx, json, csv, geojson
	// ("" reads as diagnostic.html).
	Report string `json:"report,omitempty"`
}

// An Index is the table of contents of a batch.
type Index struct {
	Title string
	By    string // epci, cpts, commune
	Rows  []IndexRow
}

// indexCSVColumns are the columns of index.csv, in French like the rest of
// the index (it is written for the readers of the reports, who open it in a
// spreadsheet); shares are 0–1 as in the JSON of the reports.
var indexCSVColumns = []string{"Code", "Nom", "État", "Communes", "Population (hab.)", "APL 2023 (consultations/an/hab.)",
	"Part de la population APL ≤ 2,5 (0 à 1)", "Médecins généralistes pour 10 000 hab.", "MSP",
	"Centres de santé médicaux ou polyvalents", "Points d'attention", "Rapport"}

// Status codes of an index row, as the batch sets them.
const (
	StatusWritten  = "written"
	StatusUpToDate = "up to date"
	StatusFailed   = "failed"
)

// StatusLabel is the French label of a unit's status in the index.
func StatusLabel(status string) string {
	switch status {
	case StatusWritten:
		return "écrit"
	case StatusUpToDate:
		return "à jour"
	case StatusFailed:
		return "échec"
	}
	return status
}

// WriteIndexCSV writes the index in the convention loc (see CSVLocale),
// numbers unformatted but for the decimal mark, an empty cell for an
// unknown figure.
func WriteIndexCSV(w io.Writer, ix *Index, loc CSVLocale) error {
	cw := loc.NewWriter(w)
	cw.Write(indexCSVColumns)
	for _, r := range ix.Rows {
		cw.Write([]string{r.Key, r.Name, StatusLabel(r.Status), strconv.Itoa(r.Communes), strconv.Itoa(r.Population), loc.FloatP(r.APL2023, -1), loc.FloatP(r.ShareLow, -1), loc.FloatP(r.GPDensity, -1),
			intOrNA(r.MSP), intOrNA(r.CDS), strconv.Itoa(r.Attention), reportLink(r)})
	}
	cw.Flush()
	return cw.Error()
}

func reportLink(r IndexRow) string {
	if r.Status == StatusFailed {
		return ""
	}
	if r.Report != "" {
		return r.Dir + "/" + r.Report
	}
	return r.Dir + "/diagnostic.html"
}

func deref(v *float64) float64 {
	if v == nil {
		return 0
	}
	return *v
}

func derefInt(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

func rawP(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// WriteIndexXLSX writes the index as a workbook with one sheet, numbers as
// numbers, a frozen header, an autofilter and links to the reports.
func WriteIndexXLSX(w io.Writer, ix *Index) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Index"
	f.SetSheetName("Sheet1", sheet)
	headers := []string{"Code", "Nom", "État", "Communes", "Population (hab.)", "APL 2023 (consultations/an/hab.)", "Part de la population APL ≤ 2,5 (%)",
		"Médecins généralistes pour 10 000 hab.", "MSP", "Centres de santé médicaux ou polyvalents", "Points d'attention", "Rapport"}
	for i, h := range headers {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellStr(sheet, cell, h)
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	f.SetRowStyle(sheet, 1, 1, bold)
	intFmt, _ := f.NewStyle(&excelize.Style{NumFmt: 3})
	dec2, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptrStr("0.00")})
	pctFmt, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	for i, r := range ix.Rows {
		row := i + 2
		set := func(col int, v any, style int) {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			f.SetCellValue(sheet, cell, v)
			if style != 0 {
				f.SetCellStyle(sheet, cell, cell, style)
			}
		}
		set(1, r.Key, 0)
		set(2, r.Name, 0)
		set(3, StatusLabel(r.Status), 0)
		set(4, r.Communes, intFmt)
		set(5, r.Population, intFmt)
		// A unit's figure the data cannot give is "n.d." (never 0); a
		// failed unit has no figures at all and stays empty.
		for _, c := range []struct {
			col   int
			v     any
			ok    bool
			style int
		}{
			{6, deref(r.APL2023), r.APL2023 != nil, dec2}, {7, deref(r.ShareLow), r.ShareLow != nil, pctFmt},
			{8, deref(r.GPDensity), r.GPDensity != nil, dec2}, {9, derefInt(r.MSP), r.MSP != nil, intFmt}, {10, derefInt(r.CDS), r.CDS != nil, intFmt},
		} {
			switch {
			case c.ok:
				set(c.col, c.v, c.style)
			case r.Status != StatusFailed:
				set(c.col, NA, 0)
			}
		}
		set(11, r.Attention, intFmt)
		if link := reportLink(r); link != "" {
			cell, _ := excelize.CoordinatesToCellName(12, row)
			f.SetCellStr(sheet, cell, link)
			f.SetCellHyperLink(sheet, cell, link, "External")
		}
	}
	widths := []float64{12, 40, 10, 10, 14, 14, 14, 16, 8, 10, 10, 40}
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		f.SetColWidth(sheet, col, col, wd)
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), len(ix.Rows)+1)
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	f.SetDocProps(&excelize.DocProperties{Title: ix.Title, Subject: "Index des diagnostics territoriaux d'accès aux soins", Creator: "diagsante",
		Created: "2026-01-01T00:00:00Z", Modified: "2026-01-01T00:00:00Z"})
	return f.Write(w)
}

func ptrStr(s string) *string { return &s }

// indexPage is the batch index page's template, parsed on first use.
var indexPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("index").Funcs(template.FuncMap{
		"num":    func(v *float64, prec int) string { return NumP(v, prec) },
		"apl":    func(v *float64) string { return NumP(v, aplDec(diagnostic.DefaultThresholds, v)) },
		"pct":    func(v *float64) string { return PctP(v, 1) },
		"int":    Int,
		"raw":    rawP,
		"intp":   IntP,
		"intraw": func(n *int) string { return intOrNA(n) },
		"link":   reportLink,
		"deref":  func(v *float64) float64 { return *v },
		"status": StatusLabel,
		"count":  diagnostic.Plural,
	}).Parse(`<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1d2733}
h1{font-size:1.4rem}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.35rem .6rem;border-bottom:1px solid #dde3ea;text-align:left}
th{background:#f3f6f9;cursor:pointer;position:sticky;top:0;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.failed td{color:#a40000}
.low{color:#b00020;font-weight:600}
@media print{th{position:static}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{count (len .Rows) "diagnostic" "diagnostics"}}. Cliquer sur un en-tête de colonne pour trier. APL : accessibilité potentielle localisée aux médecins généralistes (DREES, 2023), en consultations par an et par habitant standardisé.</p>
<div class="table">
<table id="index">
<thead><tr>
<th data-type="s">Code</th><th data-type="s">Nom</th><th data-type="n">Communes</th><th data-type="n">Population</th>
<th data-type="n">APL 2023</th><th data-type="n">Population APL ≤ 2,5</th><th data-type="n">Généralistes / 10 000 hab.</th>
<th data-type="n">MSP</th><th data-type="n">Centres de santé médicaux ou polyvalents</th><th data-type="n">Points d'attention</th><th data-type="s">État</th>
</tr></thead>
<tbody>
{{range .Rows}}<tr{{if eq .Status "failed"}} class="failed"{{end}}>
<td>{{.Key}}</td>
<td>{{if link .}}<a href="{{link .}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</td>
<td class="n" data-v="{{.Communes}}">{{int .Communes}}</td>
<td class="n" data-v="{{.Population}}">{{int .Population}}</td>
<td class="n{{if .APL2023}}{{if le (deref .APL2023) 2.5}} low{{end}}{{end}}" data-v="{{raw .APL2023}}">{{apl .APL2023}}</td>
<td class="n" data-v="{{raw .ShareLow}}">{{pct .ShareLow}}</td>
<td class="n" data-v="{{raw .GPDensity}}">{{num .GPDensity 1}}</td>
<td class="n" data-v="{{intraw .MSP}}">{{intp .MSP}}</td>
<td class="n" data-v="{{intraw .CDS}}">{{intp .CDS}}</td>
<td class="n" data-v="{{.Attention}}">{{.Attention}}</td>
<td>{{status .Status}}{{if .Error}} : {{.Error}}{{end}}</td>
</tr>
{{end}}</tbody>
</table>
</div>
<script>
(function(){
  var t=document.getElementById("index"), ths=t.tHead.rows[0].cells;
  Array.prototype.forEach.call(ths,function(th,i){
    th.addEventListener("click",function(){
      var asc=th.getAttribute("aria-sort")!=="ascending", num=th.dataset.type==="n";
      Array.prototype.forEach.call(ths,function(h){h.removeAttribute("aria-sort")});
      th.setAttribute("aria-sort",asc?"ascending":"descending");
      var rows=Array.prototype.slice.call(t.tBodies[0].rows);
      rows.sort(function(a,b){
        var x=a.cells[i], y=b.cells[i];
        if(num){var p=parseFloat(x.dataset.v), q=parseFloat(y.dataset.v);
          if(isNaN(p))p=-Infinity; if(isNaN(q))q=-Infinity; return asc?p-q:q-p;}
        return asc?x.textContent.localeCompare(y.textContent,"fr"):y.textContent.localeCompare(x.textContent,"fr");
      });
      rows.forEach(function(r){t.tBodies[0].appendChild(r)});
    });
  });
})();
</script>
</body>
</html>
`))
})

// WriteIndexHTML writes the index as a self-contained page with a sortable table.
func WriteIndexHTML(w io.Writer, ix *Index) error {
	if err := indexPage().Execute(w, ix); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	return nil
}

// intOrNA formats a count that may be unknown for the CSV index: empty
// when unknown, never 0.
func intOrNA(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
