package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Contour simplification: Douglas-Peucker tolerance and coordinate precision,
// in degrees. 0.0004° is about 30–45 m, invisible on a map of an EPCI, and
// keeps the whole of France near 10 MB compressed.
const (
	simplifyTolerance = 0.0004
	roundFactor       = 10000 // 4 decimals, about 10 m
	// rawRoundFactor is the precision of the raw contours, kept for the few
	// whose border narrows below 10 m, where 4 decimals would make it cross
	// itself.
	rawRoundFactor = 100000
)

// contourSet holds the full-resolution contours of the current communes,
// merged from their COG 2018 parts, with an R-tree on their bounding boxes
// for point-in-polygon placement.
type contourSet struct {
	geom map[string]orb.MultiPolygon
	tree rtree.RTreeG[string]
}

// locate returns the current commune whose contour contains the point.
func (cs *contourSet) locate(lat, lon float64) string {
	p := orb.Point{lon, lat}
	var found []string
	cs.tree.Search([2]float64{lon, lat}, [2]float64{lon, lat}, func(_, _ [2]float64, code string) bool {
		if planar.MultiPolygonContains(cs.geom[code], p) {
			found = append(found, code)
		}
		return true
	})
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found) // points on a shared border: choose deterministically
	return found[0]
}

func (g *gen) buildContours(dir string) error {
	const base = "contours-france-geojson/communes-par-departement/"
	files, err := filepath.Glob(filepath.Join(g.raw, base, "communes-*.geojson"))
	if err != nil {
		return err
	}
	if len(files) != 101 {
		return fmt.Errorf("%s: want 101 département files, found %d", base, len(files))
	}
	sort.Strings(files)
	cs, arrGeom, err := g.readContours(base, files)
	if err != nil {
		return err
	}
	g.contours = cs
	total, err := g.writeSimplifiedContours(dir, cs, arrGeom)
	if err != nil {
		return err
	}
	var missing []string
	for _, code := range g.cog.codes {
		if _, ok := cs.geom[code]; !ok {
			missing = append(missing, code)
		}
	}
	st := g.contourStats
	g.unmatched["communes without contour"] = len(missing)
	if len(missing) > 0 {
		g.log.Warn("communes without contour", "count", len(missing), "first", strings.Join(first(missing, 20), " "))
	}
	g.tables = append(g.tables, snapshot.TableInfo{Name: "contours", Title: "Contours des communes (simplifiés, fusionnés sur les codes 2026)",
		Publisher: "IGN Admin Express COG 2018 via gregoiredavid/france-geojson", Source: "github.com/gregoiredavid/france-geojson @5d34ee6",
		Vintage: "COG 2018 géométries, codes ramenés au COG 2026", Licence: licenceOuverte, Files: []string{base + "communes-*.geojson"},
		Rows: total, Origin: "embedded", Notes: []string{
			fmt.Sprintf("Douglas-Peucker %.4f°, coordonnées arrondies à 4 décimales", simplifyTolerance),
			fmt.Sprintf("communes fusionnées depuis 2018 : polygones de leurs anciennes communes unis (%d communes, %d polygones → %d), sans limite interne", st.merged, st.partsBefore, st.polygonsAfter),
			fmt.Sprintf("géométries valides au sens OGC (vérifiées avec simplefeatures) : tolérance réduite pour %d contours, anneau qui se touche scindé pour %d, 5 décimales gardées pour %s, contour brut réparé : %s",
				st.finer, st.overlaid, strings.Join(sorted(st.finest), " "), strings.Join(st.repaired, " ")),
		}})
	return g.writeCommunes(dir)
}

