package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/textnorm"
)

type point struct {
	Lat, Lon float64
	Source   string
}

// hexasmal rows, kept for placing establishments by postcode and name.
type postalCommune struct {
	Code     string // INSEE code as given (may be old)
	Name     string // folded
	Postcode string
}

func (g *gen) readCSV(rel string, sep rune, header ...string) ([][]string, error) {
	b, err := g.read(rel)
	if err != nil {
		return nil, err
	}
	return parseCSV(rel, b, sep, header...)
}

func parseCSV(rel string, b []byte, sep rune, header ...string) ([][]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = sep
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty file", rel)
	}
	if err := checkHeader(rel, rows[0], header...); err != nil {
		return nil, err
	}
	for i, row := range rows[1:] {
		if len(row) != len(header) {
			return nil, fmt.Errorf("%s:%d: %d fields, want %d", rel, i+2, len(row), len(header))
		}
	}
	return rows[1:], nil
}

// buildPoints reads the La Poste hexasmal centroids: one point per INSEE code.
func (g *gen) buildPoints(string) error {
	const rel = "laposte-hexasmal/laposte_hexasmal.csv"
	rows, err := g.readCSV(rel, ';', "Code_commune_INSEE", "Nom_commune", "Code_postal", "Ligne_5", "Libellé_d_acheminement", "coordonnees_gps")
	if err != nil {
		return err
	}
	byCode := map[string]point{}
	g.postal = g.postal[:0]
	for i, row := range rows {
		code := row[0]
		if len(code) != 5 {
			return fmt.Errorf("%s:%d:1: INSEE code %q is not 5 characters", rel, i+2, code)
		}
		g.postal = append(g.postal, postalCommune{Code: code, Name: textnorm.FoldPlace(row[1]), Postcode: row[2]})
		if row[4] != "" && textnorm.FoldPlace(row[4]) != textnorm.FoldPlace(row[1]) {
			g.postal = append(g.postal, postalCommune{Code: code, Name: textnorm.FoldPlace(row[4]), Postcode: row[2]})
		}
		if row[3] != "" {
			g.postal = append(g.postal, postalCommune{Code: code, Name: textnorm.FoldPlace(row[3]), Postcode: row[2]})
		}
		if _, seen := byCode[code]; seen || row[5] == "" {
			continue
		}
		lat, lon, err := parseLatLon(row[5])
		if err != nil {
			return fmt.Errorf("%s:%d:6: %w", rel, i+2, err)
		}
		byCode[code] = point{Lat: lat, Lon: lon, Source: "laposte"}
	}
	g.postalIndex = map[string][]postalCommune{}
	for _, p := range g.postal {
		g.postalIndex[p.Postcode] = append(g.postalIndex[p.Postcode], p)
	}
	g.points = map[string]point{}
	// Old codes first, so that a commune nouvelle missing from the 2020 file
	// can take the point of one of its former communes.
	oldPoint := map[string]string{}
	olds := make([]string, 0, len(g.cog.old))
	for code := range g.cog.old {
		olds = append(olds, code)
	}
	sort.Strings(olds)
	for _, code := range olds {
		cur := g.cog.old[code].Current
		if _, ok := byCode[code]; ok {
			if _, done := oldPoint[cur]; !done {
				oldPoint[cur] = code
			}
		}
	}
	for _, a := range g.cog.arr {
		if p, ok := byCode[a.Code]; ok {
			g.points[a.Code] = p
		}
	}
	for _, code := range g.cog.codes {
		if p, ok := byCode[code]; ok {
			g.points[code] = p
		} else if o, ok := oldPoint[code]; ok {
			p := byCode[o]
			p.Source = "chef-lieu"
			g.points[code] = p
		}
	}
	return nil
}

func parseLatLon(s string) (lat, lon float64, err error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return 0, 0, fmt.Errorf("coordinates %q: want \"lat,lon\"", s)
	}
	if lat, err = strconv.ParseFloat(strings.TrimSpace(a), 64); err != nil {
		return 0, 0, fmt.Errorf("coordinates %q: %w", s, err)
	}
	if lon, err = strconv.ParseFloat(strings.TrimSpace(b), 64); err != nil {
		return 0, 0, fmt.Errorf("coordinates %q: %w", s, err)
	}
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, fmt.Errorf("coordinates %q out of range", s)
	}
	return lat, lon, nil
}
