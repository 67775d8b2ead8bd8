package templates

import (
	"encoding/json"
	"fmt"
	"html"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/diagsante/diagsante/diagnostic"
)

// The charts are built with go-echarts, then encoded by us: go-echarts'
// own snippet (RenderSnippet().Option) is written with HTML escaping turned
// off, so a commune named "</script>" would break out of the page's script.
// json.Marshal escapes <, > and & (and U+2028/2029), which keeps the inline
// JSON inert. A few echarts options go-echarts does not model (geoIndex,
// piece labels, per-chart number formats) are set on the decoded option.

// Colours of the APL classes (≤ 2.5, ≤ 4, > 4), shared by the page, the map
// and the workbook.
const (
	colorLow    = "#d7301f"
	colorMiddle = "#f28e2b"
	colorHigh   = "#1a9850"
	colorNA     = "#d9d9d9"
)

// levelColors colour the comparison levels: the territory stands out.
var levelColors = map[string]string{
	"territory":   "#1f4e79",
	"departement": "#4f81bd",
	"region":      "#8fb4de",
	"france":      "#a6a6a6",
}

// A chartSpec is one chart of the page: a fixed ID (deterministic output),
// a height, the echarts option, and the number format the page script
// applies to its labels and tooltips (decimals and unit).
type chartSpec struct {
	ID     string         `json:"id"`
	Height int            `json:"-"`
	Title  string         `json:"-"`
	Alt    string         `json:"-"`
	Dec    int            `json:"dec"`
	Unit   string         `json:"unit"`
	AxDec  int            `json:"axdec"`
	Option map[string]any `json:"option"`
}

// tipItem is a data item with a ready-made tooltip: HTML-escaped here,
// because echarts shows tooltips as HTML.
type tipItem struct {
	Name      string         `json:"name"`
	Value     any            `json:"value"`
	Tip       string         `json:"tip,omitempty"`
	ItemStyle map[string]any `json:"itemStyle,omitempty"`
	Symbol    string         `json:"symbol,omitempty"`
	// Dec, when set, is the decimals of this value's label and tooltip,
	// instead of the chart's: an APL whose class needs more ("2,501").
	Dec int `json:"dec,omitempty"`
}

// aplItemDec is the Dec of an APL item in a chart of dec decimals: the
// decimals its class needs when they are more than the chart's, else 0.
func aplItemDec(th diagnostic.Thresholds, v *float64, dec int) int {
	if d := aplDec(th, v); d > dec {
		return d
	}
	return 0
}

// optionOf validates a go-echarts chart and returns its option as a plain
// map, ready for the few settings go-echarts does not model.
func optionOf(c interface {
	Validate()
	JSON() map[string]interface{}
}) map[string]any {
	c.Validate()
	b, err := json.Marshal(c.JSON())
	if err != nil {
		panic(fmt.Sprintf("templates: chart option: %v", err)) // our own types only: a bug
	}
	m, err := decodeOption(b)
	if err != nil {
		panic(fmt.Sprintf("templates: chart option: %v", err))
	}
	// Formatters are functions set by the page script; drop go-echarts'
	// string placeholders, and the empty components it always emits.
	if t, ok := m["tooltip"].(map[string]any); ok {
		delete(t, "formatter")
	}
	delete(m, "toolbox")
	delete(m, "color")
	m["animation"] = false // drawn at once: prints and screenshots are complete
	return m
}

func esc(s string) string { return html.EscapeString(s) }

// levelName is a level's short name in charts.
func levelName(l diagnostic.Level) string {
	switch l.Kind {
	case "territory":
		return "Territoire"
	case "departement":
		return l.Name + " (" + l.Code + ")"
	}
	return l.Name
}

// valueOrMissing is a chart value: v scaled, rounded to the decimals the
// chart shows (prec, the spec's Dec), so that a label, a tooltip, a bar
// and a colour piece read the very figure the tables print; "-" when
// missing.
func valueOrMissing(v *float64, scale float64, prec int) any {
	if v == nil {
		return "-" // echarts' "no value"
	}
	return round(*v*scale, prec)
}

