package templates

import (
	"fmt"
	"slices"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/diagsante/diagsante/diagnostic"
)

// SummaryThreshold is the number of communes above which the HTML report
// takes its summary form. Every département (Pas-de-Calais, the largest,
// has 890 communes) keeps the full form with its maps and communes table;
// a région or all France gets figures by département instead: the full
// form of France was a 92 MB page that Chromium could not open, and a
// table of thousands of communes is read in a spreadsheet, not a page.
const SummaryThreshold = 1000

// Summarised reports whether the HTML report of r takes the summary form.
func Summarised(r *diagnostic.Report) bool { return len(r.Communes) > SummaryThreshold }

// A Part is the territory's part of one of its départements: the figures
// the engine computes over the territory's communes of that département.
type Part struct {
	diagnostic.Level
	// Whole says every commune of the département is in the territory:
	// the part's figures are the département's.
	Whole bool
	// DepCommunes is the number of communes of the whole département.
	DepCommunes int
}

// DepartementParts computes, with the engine that built r, the figures of
// the territory's communes in each of its départements, in code order: the
// rows of the summary form. A part that is the whole département reuses
// the département's figures (cached by the engine).
func DepartementParts(r *diagnostic.Report, eng *diagnostic.Engine) []Part {
	byDep := map[string][]string{}
	for _, c := range r.Communes {
		byDep[c.Dep] = append(byDep[c.Dep], c.Code)
	}
	all := map[string][]string{}
	for _, c := range eng.Snap.Communes {
		if _, ok := byDep[c.Dep]; ok {
			all[c.Dep] = append(all[c.Dep], c.Code)
		}
	}
	names := map[string]string{}
	for _, d := range r.Territory.Departements {
		names[d.Code] = d.Name
	}
	deps := make([]string, 0, len(byDep))
	for d := range byDep {
		deps = append(deps, d)
	}
	sort.Strings(deps)
	out := make([]Part, 0, len(deps))
	for _, d := range deps {
		codes := byDep[d]
		whole := sameSet(codes, all[d])
		var f diagnostic.Figures
		if whole {
			f = eng.LevelFigures("departement", d)
		} else {
			f = eng.Figures(codes)
		}
		name := names[d]
		if name == "" {
			name = d
		}
		out = append(out, Part{Level: diagnostic.Level{Kind: "departement", Code: d, Name: name, Figures: f},
			Whole: whole, DepCommunes: len(all[d])})
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	sort.Strings(x)
	sort.Strings(y)
	return slices.Equal(x, y)
}

// summaryReport is the report the summary form lays out with the full
// form's code: the comparison levels are the territory, its région when
// it has one, and France (the départements are the rows of the
// département table); no commune, no structure list.
func summaryReport(r *diagnostic.Report) *diagnostic.Report {
	s := *r
	regions := 0
	for _, l := range r.Levels {
		if l.Kind == "region" {
			regions++
		}
	}
	keep := func(kind string) bool {
		return kind == "territory" || kind == "france" || (kind == "region" && regions == 1)
	}
	s.Levels = nil
	for _, l := range r.Levels {
		if keep(l.Kind) {
			s.Levels = append(s.Levels, l)
		}
	}
	s.Professions = nil
	for _, p := range r.Professions {
		q := p
		q.Levels = nil
		for _, l := range p.Levels {
			if keep(l.Kind) {
				q.Levels = append(q.Levels, l)
			}
		}
		s.Professions = append(s.Professions, q)
	}
	s.Communes = nil
	s.Structures = nil
	return &s
}

// partRow is one département of the summary form's tables.
type partRow struct {
	Name, Kind, Communes, Population     string
	Need, APL23, ShareLow, ShareMiddle   fig
	GPs, GPDensity, ShareFrom65, CPTSPop fig
	MSP, CDS                             fig
	Structures                           []fig // by kind, in the order of diagnostic.Kinds
	f                                    diagnostic.Figures
}

// summaryParts fills the summary form's rows of section 2: one per
// département, then the territory's total, each figure with its notes.
func (v *view) summaryParts(r *diagnostic.Report, parts []Part, nb *notebook) {
	v.Summary = true
	v.SummaryAt = Int(SummaryThreshold)
	v.NCommunes = Int(len(r.Communes))
	v.NStructures = CountOf(len(r.Structures), "structure", "structures")
	v.NDeps = len(parts)
	for _, p := range parts {
		communes := Int(p.Communes)
		if !p.Whole && p.DepCommunes > 0 {
			communes += " sur " + Int(p.DepCommunes)
		}
		v.Parts = append(v.Parts, partFigures(p.Level, communes, r.Thresholds, nb))
	}
	t := r.Levels[0]
	v.PartTotal = partFigures(t, Int(t.Communes), r.Thresholds, nb)
	v.PartTotal.Name = "Territoire"
}

func partFigures(l diagnostic.Level, communes string, th diagnostic.Thresholds, nb *notebook) partRow {
	const sec = secTerritoire
	f, g := l.Figures, l.Figures.Gaps
	return partRow{Name: levelName(l), Kind: l.Kind, Communes: communes, Population: Int(f.Population), f: f,
		Need:        nb.num(sec, g, "need_index", f.NeedIndex, 2),
		APL23:       nb.num(sec, g, "apl_2023", f.APL2023, aplDec(th, f.APL2023)),
		ShareLow:    nb.pct(sec, g, "share_apl_low", f.ShareLow, 1),
		ShareMiddle: nb.pct(sec, g, "share_apl_middle", f.ShareMiddle, 1),
		GPs:         nb.count(sec, g, "gps", f.GPs),
		GPDensity:   nb.num(sec, g, "gp_density_per_10000", f.GPDensity, 1),
		ShareFrom65: nb.pct(sec, g, "share_from_65_plus", f.ShareFrom65Plus, 0),
		CPTSPop:     nb.pct(sec, g, "cpts_population_share", f.CPTSPopulationShare, 0),
		MSP:         nb.count(sec, g, "structures.msp", f.Structures["msp"]),
		CDS:         nb.count(sec, g, "structures.cds", f.Structures["cds"]),
	}
}

// summaryStructures fills the structures by kind of each département and
// of the territory (section 5): counts from the engine, "n.d." where the
// source does not cover the département.
func (v *view) summaryStructures(parts []Part, nb *notebook) {
	for _, k := range diagnostic.Kinds {
		v.PartKinds = append(v.PartKinds, shortLabel(k.Key))
	}
	fill := func(p *partRow) {
		for _, k := range diagnostic.Kinds {
			p.Structures = append(p.Structures, nb.count(secOffre, p.f.Gaps, "structures."+k.Key, p.f.Structures[k.Key]))
		}
	}
	for i := range v.Parts {
		fill(&v.Parts[i])
	}
	fill(&v.PartTotal)
}

// partsAPLChart sorts the territory's départements by APL 2023: one
// horizontal bar each, coloured by class, with the thresholds.
func partsAPLChart(r *diagnostic.Report, parts []Part) chartSpec {
	var ps []Part
	for _, p := range parts {
		if p.APL2023 != nil {
			ps = append(ps, p)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if *ps[i].APL2023 != *ps[j].APL2023 {
			return *ps[i].APL2023 < *ps[j].APL2023
		}
		return ps[i].Code < ps[j].Code
	})
	b := newBarChart("apl-departements", "item", false, "40", "24")
	var names []string
	var data []tipItem
	for _, p := range ps {
		label := levelName(p.Level)
		if !p.Whole {
			label += ", partie"
		}
		names = append(names, label)
		class := r.Thresholds.Class(*p.APL2023)
		data = append(data, tipItem{Name: label, Value: round(*p.APL2023, r.Thresholds.Decimals(*p.APL2023)),
			Tip: "<b>" + esc(label) + "</b><br>APL 2023 : " + Num(*p.APL2023, r.Thresholds.Decimals(*p.APL2023)) + "<br>Population : " + Int(p.Population) + " hab." +
				"<br>Population en commune d'APL ≤ " + Num(r.Thresholds.Low, 1) + " : " + PctP(p.ShareLow, 1),
			ItemStyle: map[string]any{"color": classColor(class)}, Dec: aplItemDec(r.Thresholds, p.APL2023, 2)})
	}
	b.SetXAxis(names)
	b.MultiSeries = append(b.MultiSeries, charts.SingleSeries{Name: "APL 2023", Type: "bar", Data: data, BarMaxWidth: "18",
		Label: &opts.Label{Show: opts.Bool(true), Position: "right"}})
	m := optionOf(b)
	m["series"].([]any)[0].(map[string]any)["markLine"] = thresholdLines(r.Thresholds, "xAxis")
	horizontalBars(m, "truncate", map[string]any{"type": "value"})
	return chartSpec{ID: "apl-departements", Height: 70 + 20*len(ps), Dec: 2, Option: m,
		Title: "APL 2023 par département (communes du territoire), de la plus faible à la plus élevée",
		Alt: fmt.Sprintf("Barres horizontales : APL 2023 des communes du territoire dans chacun de ses %s, triés de la plus faible à la plus élevée, colorés selon les seuils de %s et %s",
			CountOf(len(ps), "département", "départements"), Num(r.Thresholds.Low, 1), Num(r.Thresholds.Middle, 0))}
}
