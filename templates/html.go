package templates

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/diagsante/diagsante/diagnostic"
)

// The page is one file that works offline: the echarts library, the
// styles, the script and the commune contours are all inlined.
var (
	//go:embed assets/echarts/echarts.min.js
	echartsJS string
	//go:embed assets/report.html.tmpl
	reportTmpl string
	//go:embed assets/report.css
	reportCSS string
	//go:embed assets/report.js
	reportJS string
)

// EChartsVersion is the version of the embedded Apache ECharts library.
const EChartsVersion = "5.6.0"

// The page template is cut around its large blocks: the styles, and at
// the end the chart data, the echarts library and the page script (over
// 1 MB together, the same on every page but the data). WriteHTMLWith
// writes them as they are: through html/template each was copied twice per
// page (the escaper passes such trusted values through, then fmt copies
// them) for nothing. The cuts fall between elements, in the text context
// where html/template starts each template, so each piece escapes as it
// did in the whole page.
const (
	cssSlot  = "<style>{{.CSS}}</style>"
	dataSlot = "<script type=\"application/json\" id=\"diag-data\">{{.Data}}</script>\n<script>{{.ECharts}}</script>\n<script>{{.Script}}</script>"
)

// pageParts are the pieces of the page template: head comes before the
// styles, body between the styles and the data; tail, after the scripts,
// holds the templates the others call ("chart", "notes"…).
type pageParts struct {
	head, body, tail *template.Template
	memos            memos
}

// pageTemplate is parsed on first use: a command that writes no page
// (version, territory show, simulate) does not pay the 2 ms it takes.
var pageTemplate = sync.OnceValue(func() *pageParts { return parsePage(reportTmpl) })

func parsePage(src string) *pageParts {
	i, j := strings.Index(src, cssSlot), strings.Index(src, dataSlot)
	if i < 0 || j < i {
		panic("templates: report.html.tmpl has lost its styles or data slot")
	}
	p := &pageParts{memos: memos{last: map[string][]memoEntry{}}}
	p.head = template.New("head").Funcs(template.FuncMap{"trimCheck": trimCheck, "limit": limitHTML, "countOf": CountOf, "agree": Agree,
		"fig": fig.HTML, "memo": p.memo})
	template.Must(p.head.Parse(src[:i]))
	p.body = template.Must(p.head.New("body").Parse(src[i+len(cssSlot) : j]))
	p.tail = template.Must(p.head.New("tail").Parse(src[j+len(dataSlot):]))
	return p
}

// Several sections of the page are the same on every page of a batch of
// communes of a département (the sources, the notes, the limits, the
// professions of the département…): the page template writes them as
// {{memo "name" data}}, the HTML of its template name for data, made again
// only when data differs (reflect.DeepEqual) from the data of the last
// memoSize pages. The template reads its data only, so the same data
// gives the same bytes. The data is kept: it must be the view's own,
// made for each page and not changed after (not the report's, which the
// caller may change). Each such template is written in a text context
// and starts and ends in one, as html/template escapes a template it
// executes on its own.
const memoSize = 16

type memos struct {
	mu   sync.Mutex
	last map[string][]memoEntry // by template name, the oldest first
}

type memoEntry struct {
	data any
	html template.HTML
}

func (p *pageParts) memo(name string, data any) (template.HTML, error) {
	m := &p.memos
	m.mu.Lock()
	for _, e := range m.last[name] {
		if reflect.DeepEqual(e.data, data) {
			m.mu.Unlock()
			return e.html, nil
		}
	}
	m.mu.Unlock()
	var b strings.Builder
	if err := p.head.ExecuteTemplate(&b, name, data); err != nil {
		return "", err
	}
	h := template.HTML(b.String())
	m.mu.Lock()
	last := m.last[name]
	if len(last) == memoSize {
		last = append(last[:0:0], last[1:]...)
	}
	m.last[name] = append(last, memoEntry{data: data, html: h})
	m.mu.Unlock()
	return h, nil
}

// pageEnd is what follows the chart data on every page: the end of its
// script element, the echarts library, the page script and the end of the
// page; made once per process.
var pageEnd = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("</script>\n<script>")
	b.WriteString(echartsJS)
	b.WriteString("</script>\n<script>")
	b.WriteString(reportJS)
	b.WriteString("</script>")
	err := pageTemplate().tail.Execute(&b, nil)
	return b.Bytes(), err
})

// writePage writes the page of v.
func writePage(w io.Writer, v *view) error { return pageTemplate().write(w, v) }