// round rounds as the tables' formatter does (diagnostic.Round): the page
// script then formats a value that has no more decimals than it shows, and
// cannot round it a second time ("2,945" shown "2,95" in a chart, "2,94"
// in a table).
func round(v float64, prec int) float64 { return diagnostic.Round(v, prec) }

// thresholdLines marks the APL thresholds on a value axis.
func thresholdLines(th diagnostic.Thresholds, axis string) map[string]any {
	return map[string]any{
		"silent": true, "symbol": []string{"none", "none"},
		"lineStyle": map[string]any{"type": "dashed", "color": "#555"},
		"label":     map[string]any{"formatter": "{b}", "color": "#333", "position": map[string]string{"yAxis": "insideEndTop", "xAxis": "end"}[axis]},
		"data": []map[string]any{
			{"name": "seuil " + Num(th.Low, 1), axis: th.Low},
			{"name": "seuil " + Num(th.Middle, 0), axis: th.Middle},
		},
	}
}

func classColor(class string) string {
	switch class {
	case "low":
		return colorLow
	case "middle":
		return colorMiddle
	case "high":
		return colorHigh
	}
	return colorNA
}

// ClassLabel is the French label of an APL class.
func ClassLabel(class string, th diagnostic.Thresholds) string {
	switch class {
	case "low":
		return "≤ " + Num(th.Low, 1) + " (très faible)"
	case "middle":
		return Num(th.Low, 1) + " à " + Num(th.Middle, 0) + " (intermédiaire)"
	case "high":
		return "> " + Num(th.Middle, 0) + " (satisfaisante)"
	}
	return NA
}

// markerGroups are the structures shown on the map, by group.
var markerGroups = []struct {
	Name   string
	Kinds  []string
	Symbol string
	Color  string
}{
	{"Maisons de santé (MSP)", []string{"msp"}, "circle", "#6a3d9a"},
	{"Centres de santé médicaux ou polyvalents", []string{"cds"}, "diamond", "#1f78b4"},
	{"Autres centres de santé (dentaires, infirmiers…)", []string{"cds_dentaire", "cds_infirmier", "cds_ophtalmo", "cds_autre"}, "diamond", "#a6cee3"},
	{"Hôpitaux et urgences", []string{"hospital", "proximity", "emergency", "maternity"}, "rect", "#b10026"},
	{"CPTS (sièges)", []string{"cpts"}, "triangle", "#33a02c"},
}

