package templates

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestLevelBarsLegendAndLabels: a bar chart across the levels shows a
// legend only when it has several series, and its value labels on the
// last series only (the APL chart: 2022 unlabelled, 2023 labelled; the
// density chart: one labelled series, no legend). A series colour is set
// only where the series has one (APL 2022 pale blue, APL 2023 the
// territory's blue; the density bars take their level colours), and the
// zonage thresholds 2,5 and 4 are drawn on the APL chart's last series
// only.
func TestLevelBarsLegendAndLabels(t *testing.T) {
	page, _ := renderHTML(t, "epci:200023240")
	_, charts := pageData(t, page)
	type option struct {
		Legend struct {
			Show *bool `json:"show"`
		} `json:"legend"`
		Series []struct {
			Name  string `json:"name"`
			Label struct {
				Show *bool `json:"show"`
			} `json:"label"`
			ItemStyle *struct {
				Color string `json:"color"`
			} `json:"itemStyle"`
			MarkLine *struct {
				Data []struct {
					Name  string  `json:"name"`
					YAxis float64 `json:"yAxis"`
				} `json:"data"`
			} `json:"markLine"`
		} `json:"series"`
	}
	got := map[string]option{}
	for _, c := range charts {
		b, _ := json.Marshal(c.Option)
		var o option
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		got[c.ID] = o
	}
	show := func(b *bool) bool { return b != nil && *b }
	for id, want := range map[string]struct {
		legend bool
		labels []bool
		colors []string
		lines  []string
	}{
		"apl-niveaux": {true, []bool{false, true}, []string{"#c9d6e8", "#1f4e79"}, []string{"", "seuil 2,5=2.5 seuil 4=4"}},
		"densite-mg":  {false, []bool{true}, []string{""}, []string{""}},
	} {
		o, ok := got[id]
		if !ok {
			t.Errorf("no chart %s", id)
			continue
		}
		if show(o.Legend.Show) != want.legend {
			t.Errorf("%s: legend shown %v, want %v", id, show(o.Legend.Show), want.legend)
		}
		if len(o.Series) != len(want.labels) {
			t.Errorf("%s: %d series, want %d", id, len(o.Series), len(want.labels))
			continue
		}
		for i, s := range o.Series {
			if show(s.Label.Show) != want.labels[i] {
				t.Errorf("%s: series %q labelled %v, want %v", id, s.Name, show(s.Label.Show), want.labels[i])
			}
			color := ""
			if s.ItemStyle != nil {
				color = s.ItemStyle.Color
			}
			if color != want.colors[i] {
				t.Errorf("%s: series %q colour %q, want %q", id, s.Name, color, want.colors[i])
			}
			var lines []string
			if s.MarkLine != nil {
				for _, d := range s.MarkLine.Data {
					lines = append(lines, fmt.Sprintf("%s=%v", d.Name, d.YAxis))
				}
			}
			if got := strings.Join(lines, " "); got != want.lines[i] {
				t.Errorf("%s: series %q threshold lines %q, want %q", id, s.Name, got, want.lines[i])
			}
		}
	}
}

