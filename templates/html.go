package templates

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

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

var pageTemplate = template.Must(template.New("report").Parse(reportTmpl))

// WriteHTML writes the report as a self-contained HTML page. contours maps
// the territory's commune codes to their GeoJSON geometry (the map is drawn
// from them; communes without one are left off the map but not the tables).
func WriteHTML(w io.Writer, r *diagnostic.Report, contours map[string]json.RawMessage) error {
	v, err := newView(r, contours)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

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
// French way, so that the template only lays them out.
type view struct {
	R          *diagnostic.Report
	Places     string
	Cards      []card
	Attention  []diagnostic.Finding
	Levers     []diagnostic.Lever
	Levels     []levelRow
	Communes   []communeRow
	MultiEPCI  bool
	ProfLevels []string
	Profs      []profRow
	KindLevels []string
	Kinds      []kindRow
	CPTS       []cptsRow
	Structures []structRow
	Access     []accessRow
	NearKinds  []string
	Nearest    []nearRow
	Sources    []sourceRow
	Low, Mid   string
	NoAPL      int
	MapMissing int
	Vintages   string
	Charts     map[string]chartSpec
	ECharts    template.JS
	Script     template.JS
	CSS        template.CSS
	Data       template.JS
	Version    string
}

type card struct {
	Label, Value, Unit, Note string
	Compare                  []string
	Tone                     string // low, middle, high or ""
}

type levelRow struct {
	Name, Kind                                                   string
	Communes, Population, Need, Share75, GPs, GPDensity, APL23   string
	APL22, ShareLow, ShareMiddle, ShareHigh, CPTSPop, CPTSCommun string
}

type communeRow struct {
	Code, Name, EPCI, Population, Need, APL23, APL22, Class, ClassKey, GPs, GPDensity, Structures, CPTS string
}

type profRow struct {
	Label string
	Cells []string
}

type kindRow struct {
	Label, Count, Per10k string
	Levels               []string
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
	Time, Name string
}

type sourceRow struct {
	Title, Publisher, Vintage, Licence, Rows, Source string
}

func newView(r *diagnostic.Report, contours map[string]json.RawMessage) (*view, error) {
	if len(r.Levels) == 0 {
		return nil, fmt.Errorf("html report: the report has no figures")
	}
	v := &view{R: r, Attention: r.Attention, Levers: r.Levers, Low: Num(r.Thresholds.Low, 1), Mid: Num(r.Thresholds.Middle, 0),
		Version: EChartsVersion, Charts: map[string]chartSpec{}}
	v.Places = placesSentence(r)
	v.Cards = cards(r)
	for _, l := range r.Levels {
		f := l.Figures
		v.Levels = append(v.Levels, levelRow{Name: levelName(l), Kind: l.Kind, Communes: Int(f.Communes), Population: Int(f.Population),
			Need: NumP(f.NeedIndex, 2), Share75: PctP(f.Share75Plus, 1), GPs: IntP(f.GPs), GPDensity: NumP(f.GPDensity, 1),
			APL23: NumP(f.APL2023, 2), APL22: NumP(f.APL2022, 2), ShareLow: PctP(f.ShareLow, 1), ShareMiddle: PctP(f.ShareMiddle, 1),
			ShareHigh: PctP(f.ShareHigh, 1), CPTSPop: PctP(f.CPTSPopulationShare, 1), CPTSCommun: PctP(f.CPTSCommuneShare, 1)})
	}
	epcis := map[string]bool{}
	for _, c := range r.Communes {
		epcis[c.EPCI] = true
		row := communeRow{Code: c.Code, Name: c.Name, EPCI: c.EPCIName, Population: Int(c.Population), Need: NumP(c.NeedIndex, 2),
			APL23: NumP(c.APL2023, 2), APL22: NumP(c.APL2022, 2), Class: ClassLabel(c.APLClass, r.Thresholds), ClassKey: c.APLClass,
			GPs: IntP(c.GPs), GPDensity: NumP(c.GPDensity, 1), Structures: structureSummary(c.Structures), CPTS: strings.Join(c.CPTS, ", ")}
		if c.APL2023 == nil {
			v.NoAPL++
		}
		if _, ok := contours[c.Code]; !ok {
			v.MapMissing++
		}
		v.Communes = append(v.Communes, row)
	}
	v.MultiEPCI = len(epcis) > 1
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
		row := profRow{Label: p.Label}
		for _, l := range p.Levels {
			row.Cells = append(row.Cells, IntP(l.Count), NumP(l.Density, 1))
		}
		v.Profs = append(v.Profs, row)
	}
	for _, l := range r.Levels[1:] {
		v.KindLevels = append(v.KindLevels, levelName(l))
	}
	t := r.Levels[0].Figures
	for _, k := range diagnostic.Kinds {
		row := kindRow{Label: k.Label, Count: IntP(t.Structures[k.Key]), Per10k: NA}
		if n := t.Structures[k.Key]; n != nil && t.Population > 0 {
			row.Per10k = Num(float64(*n)/float64(t.Population)*10000, 2)
		}
		for _, l := range r.Levels[1:] {
			row.Levels = append(row.Levels, IntP(l.Structures[k.Key]))
		}
		v.Kinds = append(v.Kinds, row)
	}
	for _, c := range r.CPTS {
		row := cptsRow{Name: c.Name}
		if c.SeatOnly {
			row.Coverage = "siège enregistré au FINESS dans le territoire (périmètre non connu)"
		} else {
			row.Coverage = fmt.Sprintf("%s commune(s) du territoire sur %s communes de son périmètre", Int(c.InTerritory), Int(c.Total))
		}
		v.CPTS = append(v.CPTS, row)
	}
	for _, s := range r.Structures {
		v.Structures = append(v.Structures, structRow{Kind: s.KindLabel, Name: s.Name, Commune: s.CommuneName, Address: s.Address,
			Finess: s.Finess, Category: s.CategoryLbl, Detail: s.Detail})
	}
	for _, a := range r.Access {
		v.Access = append(v.Access, accessRow{Label: a.Label, Mean: Num(a.MeanMinutes, 1), B15: Pct(a.Beyond15, 1), B20: Pct(a.Beyond20, 1), B30: Pct(a.Beyond30, 1)})
	}
	v.NearKinds, v.Nearest = nearestTable(r)
	for _, s := range r.Sources {
		v.Sources = append(v.Sources, sourceRow{Title: s.Title, Publisher: s.Publisher, Vintage: s.Vintage, Licence: s.Licence, Rows: Int(s.Rows), Source: s.Source})
	}
	v.Vintages = vintageLine(r)

	specs := []chartSpec{mapChart(r), aplLevelsChart(r), gpDensityChart(r), classSharesChart(r)}
	specs = append(specs, communeAPLChart(r))
	if len(r.Access) > 0 {
		specs = append(specs, accessChart(r))
	}
	if len(r.Professions) > 0 {
		specs = append(specs, professionsChart(r))
	}
	for _, s := range specs {
		v.Charts[s.ID] = s
	}
	data, err := json.Marshal(struct {
		Geo    *featureCollection `json:"geo"`
		Charts []chartSpec        `json:"charts"`
	}{geoCollection(r, contours), specs})
	if err != nil {
		return nil, fmt.Errorf("html report: %w", err)
	}
	// json.Marshal escapes <, > and &: the data cannot close the script.
	v.Data = template.JS(data)
	v.ECharts = template.JS(echartsJS)
	v.Script = template.JS(reportJS)
	v.CSS = template.CSS(reportCSS)
	return v, nil
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

func compareLevels(r *diagnostic.Report, value func(f diagnostic.Figures) string) []string {
	var out []string
	for _, l := range r.Levels[1:] {
		out = append(out, levelName(l)+" : "+value(l.Figures))
	}
	return out
}

func cards(r *diagnostic.Report) []card {
	t := r.Levels[0].Figures
	var out []card
	out = append(out, card{Label: "Population", Value: Int(t.Population), Unit: "habitants",
		Note: fmt.Sprintf("%s communes — population municipale en vigueur en 2026", Int(t.Communes))})
	apl := card{Label: "Accessibilité aux médecins généralistes (APL 2023)", Value: NumP(t.APL2023, 2), Unit: "consultations par an et par habitant",
		Compare: compareLevels(r, func(f diagnostic.Figures) string { return NumP(f.APL2023, 2) })}
	if t.APL2023 != nil {
		apl.Tone = r.Thresholds.Class(*t.APL2023)
		if t.APL2022 != nil {
			apl.Note = "APL 2022 : " + Num(*t.APL2022, 2)
		}
	}
	out = append(out, apl)
	low := card{Label: "Population dans une commune d'APL ≤ " + Num(r.Thresholds.Low, 1), Value: PctP(t.ShareLow, 0), Unit: "de la population",
		Compare: compareLevels(r, func(f diagnostic.Figures) string { return PctP(f.ShareLow, 0) })}
	if t.ShareLow != nil && t.ShareMiddle != nil {
		low.Note = "entre " + Num(r.Thresholds.Low, 1) + " et " + Num(r.Thresholds.Middle, 0) + " : " + Pct(*t.ShareMiddle, 0)
		if *t.ShareLow >= 0.2 {
			low.Tone = "low"
		}
	}
	out = append(out, low)
	gp := card{Label: "Médecins généralistes pour 10 000 habitants", Value: NumP(t.GPDensity, 1), Unit: "(" + r.GPSource + ")",
		Compare: compareLevels(r, func(f diagnostic.Figures) string { return NumP(f.GPDensity, 1) })}
	if t.GPs != nil {
		gp.Note = Int(*t.GPs) + " médecins généralistes recensés en 2017"
	}
	out = append(out, gp)
	out = append(out, card{Label: "Exercice coordonné", Value: IntP(t.Structures["msp"]) + " MSP", Unit: "· " + IntP(t.Structures["cds"]) + " centre(s) de santé médicaux ou polyvalents",
		Compare: compareLevels(r, func(f diagnostic.Figures) string {
			return IntP(f.Structures["msp"]) + " MSP, " + IntP(f.Structures["cds"]) + " CDS"
		})})
	cp := card{Label: "CPTS", Unit: "de la population couverte"}
	switch {
	case t.CPTSPopulationShare != nil:
		cp.Value = Pct(*t.CPTSPopulationShare, 0)
		cp.Note = fmt.Sprintf("%d CPTS touchent le territoire (périmètres ARS)", len(r.CPTS))
	default:
		cp.Value, cp.Unit = Int(len(r.CPTS)), "CPTS connue(s)"
		cp.Note = "périmètres non publiés hors PACA : sièges FINESS seulement"
	}
	out = append(out, cp)
	if a := accessOf(r, "emergency"); a != nil {
		out = append(out, card{Label: "Temps d'accès moyen aux urgences", Value: Num(a.MeanMinutes, 0), Unit: "minutes",
			Note: Pct(a.Beyond30, 0) + " de la population à plus de 30 minutes"})
	} else {
		out = append(out, card{Label: "Services d'urgences dans le territoire", Value: IntP(t.Structures["emergency"]), Unit: "(SAE 2020)",
			Note: "temps d'accès : non calculé"})
	}
	out = append(out, card{Label: "Indice de besoin de soins", Value: NumP(t.NeedIndex, 2), Unit: "(France = 1)",
		Compare: compareLevels(r, func(f diagnostic.Figures) string { return NumP(f.NeedIndex, 2) }),
		Note:    "au-dessus de 1 : population plus âgée, qui consulte davantage"})
	return out
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
	"msp": {"MSP", "MSP"}, "cds": {"centre de santé", "centres de santé"}, "cpts": {"siège de CPTS", "sièges de CPTS"},
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
			row.Cells = append(row.Cells, nearCell{Time: Num(n.Minutes, 0) + nbsp + "min (" + Num(n.Km, 1) + nbsp + "km)", Name: n.Name})
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