func mapChart(r *diagnostic.Report) chartSpec {
	th := r.Thresholds
	g := newCommuneGeo("carte", true)
	var regions []tipItem
	for _, c := range r.Communes {
		tip := "<b>" + esc(c.Name) + "</b> (" + esc(c.Code) + ")<br>APL 2023 : " + NumP(c.APL2023, aplDec(r.Thresholds, c.APL2023)) +
			"<br>Population : " + Int(c.Population) + " hab."
		it := tipItem{Name: c.Code, Value: valueOrMissing(c.APL2023, 1, aplDec(r.Thresholds, c.APL2023)), Tip: tip}
		regions = append(regions, it)
	}
	g.MultiSeries = append(g.MultiSeries, charts.SingleSeries{Name: "APL 2023", Type: "map", Data: regions})
	legend := []string{}
	for _, grp := range markerGroups {
		var pts []tipItem
		seen := map[string]int{}
		for _, s := range r.Structures {
			if !contains(grp.Kinds, s.Kind) || s.Lat == nil || s.Lon == nil {
				continue
			}
			if i, ok := seen[s.Finess]; ok {
				pts[i].Tip += "<br>" + esc(s.KindLabel)
				continue
			}
			seen[s.Finess] = len(pts)
			pts = append(pts, tipItem{Name: s.Name, Value: []float64{*s.Lon, *s.Lat},
				Tip: "<b>" + esc(s.Name) + "</b><br>" + esc(s.CommuneName) + "<br>" + esc(s.KindLabel)})
		}
		if len(pts) == 0 {
			continue
		}
		legend = append(legend, grp.Name)
		g.MultiSeries = append(g.MultiSeries, charts.SingleSeries{Name: grp.Name, Type: "scatter", CoordSystem: "geo",
			Symbol: grp.Symbol, SymbolSize: 11, Data: pts,
			ItemStyle: &opts.ItemStyle{Color: grp.Color, BorderColor: "#fff", BorderWidth: 1}})
	}
	m := optionOf(g)
	m["legend"].(map[string]any)["data"] = legend
	communeMap(m, []map[string]any{
		{"lte": th.Low, "color": colorLow, "label": "APL ≤ " + Num(th.Low, 1) + " : très faible"},
		{"gt": th.Low, "lte": th.Middle, "color": colorMiddle, "label": Num(th.Low, 1) + " < APL ≤ " + Num(th.Middle, 0) + " : intermédiaire"},
		{"gt": th.Middle, "color": colorHigh, "label": "APL > " + Num(th.Middle, 0)},
	})
	mapContext(m, r)
	return chartSpec{ID: "carte", Height: 520, Dec: 2, Option: m,
		Title: "Carte des communes : APL 2023 et structures de soins",
		Alt:   "Carte des communes du territoire colorées selon leur APL 2023, avec les maisons de santé, centres de santé, hôpitaux et sièges de CPTS"}
}

// newCommuneGeo starts a map of the territory's communes (the contours the
// page registers as "territoire"), coloured by a piecewise visual map.
func newCommuneGeo(id string, legend bool) *charts.Geo {
	g := charts.NewGeo()
	g.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithGeoComponentOpts(opts.GeoComponent{Map: "territoire"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(legend), Top: "0", Left: "center"}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithVisualMapOpts(opts.VisualMap{Type: "piecewise", Left: "0", Bottom: "0"}),
	)
	return g
}

// communeMap sets what go-echarts does not model on a map of communes
// whose first series is the map: the geo component's layout and style,
// and the visual map's pieces; values outside every piece (none) are grey.
func communeMap(m map[string]any, pieces []map[string]any) {
	geo := m["geo"].(map[string]any)
	// No zoom or pan: on a phone they would catch the finger that scrolls
	// the page; tooltips give each commune's figures.
	geo["roam"] = false
	geo["top"], geo["bottom"], geo["left"], geo["right"] = 40, 70, 10, 10
	geo["itemStyle"] = map[string]any{"areaColor": colorNA, "borderColor": "#fff", "borderWidth": 0.6}
	geo["emphasis"] = map[string]any{"label": map[string]any{"show": false}, "itemStyle": map[string]any{"areaColor": "#ffe08a"}}
	geo["select"] = map[string]any{"disabled": true}
	series := m["series"].([]any)
	s0 := series[0].(map[string]any)
	s0["geoIndex"] = 0
	vm := m["visualMap"].([]any)[0].(map[string]any)
	vm["seriesIndex"] = 0
	vm["itemGap"] = 4
	vm["textStyle"] = map[string]any{"fontSize": 11}
	vm["pieces"] = pieces
	vm["outOfRange"] = map[string]any{"color": colorNA}
}