func (p *pageParts) write(w io.Writer, v *view) error {
	end, err := pageEnd()
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	// The templated parts (about 100 kB for a commune) are made in a
	// buffer reused from page to page: a batch writes one per unit, and
	// growing a new one each time was a fifth of the page's time.
	buf, _ := pageBufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = &bytes.Buffer{}
	}
	defer func() {
		buf.Reset()
		pageBufs.Put(buf)
	}()
	if err := p.head.Execute(buf, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	buf.WriteString("<style>")
	buf.WriteString(reportCSS)
	buf.WriteString("</style>")
	if err := p.body.Execute(buf, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	buf.WriteString(`<script type="application/json" id="diag-data">`)
	for _, b := range [][]byte{buf.Bytes(), v.Data, end} {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// trimCheck drops the "À vérifier : " a lever to check may start with: the
// page shows it as a badge.
func trimCheck(title string) string {
	for _, p := range []string{"À vérifier : ", "À vérifier\u00a0: "} {
		if strings.HasPrefix(title, p) {
			t := strings.TrimPrefix(title, p)
			if t != "" {
				return strings.ToUpper(t[:1]) + t[1:]
			}
		}
	}
	return title
}

// WriteHTML writes the report as a self-contained HTML page. contours maps
// the territory's commune codes to their GeoJSON geometry (the map is drawn
// from them; communes without one are left off the map but not the tables).
// A territory of more than SummaryThreshold communes needs its parts: use
// WriteHTMLWith.
func WriteHTML(w io.Writer, r *diagnostic.Report, contours map[string]json.RawMessage) error {
	return WriteHTMLWith(w, r, HTMLOptions{Contours: contours})
}

// HTMLOptions are what the page needs besides the report.
type HTMLOptions struct {
	// Contours are the communes' GeoJSON geometries, for the maps of the
	// full form (the summary form has none).
	Contours map[string]json.RawMessage
	// Parts are the territory's figures by département (DepartementParts),
	// the rows of the summary form; required when Summarised(r).
	Parts []Part
}

// WriteHTMLWith writes the report as a self-contained HTML page: the full
// form, or above SummaryThreshold communes the summary form, figures by
// département and no per-commune map or table (the workbook, CSV and
// GeoJSON keep every commune).
func WriteHTMLWith(w io.Writer, r *diagnostic.Report, o HTMLOptions) error {
	if Summarised(r) && len(o.Parts) == 0 {
		return fmt.Errorf("html report: a territory of %s communes gets the summary form, which needs its figures by département", Int(len(r.Communes)))
	}
	var v *view
	var err error
	if Summarised(r) {
		v, err = newView(summaryReport(r), nil, r, o.Parts)
	} else {
		v, err = newView(r, o.Contours, nil, nil)
	}
	if err != nil {
		return err
	}
	return writePage(w, v)
}

var pageBufs sync.Pool

// geoCollection returns the contours as a GeoJSON FeatureCollection
// sorted by code, each feature named by its commune code.
func geoCollection(r *diagnostic.Report, contours map[string]json.RawMessage) *featureCollection {
	fc := &featureCollection{Type: "FeatureCollection", Features: []feature{}}
	for _, c := range r.Communes {
		g, ok := contours[c.Code]
		if !ok || len(g) == 0 {
			continue
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Properties: map[string]any{"name": c.Code}, Geometry: g})
	}
	// The neighbours of a one-commune territory, drawn around it.
	for _, n := range r.Neighbours {
		if g, ok := contours[n.Code]; ok && len(g) > 0 {
			fc.Features = append(fc.Features, feature{Type: "Feature", Properties: map[string]any{"name": n.Code}, Geometry: g})
		}
	}
	return fc
}

type featureCollection struct {
	Type     string    `json:"type"`
	Features []feature `json:"features"`
}

type feature struct {
	Type       string          `json:"type"`
	Properties map[string]any  `json:"properties"`
	Geometry   json.RawMessage `json:"geometry"`
}

// view is what the page template reads: figures already formatted the
// French way, with their footnotes, so that the template only lays them out.
type view struct {
	R        *diagnostic.Report
	PopLabel string // the populations used, e.g. "populations de référence en vigueur en 2026"
	Places   string
	Cards    []card
	// KeyCards are the figures of the first page; MoreCards follow in
	// the details (onepage.go).
	KeyCards, MoreCards []card
	NChecks             string
	// StructTable counts the structures by commune and type, shown instead
	// of the list when the list is long (onepage.go).
	StructTable    *structTable
	LongStructures bool
	Aging          agingView
	AllAges        string
	Method65       string
	France65       string
	Attention      []diagnostic.Finding
	Levers         []diagnostic.Lever
	Checks         []diagnostic.Lever
	Levels         []levelRow
	Communes       []communeRow
	CommStruct     fig
	MultiEPCI      bool
	GPLabel        string
	ProfLevels     []string
	Profs          []profRow
	KindLevels     []fig
	Kinds          []kindRow
	CPTS           []cptsRow
	CPTSKnown      bool
	CPTSNote       fig
	Structures     []structRow
	Access         []accessRow
	NearKinds      []string
	Nearest        []nearRow
	Sources        []sourceRow
	LevelSrc       []levelSourceRow
	SAS            []diagnostic.SASStatus
	Limits         []string // the report's, copied: the page memoizes them
	Notes          map[string][]note
	Low, Mid       string
	NoAPL          int
	MapMissing     int
	// ReportDay, DataDates and NStale: the date block of the header.
	ReportDay string
	DataDates []dataDateRow
	NStale    int
	Charts    map[string]chartSpec
	// Data is the JSON of the charts and contours, written as it is into
	// the page's data script (writePage).
	Data    []byte
	Version string

	// The summary form (Summarised): rows by département and the
	// territory's total, the kinds of the structures table, and counts.
	Summary     bool
	SummaryAt   string
	NCommunes   string
	NStructures string
	NDeps       int
	Parts       []partRow
	PartTotal   partRow
	PartKinds   []string
}

type card struct {
	Label, Unit, Note string
	Value             fig
	Compare           []fig
	Tone              string // low, middle, high or ""
}

// levelRow is one level of the comparison tables; each figure carries the
// notes of the section where it is shown.
type levelRow struct {
	Name, Kind, GPSource                           string
	Communes, Population                           string
	Need, Share75                                  fig // section 2
	GPs, GPDensity                                 fig // section 3
	APL23, APL22, ShareLow, ShareMiddle, ShareHigh fig // section 4
	APLU65, ShareFrom65, ShareLowU65               fig
	CPTSPop, CPTSCommun                            fig // section 5
}

type communeRow struct {
	Code, Name, EPCI, Population, Class, ClassKey, Structures string
	Need, APL23, APL22, GPs, GPDensity, CPTS                  fig
}

type profRow struct {
	Label fig
	Cells []fig
}

type kindRow struct {
	Key, Label    string
	Glossary      string // the kind's glossary entry, "" when none
	Sub           bool   // a type of centre de santé, shown under the first
	Count, Per10k fig
	Levels        []fig
}

type cptsRow struct {
	Name, Coverage string
}

type structRow struct {
	Kind, Name, Commune, Address, Finess, Category, Detail string
}

type accessRow struct {
	Label, Mean, B15, B20, B30 string
}

type nearRow struct {
	Code, Name string
	Cells      []nearCell
}

// nearCell is the time and distance to the nearest structure, and its name.
type nearCell struct {
	Time, Km, Name string
}

type sourceRow struct {
	Title, Publisher, Vintage, Licence, Rows, Source string
}

// levelSourceRow says which sources and vintages a comparison level uses.
type levelSourceRow struct {
	Name  string
	Items []levelSource
	Mixed bool
}

type levelSource struct {
	Title, Sources string
	Mixed          bool
}

// newView builds what the page shows of r. For the summary form, r is
// the summaryReport of full, and parts are full's départements.
func newView(r *diagnostic.Report, contours map[string]json.RawMessage, full *diagnostic.Report, parts []Part) (*view, error) {
	if len(r.Levels) == 0 {
		return nil, fmt.Errorf("html report: the report has no figures")
	}
	v := &view{R: r, Attention: r.Attention, Low: Num(r.Thresholds.Low, 1), Mid: Num(r.Thresholds.Middle, 0),
		Version: EChartsVersion, Charts: map[string]chartSpec{}, SAS: r.SAS}
	for _, l := range r.Levers {
		if l.Check {
			v.Checks = append(v.Checks, l)
		} else {
			v.Levers = append(v.Levers, l)
		}
	}
	nb := newNotebook()
	v.Places = placesSentence(r)
	v.GPLabel = gpSourceLabel(r)
	// Notes are numbered in reading order: the page is built section by
	// section.
	v.Cards = cards(r, nb)
	v.KeyCards, v.MoreCards = splitCards(v.Cards)
	v.NChecks = checksCount(len(v.Checks))
	v.Aging = agingBlock(r, nb)
	v.AllAges = allAgesNote(r)
	v.Method65 = method65()
	if fr := levelKind(r, "france"); fr != nil && fr.ShareFrom65Plus != nil {
		v.France65 = Pct(*fr.ShareFrom65Plus, 0)
	}

	// 2. Territoire et population.
	for _, l := range r.Levels {
		f := l.Figures
		v.Levels = append(v.Levels, levelRow{Name: levelName(l), Kind: l.Kind, GPSource: f.GPSource,
			Communes: Int(f.Communes), Population: Int(f.Population),
			Need:    nb.num(secTerritoire, f.Gaps, "need_index", f.NeedIndex, 2),
			Share75: nb.pct(secTerritoire, f.Gaps, "share_75_plus", f.Share75Plus, 1)})
	}
	epcis := map[string]bool{}
	unknownKinds := fig{Text: "Structures"}
	for _, c := range r.Communes {
		epcis[c.EPCI] = true
		g := c.Gaps
		row := communeRow{Code: c.Code, Name: c.Name, EPCI: c.EPCIName, Population: Int(c.Population),
			Need:  nb.num(secTerritoire, g, "need_index", c.NeedIndex, 2),
			APL23: nb.num(secTerritoire, g, "apl_2023", c.APL2023, aplDec(r.Thresholds, c.APL2023)), APL22: nb.num(secTerritoire, g, "apl_2022", c.APL2022, aplDec(r.Thresholds, c.APL2022)),
			Class: ClassLabel(c.APLClass, r.Thresholds), ClassKey: c.APLClass,
			GPs: nb.count(secTerritoire, g, "gps", c.GPs), GPDensity: nb.num(secTerritoire, g, "gp_density_per_10000", c.GPDensity, 1),
			Structures: structureSummary(c.Structures)}
		if gp := gapOf(g, "cpts_commune_share"); gp != nil && gp.Status == diagnostic.GapUnknown {
			row.CPTS = nb.cell(secTerritoire, g, "cpts_commune_share", "", true)
		} else if len(c.CPTS) > 0 {
			row.CPTS = plain(strings.Join(c.CPTS, ", "))
		} else {
			row.CPTS = plain("aucune")
		}
		for _, k := range diagnostic.Kinds {
			if gp := gapOf(g, "structures."+k.Key); gp != nil && gp.Status == diagnostic.GapUnknown {
				unknownKinds = nb.withNote(unknownKinds, secTerritoire, gp.Reason)
			}
		}
		if c.APL2023 == nil {
			v.NoAPL++
		}
		if _, ok := contours[c.Code]; !ok {
			v.MapMissing++
		}
		v.Communes = append(v.Communes, row)
	}
	v.CommStruct = unknownKinds
	v.MultiEPCI = len(epcis) > 1
	if full != nil {
		v.summaryParts(full, parts, nb)
	}

	// 3. Professionnels de santé: one GP density per level, with its source.
	for i, l := range r.Levels {
		f := l.Figures
		v.Levels[i].GPs = nb.count(secPros, f.Gaps, "gps", f.GPs)
		v.Levels[i].GPDensity = nb.num(secPros, f.Gaps, "gp_density_per_10000", f.GPDensity, 1)
	}
	if len(r.Professions) > 0 {
		for _, l := range r.Professions[0].Levels {
			name := l.Name
			if l.Kind == "departement" {
				name += " (" + l.Code + ")"
			}
			v.ProfLevels = append(v.ProfLevels, name)
		}
	}
	for _, p := range r.Professions {
		row := profRow{Label: plain(professionLabel(p))}
		if p.Key == "mg" {
			row.Label = nb.withNote(row.Label, secPros, professionGPNote(r))
		}
		for _, l := range p.Levels {
			row.Cells = append(row.Cells,
				nb.cell(secPros, nil, "profession", IntP(l.Count), l.Count == nil),
				nb.cell(secPros, nil, "profession", NumP(l.Density, 1), l.Density == nil))
		}
		v.Profs = append(v.Profs, row)
	}

	// 4. Accessibilité.
	for i, l := range r.Levels {
		f, g := l.Figures, l.Figures.Gaps
		lr := &v.Levels[i]
		lr.APL23 = nb.num(secAccess, g, "apl_2023", f.APL2023, aplDec(r.Thresholds, f.APL2023))
		lr.APL22 = nb.num(secAccess, g, "apl_2022", f.APL2022, aplDec(r.Thresholds, f.APL2022))
		lr.ShareLow = nb.pct(secAccess, g, "share_apl_low", f.ShareLow, 1)
		lr.ShareMiddle = nb.pct(secAccess, g, "share_apl_middle", f.ShareMiddle, 1)
		lr.ShareHigh = nb.pct(secAccess, g, "share_apl_high", f.ShareHigh, 1)
	}
	for i, l := range r.Levels {
		f, g := l.Figures, l.Figures.Gaps
		lr := &v.Levels[i]
		lr.APLU65 = nb.num(secAccess, g, "apl_under65_2023", f.APLUnder65_2023, aplDec(r.Thresholds, f.APLUnder65_2023))
		lr.ShareFrom65 = nb.pct(secAccess, g, "share_from_65_plus", f.ShareFrom65Plus, 0)
		lr.ShareLowU65 = nb.pct(secAccess, g, "share_apl_low_under65", f.ShareLowUnder65, 1)
	}
	for _, a := range r.Access {
		v.Access = append(v.Access, accessRow{Label: a.Label, Mean: Num(a.MeanMinutes, 1), B15: Pct(a.Beyond15, 1), B20: Pct(a.Beyond20, 1), B30: Pct(a.Beyond30, 1)})
	}
	v.NearKinds, v.Nearest = nearestTable(r)

	// 5. Offre de soins structurée.
	for _, l := range r.Levels[1:] {
		h := plain(levelName(l))
		if srcs := l.Sources["establishments"]; len(srcs) > 1 {
			h = nb.withNote(h, secOffre, mixedVintages(levelName(l), "les établissements du FINESS", srcs))
		}
		v.KindLevels = append(v.KindLevels, h)
	}
	t := r.Levels[0].Figures
	for i, k := range diagnostic.Kinds {
		field := "structures." + k.Key
		n := t.Structures[k.Key]
		row := kindRow{Key: k.Key, Label: k.Label, Glossary: glossaryAnchor(k.Key), Sub: i > 0 && isCentreKind(k.Key) && k.Key != "cds",
			Count: nb.count(secOffre, t.Gaps, field, n)}
		if n != nil && t.Population > 0 {
			row.Per10k = nb.cell(secOffre, t.Gaps, field, Num(float64(*n)/float64(t.Population)*10000, 2), false)
		} else {
			row.Per10k = nb.cell(secOffre, t.Gaps, field, "", true)
		}
		for _, l := range r.Levels[1:] {
			row.Levels = append(row.Levels, nb.count(secOffre, l.Gaps, field, l.Structures[k.Key]))
		}
		v.Kinds = append(v.Kinds, row)
	}
	for i, l := range r.Levels {
		f, g := l.Figures, l.Figures.Gaps
		v.Levels[i].CPTSPop = nb.pct(secOffre, g, "cpts_population_share", f.CPTSPopulationShare, 1)
		v.Levels[i].CPTSCommun = nb.pct(secOffre, g, "cpts_commune_share", f.CPTSCommuneShare, 1)
	}
	v.CPTSKnown = t.CPTSPopulationShare != nil
	if !v.CPTSKnown {
		v.CPTSNote = nb.cell(secOffre, t.Gaps, "cpts_population_share", "", true)
	}
	for _, c := range r.CPTS {
		row := cptsRow{Name: c.Name}
		if c.SeatOnly {
			row.Coverage = "siège enregistré au FINESS dans le territoire (périmètre non connu)"
		} else {
			row.Coverage = CountOf(c.InTerritory, "commune du territoire", "communes du territoire") + " sur " + CountOf(c.Total, "commune", "communes") + " de son périmètre"
		}
		v.CPTS = append(v.CPTS, row)
	}
	if full != nil {
		v.summaryStructures(parts, nb)
	}
	for _, s := range r.Structures {
		v.Structures = append(v.Structures, structRow{Kind: s.KindLabel, Name: s.Name, Commune: s.CommuneName, Address: s.Address,
			Finess: s.Finess, Category: s.CategoryLbl, Detail: s.Detail})
	}
	v.StructTable = structureTable(v.Structures)
	v.LongStructures = len(v.Structures) > maxStructureList

	// 6. Méthodologie et sources.
	for _, s := range r.Sources {
		v.Sources = append(v.Sources, sourceRow{Title: s.Title, Publisher: s.Publisher, Vintage: s.Vintage, Licence: s.Licence, Rows: Int(s.Rows), Source: s.Source})
	}
	v.LevelSrc = levelSources(r)
	v.Limits = slices.Clone(r.Limits)
	v.ReportDay, v.DataDates, v.NStale = reportDay(r), dataDateRows(r), staleCount(r)
	v.PopLabel = popLabel(r)
	v.Notes = map[string][]note{}
	for _, sec := range []string{secSynthese, secTerritoire, secPros, secAccess, secOffre, secMethode} {
		v.Notes[sec] = nb.section(sec)
	}

	var specs []chartSpec
	if full != nil {
		specs = []chartSpec{aplLevelsChart(r), gpDensityChart(r), classSharesChart(r), partsAPLChart(full, parts)}
	} else {
		specs = []chartSpec{mapChart(r), aplLevelsChart(r), gpDensityChart(r), classSharesChart(r)}
		specs = append(specs, communeAPLChart(r), share65MapChart(r))
	}
	if len(r.Access) > 0 {
		specs = append(specs, accessChart(r))
	}
	if len(r.Professions) > 0 {
		specs = append(specs, professionsChart(r))
	}
	if s, ok := structuresChart(r); ok {
		specs = append(specs, s)
	}
	for _, s := range specs {
		v.Charts[s.ID] = s
	}
	data, err := marshalDataScript(dataScript{Geo: geoCollection(r, contours), Charts: specs})
	if err != nil {
		return nil, fmt.Errorf("html report: %w", err)
	}
	// The JSON escapes <, > and & as json.Marshal does: the data cannot
	// close the script.
	v.Data = data
	return v, nil
}

// isCentreKind tells the kinds of centres de santé (cds and its types).
func isCentreKind(key string) bool { return key == "cds" || strings.HasPrefix(key, "cds_") }

// gpSourceLabel names the sources of the GP counts of the levels, for
// labels: "BPE 2017", or "BPE 2017 / RPPS 2026-11-20" when levels differ.
func gpSourceLabel(r *diagnostic.Report) string {
	var out []string
	for _, l := range r.Levels {
		if l.GPSource != "" && !contains(out, l.GPSource) {
			out = append(out, l.GPSource)
		}
	}
	if len(out) == 0 {
		return r.GPSource
	}
	return strings.Join(out, " / ")
}

// professionLabel names a profession of the Assurance Maladie table; the
// GPs say they are libéraux of 2023, not the count used elsewhere.
func professionLabel(p diagnostic.ProfessionFigures) string {
	if p.Key == "mg" {
		return "Médecins généralistes libéraux (Assurance Maladie 2023)"
	}
	return p.Label
}

// professionGPNote explains why the libéraux GPs of the Assurance Maladie
// differ from the GP count of the rest of the report, and which to read.
func professionGPNote(r *diagnostic.Report) string {
	src := gpSourceLabel(r)
	what := "la source " + src
	if strings.Contains(src, "BPE") {
		what = "la Base permanente des équipements (BPE 2017 de l'INSEE : tous les omnipraticiens exerçant en cabinet en 2017, salariés compris)"
	}
	return "Ce décompte (médecins généralistes libéraux au 31 décembre 2023, Assurance Maladie, publié par département) diffère de celui de " +
		what + ", qui donne les effectifs et la densité de médecins généralistes du reste du rapport. " +
		"Pour comparer le territoire à ses niveaux de référence, lire le tableau « Médecins généralistes » ci-dessus ; " +
		"ce tableau-ci compare les professions entre elles."
}

// mixedVintages is the note of a level whose table mixes sources.
func mixedVintages(level, what string, sources []string) string {
	return level + " : " + what + " mêlent plusieurs sources (" + strings.Join(sources, " ; ") +
		") : mélange de millésimes, comparer avec prudence."
}

// levelSources lists, per comparison level, the source and vintage of each
// table its figures use, flagging the tables that mix vintages.
func levelSources(r *diagnostic.Report) []levelSourceRow {
	titles := map[string]string{}
	var order []string
	for _, s := range r.Sources {
		titles[s.Name] = s.Title
		order = append(order, s.Name)
	}
	var out []levelSourceRow
	for _, l := range r.Levels {
		row := levelSourceRow{Name: levelName(l)}
		var names []string
		for n := range l.Sources {
			names = append(names, n)
		}
		// Tables in the order of the sources table, others after by name.
		sort.SliceStable(names, func(i, j int) bool {
			a, b := indexOf(order, names[i]), indexOf(order, names[j])
			if a != b {
				return a < b
			}
			return names[i] < names[j]
		})
		for _, n := range names {
			srcs := l.Sources[n]
			title := titles[n]
			if title == "" {
				title = n
			}
			it := levelSource{Title: title, Sources: strings.Join(srcs, " + "), Mixed: len(srcs) > 1}
			row.Mixed = row.Mixed || it.Mixed
			row.Items = append(row.Items, it)
		}
		out = append(out, row)
	}
	return out
}

// indexOf returns the index of v in s, or len(s) when absent.
func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return len(s)
}

// placesSentence says where the territory lies.
func placesSentence(r *diagnostic.Report) string {
	var deps, regs, epcis []string
	for _, d := range r.Territory.Departements {
		deps = append(deps, d.Name+" ("+d.Code+")")
	}
	for _, g := range r.Territory.Regions {
		regs = append(regs, g.Name)
	}
	for _, e := range r.Territory.EPCIs {
		epcis = append(epcis, e.Name)
	}
	s := ""
	if len(deps) == 1 {
		s = "Département : " + deps[0]
	} else if len(deps) > 12 {
		// A région or France: the départements are the rows of the
		// summary form's table.
		s = CountOf(len(deps), "département", "départements")
	} else if len(deps) > 1 {
		s = "Départements : " + strings.Join(deps, ", ")
	}
	if len(regs) == 1 {
		s += " — région " + regs[0]
	} else if len(regs) > 1 {
		s += " — régions " + strings.Join(regs, ", ")
	}
	if len(epcis) == 1 {
		s += " — EPCI : " + epcis[0]
	} else if len(epcis) > 1 && len(epcis) <= 6 {
		s += " — EPCI : " + strings.Join(epcis, ", ")
	} else if len(epcis) > 6 {
		s += fmt.Sprintf(" — %d EPCI", len(epcis))
	}
	return s
}

// compareLevels is the list of comparison levels under a card, each value
// with its notes.
func compareLevels(r *diagnostic.Report, value func(l diagnostic.Level) fig) []fig {
	var out []fig
	for _, l := range r.Levels[1:] {
		f := value(l)
		f.Text = levelName(l) + " : " + f.Text
		out = append(out, f)
	}
	return out
}

func cards(r *diagnostic.Report, nb *notebook) []card {
	const sec = secSynthese
	t := r.Levels[0].Figures
	var out []card
	out = append(out, card{Label: "Population", Value: plain(Int(t.Population)), Unit: Agree(t.Population, "habitant", "habitants"),
		Note: CountOf(t.Communes, "commune", "communes") + " — population municipale (" + popLabel(r) + ")"})
	apl := card{Label: "Accessibilité aux médecins généralistes (APL 2023)", Value: nb.num(sec, t.Gaps, "apl_2023", t.APL2023, aplDec(r.Thresholds, t.APL2023)),
		Unit: diagnostic.UnitAgree(t.APL2023, aplDec(r.Thresholds, t.APL2023), "consultation", "consultations") + " par an et par habitant",
		Compare: compareLevels(r, func(l diagnostic.Level) fig {
			return nb.num(sec, l.Gaps, "apl_2023", l.APL2023, aplDec(r.Thresholds, l.APL2023))
		})}
	if t.APL2023 != nil {
		apl.Tone = r.Thresholds.Class(*t.APL2023)
		if t.APL2022 != nil {
			apl.Note = "APL 2022 : " + Num(*t.APL2022, r.Thresholds.Decimals(*t.APL2022)) + " · "
		}
		apl.Note += "tous âges, comme C@rtoSanté"
	}
	out = append(out, apl)
	low := card{Label: "Population dans une commune d'APL ≤ " + Num(r.Thresholds.Low, 1), Value: nb.pct(sec, t.Gaps, "share_apl_low", t.ShareLow, 0),
		Unit:    "de la population",
		Compare: compareLevels(r, func(l diagnostic.Level) fig { return nb.pct(sec, l.Gaps, "share_apl_low", l.ShareLow, 0) })}
	if t.ShareLow != nil && t.ShareMiddle != nil {
		low.Note = "entre " + Num(r.Thresholds.Low, 1) + " et " + Num(r.Thresholds.Middle, 0) + " : " + Pct(*t.ShareMiddle, 0)
		if *t.ShareLow >= 0.2 {
			low.Tone = "low"
		}
	}
	out = append(out, low)
	gpSrc := t.GPSource
	if gpSrc == "" {
		gpSrc = gpSourceLabel(r)
	}
	gp := card{Label: "Médecins généralistes pour 10 000 habitants", Value: nb.num(sec, t.Gaps, "gp_density_per_10000", t.GPDensity, 1),
		Unit: "(" + gpSrc + ")",
		Compare: compareLevels(r, func(l diagnostic.Level) fig {
			f := nb.num(sec, l.Gaps, "gp_density_per_10000", l.GPDensity, 1)
			if l.GPSource != "" && l.GPSource != gpSrc {
				f.Text += " (" + l.GPSource + ")"
			}
			return f
		})}
	if t.GPs != nil {
		gp.Note = CountOf(*t.GPs, "médecin généraliste", "médecins généralistes") + " (" + gpSrc + ")"
	}
	out = append(out, gp)
	out = append(out, coordinatedCard(r, nb))
	out = append(out, cptsCard(r, nb))
	if a := accessOf(r, "emergency"); a != nil {
		out = append(out, card{Label: "Temps d'accès moyen aux urgences", Value: plain(Num(a.MeanMinutes, 0)), Unit: "minutes",
			Note: Pct(a.Beyond30, 0) + " de la population à plus de 30 minutes" + timesErrorNote(r)})
	} else {
		out = append(out, card{Label: "Services d'urgences dans le territoire",
			Value: nb.count(sec, t.Gaps, "structures.emergency", t.Structures["emergency"]), Unit: "(SAE 2020)",
			Note: "temps d'accès : non calculé"})
	}
	out = append(out, card{Label: "Indice de besoin de soins", Value: nb.num(sec, t.Gaps, "need_index", t.NeedIndex, 2), Unit: "(France = 1)",
		Compare: compareLevels(r, func(l diagnostic.Level) fig { return nb.num(sec, l.Gaps, "need_index", l.NeedIndex, 2) }),
		Note:    needNote(t.NeedIndex)})
	return out
}

// needNote reads the territory's need index (standardised over total
// population, METHOD.md) in the direction of its value as shown: within
// 0,05 of 1 (the threshold of the "besoins élevés" finding), "proche".
func needNote(v *float64) string {
	if v == nil {
		return "1 = besoins moyens de la France"
	}
	switch x := diagnostic.Round(*v, 2); {
	case x >= 1.05:
		return "au-dessus de 1 : population plus âgée que la moyenne nationale, qui consulte davantage"
	case x <= 0.95:
		return "au-dessous de 1 : population plus jeune que la moyenne nationale, qui consulte moins"
	}
	return "proche de 1 : besoins de soins proches de la moyenne nationale"
}

// coordinatedKinds are the kinds counted in "exercice coordonné": MSP and
// centres de santé médicaux ou polyvalents (not dental, nursing…).
func coordinatedKinds() []diagnostic.Kind {
	var out []diagnostic.Kind
	for _, k := range diagnostic.Kinds {
		if k.Coordinated {
			out = append(out, k)
		}
	}
	return out
}

// coordinated sums the coordinated kinds of a level: unknown when one of
// them is, with the notes of each kind.
func coordinated(nb *notebook, sec string, f diagnostic.Figures) (fig, string) {
	total, known := 0, true
	var parts []string
	res := fig{Sec: sec}
	for _, k := range coordinatedKinds() {
		field := "structures." + k.Key
		c := nb.count(sec, f.Gaps, field, f.Structures[k.Key])
		res.Notes = append(res.Notes, c.Notes...)
		res.Partial = res.Partial || c.Partial
		n := f.Structures[k.Key]
		if n == nil {
			known = false
			parts = append(parts, NA+" "+coordLabel(k.Key))
			continue
		}
		total += *n
		parts = append(parts, Int(*n)+" "+coordLabel(k.Key))
	}
	res.Notes = uniqueInts(res.Notes)
	res.Text = NA
	if known {
		res.Text = Int(total)
	}
	return res, strings.Join(parts, " + ")
}

// coordLabel is the short name of a coordinated kind in the card.
func coordLabel(key string) string {
	switch key {
	case "msp":
		return "MSP"
	case "cds":
		return "CDS médicaux ou polyvalents"
	}
	return diagnostic.KindLabel(key)
}

func uniqueInts(s []int) []int {
	var out []int
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// coordinatedCard counts the MSP and the centres de santé médicaux ou
// polyvalents: the structures of exercice coordonné that bring GPs.
func coordinatedCard(r *diagnostic.Report, nb *notebook) card {
	const sec = secSynthese
	value, detail := coordinated(nb, sec, r.Levels[0].Figures)
	unit := "structures"
	if value.Text == NA {
		detail = ""
	} else if coordinatedTotal(r.Levels[0].Figures) < 2 {
		unit = "structure"
	}
	return card{Label: "Exercice coordonné : MSP et centres de santé médicaux ou polyvalents", Value: value,
		Unit: unit, Note: detail,
		Compare: compareLevels(r, func(l diagnostic.Level) fig {
			v, d := coordinated(nb, sec, l.Figures)
			if v.Text != NA {
				v.Text += " (" + d + ")"
			}
			return v
		})}
}

// coordinatedTotal is the number of coordinated structures of a level,
// over the kinds whose count is known.
func coordinatedTotal(f diagnostic.Figures) int {
	n := 0
	for _, k := range coordinatedKinds() {
		if c := f.Structures[k.Key]; c != nil {
			n += *c
		}
	}
	return n
}

// cptsCard gives the share of the population in a known CPTS perimeter;
// where perimeters are not known it says n.d., never 0 or "aucune".
func cptsCard(r *diagnostic.Report, nb *notebook) card {
	const sec = secSynthese
	t := r.Levels[0].Figures
	cp := card{Label: "CPTS", Unit: "de la population couverte",
		Value: nb.pct(sec, t.Gaps, "cpts_population_share", t.CPTSPopulationShare, 0),
		Compare: compareLevels(r, func(l diagnostic.Level) fig {
			return nb.pct(sec, l.Gaps, "cpts_population_share", l.CPTSPopulationShare, 0)
		})}
	seats := 0
	for _, c := range r.CPTS {
		if c.SeatOnly {
			seats++
		}
	}
	switch {
	case t.CPTSPopulationShare != nil:
		if len(r.CPTS) == 0 {
			cp.Note = "aucune CPTS ne touche le territoire (périmètres ARS)"
		} else {
			cp.Note = CountOf(len(r.CPTS), "CPTS touche", "CPTS touchent") + " le territoire (périmètres ARS)"
		}
	case seats > 0:
		cp.Note = "périmètres non connus ; " + CountOf(seats, "siège de CPTS enregistré", "sièges de CPTS enregistrés") + " au FINESS dans le territoire : à vérifier auprès de l'ARS"
	default:
		cp.Note = "périmètres non connus : à vérifier auprès de l'ARS"
	}
	return cp
}

func accessOf(r *diagnostic.Report, kind string) *diagnostic.AccessFigures {
	for i := range r.Access {
		if r.Access[i].Kind == kind {
			return &r.Access[i]
		}
	}
	return nil
}

// shortKind names kinds in the communes table.
var shortKind = map[string][2]string{
	"msp": {"MSP", "MSP"}, "cds": {"centre de santé médical ou polyvalent", "centres de santé médicaux ou polyvalents"},
	"cds_dentaire": {"centre de santé dentaire", "centres de santé dentaires"}, "cds_infirmier": {"centre de soins infirmiers", "centres de soins infirmiers"},
	"cds_ophtalmo": {"centre de santé ophtalmologique", "centres de santé ophtalmologiques"}, "cds_autre": {"autre centre de santé", "autres centres de santé"},
	"cpts":     {"siège de CPTS", "sièges de CPTS"},
	"hospital": {"hôpital", "hôpitaux"}, "proximity": {"hôpital de proximité", "hôpitaux de proximité"},
	"emergency": {"service d'urgences", "services d'urgences"}, "maternity": {"maternité", "maternités"},
	"had": {"HAD", "HAD"}, "snp": {"soins non programmés", "soins non programmés"}, "pharmacy": {"pharmacie", "pharmacies"},
	"lab": {"laboratoire", "laboratoires"}, "ehpad": {"EHPAD", "EHPAD"},
}

// shortLabel is the short plural name of a kind, capitalised, for chart
// axes and table headers ("Centres de santé", "MSP").
func shortLabel(kind string) string {
	short, ok := shortKind[kind]
	if !ok {
		return diagnostic.KindLabel(kind)
	}
	return strings.ToUpper(short[1][:1]) + short[1][1:]
}

func structureSummary(m map[string]*int) string {
	var parts []string
	for _, k := range diagnostic.Kinds {
		p := m[k.Key]
		if p == nil || *p == 0 {
			continue
		}
		n := *p
		names, ok := shortKind[k.Key]
		if !ok {
			names = [2]string{k.Label, k.Label}
		}
		name := names[0]
		if n > 1 {
			name = names[1]
		}
		parts = append(parts, Int(n)+" "+name)
	}
	return strings.Join(parts, ", ")
}

func nearestTable(r *diagnostic.Report) ([]string, []nearRow) {
	present := map[string]bool{}
	for _, c := range r.Communes {
		for k := range c.Nearest {
			present[k] = true
		}
	}
	if len(present) == 0 {
		return nil, nil
	}
	var kinds, labels []string
	for _, k := range diagnostic.Kinds {
		if present[k.Key] {
			kinds = append(kinds, k.Key)
			labels = append(labels, shortLabel(k.Key))
		}
	}
	// Kinds unknown to diagnostic.Kinds still show, after, in key order.
	var extra []string
	for k := range present {
		if !contains(kinds, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	kinds = append(kinds, extra...)
	labels = append(labels, extra...)
	var rows []nearRow
	for _, c := range r.Communes {
		row := nearRow{Code: c.Code, Name: c.Name}
		for _, k := range kinds {
			n, ok := c.Nearest[k]
			if !ok {
				row.Cells = append(row.Cells, nearCell{Time: NA})
				continue
			}
			row.Cells = append(row.Cells, nearCell{Time: Num(n.Minutes, 1) + nbsp + "min", Km: Num(n.Km, 1) + nbsp + "km", Name: n.Name})
		}
		rows = append(rows, row)
	}
	return labels, rows
}

// vintageLine lists the vintages of the main figures, for the page header.
func vintageLine(r *diagnostic.Report) string {
	want := []string{"communes", "apl", "gp_bpe", "liberaux", "establishments"}
	var parts []string
	for _, name := range want {
		for _, s := range r.Sources {
			if s.Name == name {
				parts = append(parts, s.Vintage)
			}
		}
	}
	return strings.Join(parts, " · ")
}