// TestCommuneAPLChartOrder: the communes' APL chart runs from the lowest
// APL 2023 to the highest (CC Pays de Nemours: Amponville 1,61,
// Boulancourt 1,95, Larchant 2,05, then Guercheville, whose 2,05 is
// higher before rounding), not in code order.
func TestCommuneAPLChartOrder(t *testing.T) {
	page, _ := renderHTML(t, "epci:200023240")
	_, charts := pageData(t, page)
	for _, c := range charts {
		if c.ID != "apl-communes" {
			continue
		}
		b, _ := json.Marshal(c.Option["series"])
		var series []struct {
			Data []struct {
				Name  string  `json:"name"`
				Value float64 `json:"value"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &series); err != nil || len(series) != 1 {
			t.Fatalf("series %s: %v", b, err)
		}
		var names []string
		for i, d := range series[0].Data {
			names = append(names, fmt.Sprintf("%s %v", d.Name, d.Value))
			if i > 0 && d.Value < series[0].Data[i-1].Value {
				t.Errorf("%s (%v) after %s (%v)", d.Name, d.Value, series[0].Data[i-1].Name, series[0].Data[i-1].Value)
			}
		}
		if len(names) < 4 || strings.Join(names[:4], ", ") != "Amponville 1.61, Boulancourt 1.95, Larchant 2.05, Guercheville 2.05" {
			t.Errorf("order %v", names)
		}
		return
	}
	t.Fatal("no apl-communes chart")
}

// TestChartHeights: charts grow with what they show: the communes' APL
// chart is horizontal up to 40 communes (70 px + 22 px a commune) and
// vertical, 360 px, beyond; the classes chart takes 90 px + 46 px a level,
// the access chart 60 px + 36 px a kind of structure.
func TestChartHeights(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	withAccess(r)
	if got, want := classSharesChart(r).Height, 90+46*len(r.Levels); got != want || len(r.Levels) != 4 {
		t.Errorf("classes chart: %d px for %d levels, want %d", got, len(r.Levels), want)
	}
	if got := accessChart(r).Height; got != 60+36*2 {
		t.Errorf("access chart: %d px for 2 kinds", got)
	}
	var withAPL []diagnostic.CommuneFigures
	for _, c := range r.Communes {
		if c.APL2023 != nil {
			withAPL = append(withAPL, c)
		}
	}
	for _, c := range []struct{ n, height int }{{len(withAPL), 70 + 22*len(withAPL)}, {40, 70 + 22*40}, {41, 360}} {
		rr := *r
		rr.Communes = nil
		for i := range c.n {
			x := withAPL[i%len(withAPL)]
			x.Code = fmt.Sprintf("%05d", i)
			rr.Communes = append(rr.Communes, x)
		}
		if got := communeAPLChart(&rr).Height; got != c.height {
			t.Errorf("communes chart of %d communes: %d px, want %d", c.n, got, c.height)
		}
	}
}

// TestCommuneAPLChartTiesByCode: communes of equal APL come in code order.
func TestCommuneAPLChartTiesByCode(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	v := 2.5
	var cs []diagnostic.CommuneFigures
	for _, code := range []string{"77333", "77003", "77046"} {
		c := *communeOf(t, r, code)
		c.APL2023 = &v
		cs = append(cs, c)
	}
	r.Communes = cs
	b, _ := json.Marshal(communeAPLChart(r).Option["series"])
	var series []struct {
		Data []struct {
			Tip string `json:"tip"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &series); err != nil || len(series) != 1 || len(series[0].Data) != 3 {
		t.Fatalf("series %s: %v", b, err)
	}
	var order []string
	for _, d := range series[0].Data {
		order = append(order, d.Tip[strings.Index(d.Tip, "(")+1:strings.Index(d.Tip, ")")])
	}
	if strings.Join(order, " ") != "77003 77046 77333" {
		t.Errorf("order %v", order)
	}
}

// TestProfessionsChart: one series per comparison level, the département
// named with its code ("Seine-et-Marne (77)"), and a height of 70 px plus,
// per profession, 12 px a level and 14 px of gap; a report without
// professions gets an empty chart of 70 px.
func TestProfessionsChart(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	spec := professionsChart(r)
	nLevels := len(r.Professions[0].Levels)
	if want := 70 + len(r.Professions)*(12*nLevels+14); spec.Height != want || len(r.Professions) < 5 {
		t.Errorf("height %d for %d professions × %d levels, want %d", spec.Height, len(r.Professions), nLevels, want)
	}
	b, _ := json.Marshal(spec.Option["series"])
	var series []struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &series); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range series {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, " | "); got != "Seine-et-Marne (77) | Île-de-France | France" {
		t.Errorf("series %q", got)
	}
	r.Professions = nil
	if spec := professionsChart(r); spec.Height != 70 {
		t.Errorf("no professions: height %d", spec.Height)
	}
}

// TestStructuresChart: the structures chart lists the kinds whose count
// the territory knows, each level's bar is the count per 10,000
// inhabitants, a level of unknown population has no bar ("-"), and a
// territory without population has no chart.
func TestStructuresChart(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	decode := func(spec chartSpec) (names []string, series [][]any) {
		t.Helper()
		b, _ := json.Marshal(spec.Option)
		var o struct {
			YAxis []struct {
				Data []string `json:"data"`
			} `json:"yAxis"`
			Series []struct {
				Data []struct {
					Value any `json:"value"`
				} `json:"data"`
			} `json:"series"`
		}
		if err := json.Unmarshal(b, &o); err != nil || len(o.YAxis) == 0 {
			t.Fatalf("option %s: %v", b, err)
		}
		for _, s := range o.Series {
			var vs []any
			for _, d := range s.Data {
				vs = append(vs, d.Value)
			}
			series = append(series, vs)
		}
		return o.YAxis[0].Data, series
	}
	var known []string
	for _, k := range diagnostic.Kinds {
		if r.Levels[0].Structures[k.Key] != nil {
			known = append(known, shortLabel(k.Key))
		}
	}
	spec, ok := structuresChart(r)
	names, series := decode(spec)
	if !ok || strings.Join(names, "|") != strings.Join(known, "|") || len(known) < 3 || len(series) != len(r.Levels) {
		t.Fatalf("kinds %v, want %v; %d series", names, known, len(series))
	}
	if want := 70 + len(known)*(12*len(r.Levels)+14); spec.Height != want {
		t.Errorf("height %d for %d kinds × %d levels, want %d", spec.Height, len(known), len(r.Levels), want)
	}
	first := diagnostic.Kinds[0].Key
	n := r.Levels[0].Structures[first]
	if n == nil {
		t.Fatalf("%s count unknown in the territory", first)
	}
	if want := diagnostic.Round(float64(*n)/float64(r.Levels[0].Population)*10000, 2); series[0][0] != want {
		t.Errorf("territory %s: %v per 10,000, want %v", first, series[0][0], want)
	}
	// A level of unknown population: no bar.
	r.Levels[1].Population = 0
	if _, series := decode(must(structuresChart(r))); series[1][0] != "-" {
		t.Errorf("level without population: %v", series[1][0])
	}
	r.Levels[0].Population = 0
	if _, ok := structuresChart(r); ok {
		t.Error("a chart for a territory without population")
	}
}

func must(spec chartSpec, ok bool) chartSpec {
	if !ok {
		panic("no chart")
	}
	return spec
}

// TestGeoCollectionSkipsEmptyContours: the map draws the territory's
// communes, then its neighbours, each by commune code; a commune or a
// neighbour whose contour is missing or empty is left out.
func TestGeoCollectionSkipsEmptyContours(t *testing.T) {
	pt := json.RawMessage(`{"type":"Point","coordinates":[2.7,48.27]}`)
	r := &diagnostic.Report{
		Communes:   []diagnostic.CommuneFigures{{Code: "77333"}, {Code: "77003"}, {Code: "77046"}},
		Neighbours: []diagnostic.Neighbour{{Code: "77186"}, {Code: "77244"}, {Code: "77220"}},
	}
	contours := map[string]json.RawMessage{"77333": pt, "77003": {}, "77186": pt, "77244": {}}
	var names []string
	for _, f := range geoCollection(r, contours).Features {
		names = append(names, f.Properties["name"].(string))
	}
	if got := strings.Join(names, " "); got != "77333 77186" {
		t.Errorf("features %s", got)
	}
}
