package templates

import (
	"sort"

	"github.com/diagsante/diagsante/diagnostic"
)

// A printed map must be readable without its tooltips: it names every
// commune of a small territory, the most populous of a large one, and,
// around a one-commune territory, its neighbours (in grey, outside the
// territory's figures).
const (
	nameEveryCommuneUpTo = 40
	largestNamed         = 15
)

// Colours of the neighbours of a one-commune territory.
const (
	neighbourFill   = "#f1f1f1"
	neighbourBorder = "#c4c4c4"
	neighbourText   = "#6b6b6b"
)

// labelledCommunes are the communes a map names: all of them up to
// nameEveryCommuneUpTo, else the largestNamed most populous; those
// without a point cannot be placed.
func labelledCommunes(r *diagnostic.Report) []diagnostic.CommuneFigures {
	var cs []diagnostic.CommuneFigures
	for _, c := range r.Communes {
		if c.Lat != nil && c.Lon != nil {
			cs = append(cs, c)
		}
	}
	if len(cs) <= nameEveryCommuneUpTo {
		return cs
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Population > cs[j].Population })
	return cs[:largestNamed]
}

// mapContext adds to a commune map (communeMap's option) the names of the
// communes, and draws the neighbours of a one-commune territory in light
// grey, named in grey italics. The names are a series of points without a
// symbol; the page script leaves their labels alone ("names").
func mapContext(m map[string]any, r *diagnostic.Report) {
	var data []map[string]any
	for _, c := range labelledCommunes(r) {
		data = append(data, map[string]any{"name": c.Name, "value": []float64{*c.Lon, *c.Lat}})
	}
	var regions []map[string]any
	for _, n := range r.Neighbours {
		data = append(data, map[string]any{"name": n.Name, "value": []float64{n.Lon, n.Lat},
			"label": map[string]any{"color": neighbourText, "fontStyle": "italic", "fontWeight": "normal"}})
		regions = append(regions, map[string]any{"name": n.Code, "silent": true,
			"itemStyle": map[string]any{"areaColor": neighbourFill, "borderColor": neighbourBorder},
			"emphasis":  map[string]any{"disabled": true}, "tooltip": map[string]any{"show": false}})
	}
	if len(regions) > 0 {
		m["geo"].(map[string]any)["regions"] = regions
	}
	if len(data) == 0 {
		return
	}
	m["series"] = append(m["series"].([]any), map[string]any{
		"type": "scatter", "coordinateSystem": "geo", "geoIndex": 0, "name": "Noms des communes", "names": true,
		"silent": true, "z": 4, "symbolSize": 0, "tooltip": map[string]any{"show": false},
		"label": map[string]any{"show": true, "formatter": "{b}", "position": "inside", "fontSize": 10, "fontWeight": "bold",
			"color": "#1d2733", "textBorderColor": "#fff", "textBorderWidth": 2},
		"labelLayout": map[string]any{"hideOverlap": true},
		"data":        data,
	})
}