// share65Colors colour the share of the APL from GPs aged 65 and over: a
// purple scale, apart from the red–green of the APL classes.
var share65Colors = []string{"#efedf5", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"}

// share65MapChart colours each commune by the part of its APL 2023
// provided by GPs aged 65 and over (1 − APL under 65 / APL, DREES); grey
// where the APL is unknown or nil (no accessibility to share out).
func share65MapChart(r *diagnostic.Report) chartSpec {
	g := newCommuneGeo("carte-65-plus", false)
	var regions []tipItem
	for _, c := range r.Communes {
		share := "n.d."
		switch {
		case c.ShareFrom65Plus != nil:
			share = Pct(*c.ShareFrom65Plus, 0)
		case c.APL2023 != nil && *c.APL2023 == 0:
			share = "non définie (APL nulle)"
		}
		tip := "<b>" + esc(c.Name) + "</b> (" + esc(c.Code) + ")<br>Part de l'APL 2023 assurée par les " + gp65 + " : " + share +
			"<br>APL 2023 tous âges : " + NumP(c.APL2023, aplDec(r.Thresholds, c.APL2023)) + "<br>APL 2023 aux " + gpUnder65 + " : " + NumP(c.APLUnder65_2023, aplDec(r.Thresholds, c.APLUnder65_2023)) +
			"<br>Population : " + Int(c.Population) + " hab."
		regions = append(regions, tipItem{Name: c.Code, Value: valueOrMissing(c.ShareFrom65Plus, 100, 0), Tip: tip})
	}
	g.MultiSeries = append(g.MultiSeries, charts.SingleSeries{Name: "Part de l'APL 2023 assurée par les " + gp65, Type: "map", Data: regions})
	m := optionOf(g)
	bounds := []float64{0, 10, 20, 30, 50}
	var pieces []map[string]any
	for i, lo := range bounds {
		p := map[string]any{"gte": lo, "color": share65Colors[i]}
		if i+1 < len(bounds) {
			p["lt"] = bounds[i+1]
			p["label"] = Num(lo, 0) + " à " + Num(bounds[i+1], 0) + nbsp + "%"
		} else {
			p["lte"] = 100
			p["label"] = Num(lo, 0) + nbsp + "% et plus"
		}
		pieces = append(pieces, p)
	}
	communeMap(m, pieces)
	mapContext(m, r)
	return chartSpec{ID: "carte-65-plus", Height: 520, Dec: 0, Unit: " %", Option: m,
		Title: "Carte des communes : part de l'APL 2023 assurée par les " + gp65,
		Alt:   "Carte des communes du territoire colorées selon la part de leur accessibilité aux médecins généralistes (APL 2023) assurée par les " + gp65 + ", de moins de 10 % à 50 % et plus"}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// levelBars is a vertical bar chart of one figure across the levels.
func levelBars(id, title, alt string, r *diagnostic.Report, series []levelSeries, dec int, unit string, lines map[string]any) chartSpec {
	b := charts.NewBar()
	b.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(len(series) > 1), Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "16", Top: "36", Bottom: "24", ContainLabel: opts.Bool(true)}),
	)
	var names []string
	for _, l := range r.Levels {
		names = append(names, levelName(l))
	}
	b.SetXAxis(names)
	for si, s := range series {
		var data []tipItem
		for _, l := range r.Levels {
			v := s.value(l.Figures)
			it := tipItem{Name: levelName(l), Value: valueOrMissing(v, s.scale, dec)}
			if s.apl {
				if it.Dec = aplItemDec(r.Thresholds, v, dec); it.Dec > 0 {
					it.Value = valueOrMissing(v, s.scale, it.Dec)
				}
			}
			if s.byLevel {
				it.ItemStyle = map[string]any{"color": levelColors[l.Kind]}
			}
			data = append(data, it)
		}
		ss := charts.SingleSeries{Name: s.name, Type: "bar", Data: data, BarMaxWidth: "56",
			Label: &opts.Label{Show: opts.Bool(si == len(series)-1), Position: "top"}}
		if s.color != "" {
			ss.ItemStyle = &opts.ItemStyle{Color: s.color}
		}
		b.MultiSeries = append(b.MultiSeries, ss)
	}
	m := optionOf(b)
	xa := m["xAxis"].([]any)[0].(map[string]any)
	xa["axisLabel"] = map[string]any{"interval": 0, "width": 90, "overflow": "break", "fontSize": 11}
	if lines != nil {
		ser := m["series"].([]any)
		ser[len(ser)-1].(map[string]any)["markLine"] = lines
	}
	return chartSpec{ID: id, Height: 320, Dec: dec, AxDec: 0, Unit: unit, Option: m, Title: title, Alt: alt}
}