// readContours reads the COG 2018 commune contours of every département
// file, merged onto today's codes (the polygons of merged communes
// unioned), with an R-tree of their bounds for point-in-polygon placement;
// arrGeom keeps the arrondissements of Paris, Lyon and Marseille apart.
// Every geometry it returns is valid.
func (g *gen) readContours(base string, files []string) (*contourSet, map[string]orb.MultiPolygon, error) {
	cs := &contourSet{geom: map[string]orb.MultiPolygon{}}
	arrGeom := map[string]orb.MultiPolygon{}
	parts := map[string]int{} // COG 2018 features per current code
	features := 0
	for _, f := range files {
		rel := base + filepath.Base(f)
		b, err := g.read(rel)
		if err != nil {
			return nil, nil, err
		}
		var fc struct {
			Type     string
			Features []struct {
				Type       string
				Properties struct{ Code, Nom string }
				Geometry   struct {
					Type        string
					Coordinates json.RawMessage
				}
			}
		}
		if err := json.Unmarshal(b, &fc); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", rel, err)
		}
		for i, ft := range fc.Features {
			features++
			code := ft.Properties.Code
			if len(code) != 5 {
				return nil, nil, fmt.Errorf("%s: feature %d has no 5-character code", rel, i)
			}
			cur, kind, ok := g.cog.current(code)
			if !ok {
				g.unmatched["contours: COG 2018 codes unknown to COG 2026 (dropped)"]++
				g.log.Warn("contour code unknown to COG 2026", "file", rel, "code", code, "name", ft.Properties.Nom)
				continue
			}
			var mp orb.MultiPolygon
			switch ft.Geometry.Type {
			case "Polygon":
				var p orb.Polygon
				if err := json.Unmarshal(ft.Geometry.Coordinates, &p); err != nil {
					return nil, nil, fmt.Errorf("%s: feature %s: %w", rel, code, err)
				}
				mp = orb.MultiPolygon{p}
			case "MultiPolygon":
				if err := json.Unmarshal(ft.Geometry.Coordinates, &mp); err != nil {
					return nil, nil, fmt.Errorf("%s: feature %s: %w", rel, code, err)
				}
			default:
				return nil, nil, fmt.Errorf("%s: feature %s: geometry %s, want polygon", rel, code, ft.Geometry.Type)
			}
			cs.geom[cur] = append(cs.geom[cur], mp...)
			parts[cur]++
			if kind == "arrondissement" {
				// Paris, Lyon and Marseille keep their arrondissements too,
				// for maps drawn at the level the APL is published.
				arrGeom[code] = mp
			}
		}
	}
	if features != 35357 {
		return nil, nil, fmt.Errorf("%s: %d features, SOURCES.md documents 35,357", base, features)
	}
	if err := g.unionMerged(cs, parts); err != nil {
		return nil, nil, err
	}
	if err := g.repairInvalid(cs.geom); err != nil {
		return nil, nil, err
	}
	if err := g.repairInvalid(arrGeom); err != nil {
		return nil, nil, err
	}
	for code, mp := range cs.geom {
		b := mp.Bound()
		cs.tree.Insert([2]float64{b.Min[0], b.Min[1]}, [2]float64{b.Max[0], b.Max[1]}, code)
	}

	return cs, arrGeom, nil
}

