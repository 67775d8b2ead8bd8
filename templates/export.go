package templates

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/taxonomy"
	"github.com/diagsante/diagsante/diagnostic"
)

// WriteJSON writes the full report model, indented.
func WriteJSON(w io.Writer, r *diagnostic.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// communeColumns are the columns of the communes table in CSV and the
// properties of the GeoJSON features; the names are those of the JSON model.
// A value the data cannot give is nil: an empty CSV cell, a JSON null, never
// 0 (the counts of structures where the source does not cover the commune,
// GPs of an arrondissement of a source that counts cities whole…).
type communeColumn struct {
	key   string
	value func(c *diagnostic.CommuneFigures) any // nil: missing
}

// count is a count that may be unknown: nil, or the int.
func count(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func communeColumns(r *diagnostic.Report) []communeColumn {
	f := func(p *float64) any {
		if p == nil {
			return nil
		}
		return *p
	}
	cols := []communeColumn{
		{"code", func(c *diagnostic.CommuneFigures) any { return c.Code }},
		{"name", func(c *diagnostic.CommuneFigures) any { return c.Name }},
		{"departement", func(c *diagnostic.CommuneFigures) any { return c.Dep }},
		{"epci", func(c *diagnostic.CommuneFigures) any { return c.EPCI }},
		{"epci_name", func(c *diagnostic.CommuneFigures) any { return c.EPCIName }},
		{"population", func(c *diagnostic.CommuneFigures) any { return c.Population }},
		{"need_index", func(c *diagnostic.CommuneFigures) any { return f(c.NeedIndex) }},
		{"apl_2023", func(c *diagnostic.CommuneFigures) any { return f(c.APL2023) }},
		{"apl_2022", func(c *diagnostic.CommuneFigures) any { return f(c.APL2022) }},
		{"apl_class", func(c *diagnostic.CommuneFigures) any { return c.APLClass }},
		{"apl_rows", func(c *diagnostic.CommuneFigures) any { return c.APLRows }},
		{"apl_under65_2023", func(c *diagnostic.CommuneFigures) any { return f(c.APLUnder65_2023) }},
		{"apl_under65_2022", func(c *diagnostic.CommuneFigures) any { return f(c.APLUnder65_2022) }},
		{"share_from_65_plus", func(c *diagnostic.CommuneFigures) any { return f(c.ShareFrom65Plus) }},
		{"gps", func(c *diagnostic.CommuneFigures) any { return count(c.GPs) }},
		{"gp_density_per_10000", func(c *diagnostic.CommuneFigures) any { return f(c.GPDensity) }},
		{"gp_source", func(c *diagnostic.CommuneFigures) any { return c.GPSource }},
		{"lat", func(c *diagnostic.CommuneFigures) any { return f(c.Lat) }},
		{"lon", func(c *diagnostic.CommuneFigures) any { return f(c.Lon) }},
	}
	for _, k := range diagnostic.Kinds {
		cols = append(cols, communeColumn{"structures_" + k.Key, func(c *diagnostic.CommuneFigures) any { return count(c.Structures[k.Key]) }})
	}
	// The CPTS of the commune; nil where perimeters are not known, so that
	// an empty list is not read as "no CPTS".
	cols = append(cols, communeColumn{"cpts", func(c *diagnostic.CommuneFigures) any {
		if g := gapOf(c.Gaps, "cpts_commune_share"); g != nil && g.Status == diagnostic.GapUnknown {
			return nil
		}
		return strings.Join(c.CPTS, " | ")
	}})
	for _, k := range exportNearestKinds(r) {
		cols = append(cols,
			communeColumn{"nearest_" + k + "_minutes", func(c *diagnostic.CommuneFigures) any {
				if n, ok := c.Nearest[k]; ok {
					return n.Minutes
				}
				return nil
			}},
			communeColumn{"nearest_" + k + "_km", func(c *diagnostic.CommuneFigures) any {
				if n, ok := c.Nearest[k]; ok {
					return n.Km
				}
				return nil
			}},
			communeColumn{"nearest_" + k + "_name", func(c *diagnostic.CommuneFigures) any {
				if n, ok := c.Nearest[k]; ok {
					return n.Name
				}
				return nil
			}})
	}
	return cols
}

// exportNearestKinds are the kinds of the nearest_* columns: every kind
// the accessibility engine computes, whether or not a commune of this report
// has a figure for it, so that the columns of the CSV and the properties of
// the GeoJSON do not change with the data (a commune without a point has
// no nearest structure; a kind may have no facility in reach). A kind
// found in the report but unknown to the taxonomy comes last.
func exportNearestKinds(r *diagnostic.Report) []string {
	nearest := map[string]bool{}
	for _, k := range taxonomy.NearestKinds() {
		nearest[k.Key] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range diagnostic.Kinds {
		if nearest[k.Key] {
			out = append(out, k.Key)
			seen[k.Key] = true
		}
	}
	for _, k := range taxonomy.NearestKinds() {
		if !seen[k.Key] {
			out = append(out, k.Key)
			seen[k.Key] = true
		}
	}
	for _, k := range nearestKinds(r) {
		if !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	return out
}

// WriteCSV writes the communes table in the convention loc (see
// CSVLocale): a header row of the JSON names, the same columns whatever
// the data, numbers unformatted but for the decimal mark, empty cells where
// the data give no value.
func WriteCSV(w io.Writer, r *diagnostic.Report, loc CSVLocale) error {
	cols := communeColumns(r)
	cw := loc.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.key
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for i := range r.Communes {
		rec := make([]string, len(cols))
		for j, c := range cols {
			switch v := c.value(&r.Communes[i]).(type) {
			case nil:
			case string:
				rec[j] = v
			case int:
				rec[j] = strconv.Itoa(v)
			case float64:
				rec[j] = loc.Float(v, -1)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteGeoJSON writes the communes as a GeoJSON FeatureCollection (WGS84),
// their indicators as properties, for QGIS and other GIS tools. A commune
// without a contour gets its point; without either, a null geometry.
func WriteGeoJSON(w io.Writer, r *diagnostic.Report, contours map[string]json.RawMessage) error {
	cols := communeColumns(r)
	type feat struct {
		Type       string          `json:"type"`
		ID         string          `json:"id"`
		Properties json.RawMessage `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	out := struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Features []feat `json:"features"`
	}{Type: "FeatureCollection", Name: r.Title, Features: []feat{}}
	for i := range r.Communes {
		c := &r.Communes[i]
		// Properties keep the column order, which a map would not.
		var b strings.Builder
		b.WriteString("{")
		for j, col := range cols {
			if j > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(col.key)
			v, err := json.Marshal(col.value(c))
			if err != nil {
				return err
			}
			b.Write(k)
			b.WriteString(":")
			b.Write(v)
		}
		b.WriteString("}")
		geom := json.RawMessage("null")
		if g, ok := contours[c.Code]; ok && len(g) > 0 {
			geom = g
		} else if c.Lat != nil && c.Lon != nil {
			geom, _ = json.Marshal(map[string]any{"type": "Point", "coordinates": []float64{*c.Lon, *c.Lat}})
		}
		out.Features = append(out.Features, feat{Type: "Feature", ID: c.Code, Properties: json.RawMessage(b.String()), Geometry: geom})
	}
	enc := json.NewEncoder(w)
	return enc.Encode(out)
}