type levelSeries struct {
	name    string
	value   func(f diagnostic.Figures) *float64
	scale   float64
	color   string
	byLevel bool
	apl     bool // APL values: shown with the decimals their class needs
}

func aplLevelsChart(r *diagnostic.Report) chartSpec {
	return levelBars("apl-niveaux", "APL aux médecins généralistes : territoire et niveaux de comparaison",
		"Histogramme de l'APL 2022 et 2023 du territoire, de son département, de sa région et de la France", r,
		[]levelSeries{
			{name: "APL 2022", value: func(f diagnostic.Figures) *float64 { return f.APL2022 }, scale: 1, color: "#c9d6e8", apl: true},
			{name: "APL 2023", value: func(f diagnostic.Figures) *float64 { return f.APL2023 }, scale: 1, byLevel: true, color: levelColors["territory"], apl: true},
		}, 2, "", thresholdLines(r.Thresholds, "yAxis"))
}

func gpDensityChart(r *diagnostic.Report) chartSpec {
	return levelBars("densite-mg", "Médecins généralistes pour 10 000 habitants ("+gpSourceLabel(r)+")",
		"Histogramme de la densité de médecins généralistes du territoire, de son département, de sa région et de la France", r,
		[]levelSeries{{name: "Densité de médecins généralistes", value: func(f diagnostic.Figures) *float64 { return f.GPDensity }, scale: 1, byLevel: true}},
		1, "", nil)
}

// communeAPLChart sorts the communes by APL: horizontal bars with names up
// to 40 communes, vertical bars with names in the tooltip beyond.
func communeAPLChart(r *diagnostic.Report) chartSpec {
	var cs []diagnostic.CommuneFigures
	for _, c := range r.Communes {
		if c.APL2023 == nil {
			continue
		}
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if *cs[i].APL2023 != *cs[j].APL2023 {
			return *cs[i].APL2023 < *cs[j].APL2023
		}
		return cs[i].Code < cs[j].Code
	})
	horizontal := len(cs) <= 40
	b := newBarChart("apl-communes", "item", false, "40", "24")
	var names []string
	var data []tipItem
	for _, c := range cs {
		label := c.Name
		names = append(names, label)
		data = append(data, tipItem{Name: label, Value: round(*c.APL2023, r.Thresholds.Decimals(*c.APL2023)),
			Tip:       "<b>" + esc(c.Name) + "</b> (" + esc(c.Code) + ")<br>APL 2023 : " + Num(*c.APL2023, r.Thresholds.Decimals(*c.APL2023)) + "<br>Population : " + Int(c.Population) + " hab.",
			ItemStyle: map[string]any{"color": classColor(c.APLClass)}, Dec: aplItemDec(r.Thresholds, c.APL2023, 2)})
	}
	b.SetXAxis(names)
	b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: "APL 2023", Type: "bar", Data: data, BarMaxWidth: "28",
		Label: &opts.Label{Show: opts.Bool(horizontal), Position: "right"}})
	m := optionOf(b)
	m["series"].([]any)[0].(map[string]any)["markLine"] = thresholdLines(r.Thresholds, map[bool]string{true: "xAxis", false: "yAxis"}[horizontal])
	height := 360
	if horizontal {
		horizontalBars(m, "truncate", map[string]any{"type": "value"})
		height = 70 + 22*len(cs)
	} else {
		x := m["xAxis"].([]any)[0].(map[string]any)
		x["axisLabel"] = map[string]any{"show": false}
		x["axisTick"] = map[string]any{"show": false}
	}
	return chartSpec{ID: "apl-communes", Height: height, Dec: 2, Option: m,
		Title: "APL 2023 par commune, de la plus faible à la plus élevée",
		Alt:   "Histogramme de l'APL 2023 de chaque commune, triée de la plus faible à la plus élevée, colorée selon les seuils de 2,5 et 4"}
}