// writeSimplifiedContours writes the simplified contours, one file per
// current département, and returns how many geometries it wrote.
func (g *gen) writeSimplifiedContours(dir string, cs *contourSet, arrGeom map[string]orb.MultiPolygon) (int, error) {
	byDep := map[string]map[string]json.RawMessage{}
	all := map[string]orb.MultiPolygon{}
	for code, mp := range cs.geom {
		all[code] = mp
	}
	for code, mp := range arrGeom {
		all[code] = mp
	}
	for code, mp := range all {
		s, tol, factor, overlaid, err := simplifyValid(mp)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", code, err)
		}
		st := &g.contourStats
		if tol < simplifyTolerance {
			st.finer++
		}
		if overlaid {
			st.overlaid++
		}
		if factor != roundFactor {
			st.finest = append(st.finest, code)
		}
		if tol < simplifyTolerance || overlaid || factor != roundFactor {
			g.log.Info("contours: simplified contour made valid", "code", code, "tolerance", tol, "decimals", math.Log10(float64(factor)), "overlay", overlaid)
		}
		var geo any = struct {
			Type        string           `json:"type"`
			Coordinates orb.MultiPolygon `json:"coordinates"`
		}{"MultiPolygon", s}
		if len(s) == 1 {
			geo = struct {
				Type        string      `json:"type"`
				Coordinates orb.Polygon `json:"coordinates"`
			}{"Polygon", s[0]}
		}
		raw, err := json.Marshal(geo)
		if err != nil {
			return 0, err
		}
		dep := code[:2]
		if c, ok := g.cog.communes[code]; ok {
			dep = c.Dep
		}
		if byDep[dep] == nil {
			byDep[dep] = map[string]json.RawMessage{}
		}
		byDep[dep][code] = raw
	}
	if err := os.MkdirAll(filepath.Join(dir, snapshot.ContoursDir), 0o755); err != nil {
		return 0, err
	}
	total := 0
	deps := make([]string, 0, len(byDep))
	for dep := range byDep {
		deps = append(deps, dep)
	}
	sort.Strings(deps)
	for _, dep := range deps {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		// json.Marshal sorts map keys: the output is deterministic.
		b, err := json.Marshal(byDep[dep])
		if err != nil {
			return 0, err
		}
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(dir, snapshot.ContoursDir, dep+".json.gz"), buf.Bytes(), 0o644); err != nil {
			return 0, err
		}
		total += len(byDep[dep])
	}
	return total, nil
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

func first(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// writeCommunes writes the communes table once points and contours are known:
// communes without a La Poste point take the centroid of their contour.
func (g *gen) writeCommunes(dir string) error {
	for i := range g.cog.arr {
		a := &g.cog.arr[i]
		if p, ok := g.points[a.Code]; ok {
			a.Lat, a.Lon = p.Lat, p.Lon
		} else {
			g.unmatched["arrondissements without point"]++
		}
	}
	if err := g.write(dir, snapshot.ArrondissementsFile, snapshot.TableInfo{Name: "arrondissements", Title: "Arrondissements municipaux de Paris, Lyon, Marseille",
		Publisher: "INSEE (COG), La Poste (points)", Source: cogSource + "; La Poste hexasmal", Vintage: cogVintage, Licence: licenceOuverte,
		Files: []string{"cog-decoupage-administratif-2026/communes.json.gz", "laposte-hexasmal/laposte_hexasmal.csv"}},
		func(w io.Writer) (int, error) { return snapshot.WriteArrondissements(w, g.cog.arr) }); err != nil {
		return err
	}
	rows := make([]snapshot.Commune, 0, len(g.cog.codes))
	for _, code := range g.cog.codes {
		c := *g.cog.communes[code]
		if p, ok := g.points[code]; ok {
			c.Lat, c.Lon, c.PointSource = p.Lat, p.Lon, p.Source
		} else if mp, ok := g.contours.geom[code]; ok {
			ctr, _ := planar.CentroidArea(mp)
			c.Lat, c.Lon, c.PointSource = round6(ctr[1]), round6(ctr[0]), "contour"
			g.unmatched["commune points from contour centroid"]++
		} else {
			g.unmatched["communes without point"]++
		}
		rows = append(rows, c)
	}
	return g.write(dir, snapshot.CommunesFile, snapshot.TableInfo{Name: "communes", Title: "Communes (COG 2026) : nom, département, région, EPCI, population municipale, point",
		Publisher: "INSEE (COG, populations de référence), DGCL (EPCI), La Poste (points)",
		Source:    "npm @etalab/decoupage-administratif 6.0.0; La Poste base officielle des codes postaux (hexasmal ≈2020)",
		Vintage:   "COG 2026, populations de référence en vigueur en 2026", Licence: licenceOuverte,
		Files: []string{"cog-decoupage-administratif-2026/communes.json.gz", "laposte-hexasmal/laposte_hexasmal.csv"}},
		func(w io.Writer) (int, error) { return snapshot.WriteCommunes(w, rows) })
}

func round6(f float64) float64 {
	return float64(int64(f*1e6+copysignHalf(f))) / 1e6
}

func copysignHalf(f float64) float64 {
	if f < 0 {
		return -0.5
	}
	return 0.5
}