func classSharesChart(r *diagnostic.Report) chartSpec {
	th := r.Thresholds
	b := newBarChart("classes-apl", "axis", true, "24", "40")
	var names []string
	for _, l := range r.Levels {
		names = append(names, levelName(l))
	}
	b.SetXAxis(names)
	classes := []struct {
		name, color string
		v           func(f diagnostic.Figures) *float64
	}{
		{"APL ≤ " + Num(th.Low, 1), colorLow, func(f diagnostic.Figures) *float64 { return f.ShareLow }},
		{Num(th.Low, 1) + " < APL ≤ " + Num(th.Middle, 0), colorMiddle, func(f diagnostic.Figures) *float64 { return f.ShareMiddle }},
		{"APL > " + Num(th.Middle, 0), colorHigh, func(f diagnostic.Figures) *float64 { return f.ShareHigh }},
	}
	for _, c := range classes {
		var data []tipItem
		for _, l := range r.Levels {
			data = append(data, tipItem{Name: levelName(l), Value: valueOrMissing(c.v(l.Figures), 100, 1)})
		}
		b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: c.name, Type: "bar", Stack: "classes", Data: data,
			BarMaxWidth: "34", ItemStyle: &opts.ItemStyle{Color: c.color}, Label: &opts.Label{Show: opts.Bool(true), Color: "#fff"}})
	}
	m := optionOf(b)
	horizontalBars(m, "break", map[string]any{"type": "value", "max": 100})
	return chartSpec{ID: "classes-apl", Height: 90 + 46*len(r.Levels), Dec: 1, Unit: " %", Option: m,
		Title: "Part de la population selon la classe d'APL 2023",
		Alt:   "Barres empilées : part de la population vivant dans une commune d'APL inférieure à 2,5, entre 2,5 et 4, et supérieure à 4"}
}

func accessChart(r *diagnostic.Report) chartSpec {
	b := newBarChart("acces-temps", "axis", false, "48", "16")
	var names []string
	var data []tipItem
	for _, a := range r.Access {
		names = append(names, shortLabel(a.Kind))
		data = append(data, tipItem{Name: shortLabel(a.Kind), Value: round(a.MeanMinutes, 1)})
	}
	b.SetXAxis(names)
	b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: "Temps moyen d'accès", Type: "bar", Data: data, BarMaxWidth: "24",
		ItemStyle: &opts.ItemStyle{Color: levelColors["territory"]}, Label: &opts.Label{Show: opts.Bool(true), Position: "right"}})
	m := optionOf(b)
	horizontalBars(m, "break", map[string]any{"type": "value"})
	return chartSpec{ID: "acces-temps", Height: 60 + 36*len(r.Access), Dec: 1, Unit: " min", Option: m,
		Title: "Temps d'accès moyen à la structure la plus proche, par type (minutes, pondéré par la population)",
		Alt:   "Barres horizontales : temps moyen d'accès à la structure la plus proche de chaque type"}
}

func professionsChart(r *diagnostic.Report) chartSpec {
	b := newBarChart("professions", "axis", true, "40", "40")
	var names []string
	for _, p := range r.Professions {
		names = append(names, professionLabel(p))
	}
	b.SetXAxis(names)
	nLevels := 0
	if len(r.Professions) > 0 {
		nLevels = len(r.Professions[0].Levels)
		for li, l := range r.Professions[0].Levels {
			var data []tipItem
			for _, p := range r.Professions {
				data = append(data, tipItem{Name: professionLabel(p), Value: valueOrMissing(p.Levels[li].Density, 1, 1)})
			}
			name := l.Name
			if l.Kind == "departement" {
				name += " (" + l.Code + ")"
			}
			b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: name, Type: "bar", Data: data, BarMaxWidth: "14",
				ItemStyle: &opts.ItemStyle{Color: levelColors[l.Kind]}})
		}
	}
	m := optionOf(b)
	horizontalBars(m, "break", map[string]any{"type": "value"})
	return chartSpec{ID: "professions", Height: 70 + len(r.Professions)*(12*nLevels+14), Dec: 1, Option: m,
		Title: "Professionnels libéraux pour 10 000 habitants, par profession",
		Alt:   "Barres horizontales : densité de chaque profession libérale dans le département, la région et la France"}
}

// structuresChart compares the structures per 10,000 inhabitants by kind
// across the levels: only the kinds whose count the territory knows, and
// no bar for a level where the count is unknown (never a zero).
func structuresChart(r *diagnostic.Report) (chartSpec, bool) {
	t := r.Levels[0].Figures
	var kinds []diagnostic.Kind
	for _, k := range diagnostic.Kinds {
		if t.Structures[k.Key] != nil && t.Population > 0 {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return chartSpec{}, false
	}
	b := newBarChart("structures-niveaux", "axis", true, "40", "40")
	var names []string
	for _, k := range kinds {
		names = append(names, shortLabel(k.Key))
	}
	b.SetXAxis(names)
	for _, l := range r.Levels {
		var data []tipItem
		for _, k := range kinds {
			var v *float64
			if n := l.Structures[k.Key]; n != nil && l.Population > 0 {
				x := float64(*n) / float64(l.Population) * 10000
				v = &x
			}
			data = append(data, tipItem{Name: shortLabel(k.Key), Value: valueOrMissing(v, 1, 2)})
		}
		b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: levelName(l), Type: "bar", Data: data, BarMaxWidth: "12",
			ItemStyle: &opts.ItemStyle{Color: levelColors[l.Kind]}})
	}
	m := optionOf(b)
	horizontalBars(m, "break", map[string]any{"type": "value"})
	return chartSpec{ID: "structures-niveaux", Height: 70 + len(kinds)*(12*len(r.Levels)+14), Dec: 2, AxDec: 1, Option: m,
		Title: "Structures pour 10 000 habitants, par type : territoire et niveaux de comparaison",
		Alt:   "Barres horizontales : nombre de structures de chaque type pour 10 000 habitants dans le territoire, le département, la région et la France ; types dont le nombre est connu dans le territoire"}, true
}

// horizontalBars turns a go-echarts bar option into horizontal bars: the
// categories go to the y axis, first on top, with labels wrapped or cut
// (overflow "break" or "truncate"), and valueAxis becomes the x axis.
func horizontalBars(m map[string]any, overflow string, valueAxis map[string]any) {
	cat := m["xAxis"].([]any)[0].(map[string]any)
	cat["type"] = "category"
	cat["inverse"] = true
	cat["axisLabel"] = map[string]any{"interval": 0, "fontSize": 11, "width": 150, "overflow": overflow}
	m["yAxis"], m["xAxis"] = []any{cat}, []any{valueAxis}
}

// newBarChart starts a bar chart with the setup the report's bar charts
// share: its fixed ID (deterministic pages), a tooltip on trigger ("item"
// or "axis"), a legend at the top when shown, and a grid that holds the
// axis labels with right and top margins in pixels.
func newBarChart(id, trigger string, legend bool, right, top string) *charts.Bar {
	l := opts.Legend{Show: opts.Bool(false)}
	if legend {
		l = opts.Legend{Show: opts.Bool(true), Top: "0"}
	}
	b := charts.NewBar()
	b.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{ChartID: id}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: trigger}),
		charts.WithLegendOpts(l),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: right, Top: top, Bottom: "8", ContainLabel: opts.Bool(true)}),
	)
	return b
}
