package importer

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/finess"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// KeptCategories are the FINESS categories that describe access to care
// (DATA.md); establishments of other categories are kept only when the SAE
// lists them as an emergency department or a maternity. The generator of
// the embedded snapshot and `datasets import` share this list.
var KeptCategories = map[string]bool{
	"101": true, "355": true, "106": true, "127": true, "124": true, "439": true, "130": true,
	"603": true, "604": true, "606": true, "617": true, "618": true, "648": true, "620": true,
	"611": true, "500": true, "141": true, "156": true, "223": true,
}

// Establishment converts a FINESS record to a snapshot row, without its
// commune (the caller places it). Coordinates are rounded to 6 decimals
// (about 10 cm), as in the embedded snapshot.
func Establishment(e finess.Establishment, source string) snapshot.Establishment {
	return snapshot.Establishment{Finess: e.Finess, FinessEJ: e.FinessEJ, Category: e.Category, CategoryLabel: e.CategoryLabel,
		Name: e.Name, LongName: e.LongName, Address: e.Address, Postcode: e.Postcode, City: e.City,
		Lat: Round6(e.Lat), Lon: Round6(e.Lon), HasPoint: e.HasPoint, Source: source, Opened: e.Opened, ProximityHospital: e.ProximityHospital}
}

// Round6 rounds to 6 decimals, halves away from zero.
func Round6(f float64) float64 {
	h := 0.5
	if f < 0 {
		h = -0.5
	}
	return float64(int64(f*1e6+h)) / 1e6
}

// finess converts a FINESS extraction. The etalab stock file and the flat
// 2021 file cover France and replace the establishments table; the
// Occitanie file covers one région and replaces only the establishments of
// the départements it lists, keeping the others of the snapshot in use.
// The commune is the INSEE code the reader rebuilt, mapped to today's; an
// establishment without one is placed by its point in the commune contours,
// and counted as unplaced when it has no point either.
func (im *Importer) finess(path string) ([]table, []Result, error) {
	src, err := im.open(path, "finess")
	if err != nil {
		return nil, nil, err
	}
	defer src.close(false)
	br := bufio.NewReaderSize(src.r, 256<<10)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, parseerr.New(path, 0, 0, "gzip: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 256<<10)
		r = br
	}
	first, _ := br.Peek(64 << 10)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	variant := finess.Sniff(first)
	date := ""
	if h, ok := finess.ParseStockHeader(string(first)); ok {
		date = h.Date
	}

	inSAE := map[string]bool{}
	for _, e := range im.Embedded.Emergency {
		inSAE[e.Finess] = true
	}
	for _, m := range im.Embedded.Maternities {
		inSAE[m.Finess] = true
	}
	source := "finess-import"
	var rows []snapshot.Establishment
	var pending []int // rows to place by their point
	var t tally
	covered := map[string]bool{}
	maxUpdated := ""
	res := Result{Table: "establishments"}
	seen := map[string]bool{}
	err = finess.ReadAny(r, path, func(e finess.Establishment) error {
		if err := src.tick(); err != nil {
			return err
		}
		res.Read++
		maxUpdated = max(maxUpdated, e.Updated)
		var cur, kind string
		ok := false
		if e.Commune != "" {
			cur, kind, ok = im.codes.Current(e.Commune)
			if ok {
				covered[im.codes.Dep(cur)] = true
			}
		}
		if !KeptCategories[e.Category] && !inSAE[e.Finess] {
			return nil
		}
		if e.Commune != "" {
			t.add(e.Commune, kind, ok)
		}
		if seen[e.Finess] {
			return parseerr.New(path, e.Line, 0, "FINESS %s listed twice", e.Finess)
		}
		seen[e.Finess] = true
		x := Establishment(e, source)
		if ok {
			x.Commune, x.Placement = cur, "insee"
		} else if x.HasPoint {
			pending = append(pending, len(rows))
		}
		rows = append(rows, x)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	src.close(true)

	if date == "" {
		date = dateFromName(path)
	}
	switch {
	case date != "":
		res.Vintage = "FINESS " + date
	case maxUpdated != "":
		res.Vintage = "FINESS (mise à jour la plus récente : " + maxUpdated + ")"
	default:
		res.Vintage = "FINESS (fichier du " + modDate(path) + ")"
	}
	// Rows say which extraction they come from, as the embedded ones do
	// ("finess-2021"): the date when known.
	if d := cmp.Or(date, maxUpdated); d != "" {
		source = "finess-" + d
	}
	for i := range rows {
		rows[i].Source = source
	}

	polygon := 0
	if len(pending) > 0 {
		ci, err := im.contourIndex()
		if err != nil {
			return nil, nil, err
		}
		for _, i := range pending {
			if code := ci.Locate(rows[i].Lat, rows[i].Lon); code != "" {
				rows[i].Commune, rows[i].Placement = code, "polygon"
				polygon++
			}
		}
	}
	unplaced := 0
	for _, x := range rows {
		if x.Commune == "" {
			unplaced++
		}
	}
	kept := 0
	notes := []string{
		"catégories retenues : 101 355 106 127 124 439 130 603 604 606 617 618 648 620 611 500 141 156 223, plus les sites SAE d'urgences et de maternité",
		"commune : code INSEE reconstitué (département + commune) ramené au COG 2026, sinon point dans le contour communal",
	}
	if variant == finess.Occitanie {
		// A regional file: keep the rest of France from the snapshot in use.
		for _, x := range im.Current.Establishments {
			dep := im.codes.Dep(x.Commune)
			if x.Commune == "" {
				dep = x.Finess[:2]
			}
			if covered[dep] || seen[x.Finess] {
				continue
			}
			rows = append(rows, x)
			kept++
		}
		deps := make([]string, 0, len(covered))
		for d := range covered {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		res.Notes = append(res.Notes, fmt.Sprintf("regional file (%s layout): replaces the establishments of départements %s; %s of other départements kept from the snapshot in use",
			variant, strings.Join(deps, " "), plural(kept, "establishment", "establishments")))
		notes = append(notes, fmt.Sprintf("fichier régional : établissements des départements %s remplacés ; autres établissements conservés : %d", strings.Join(deps, " "), kept))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Finess < rows[j].Finess })

	res.Rows, res.Unmatched = len(rows), unplaced
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read (%s layout), %s kept (access-to-care categories and SAE sites)", plural(res.Read, "establishment", "establishments"), variant, plural(len(rows)-kept, "establishment", "establishments")),
		fmt.Sprintf("%s of merged communes mapped to today's commune; %s placed by point in the commune contours", plural(t.old, "old code", "old codes"), plural(polygon, "establishment", "establishments")))
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s unknown to COG 2026 (placed by point when there is one): %s", plural(t.unknown, "commune code", "commune codes"), t.examples(10)))
	}
	if unplaced > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s kept without commune (no usable INSEE code, no point in a contour): not counted in any territory", plural(unplaced, "establishment", "establishments")))
	}
	if variant != finess.Stock && variant != finess.Occitanie {
		notes = append(notes, "extraction sans marqueur « hôpital de proximité » fiable (antérieure à 2022 ou sans nom long)")
	}
	notes = append(notes, fmt.Sprintf("anciens codes ramenés à la commune actuelle : %d ; placés par contour : %d ; sans commune : %d", t.old, polygon, unplaced))
	info := snapshot.TableInfo{Name: "establishments", Title: "Établissements de l'offre de soins (FINESS) avec leur commune",
		Publisher: "Ministère de la santé / DREES, FINESS (extraction data.gouv.fr)", Source: fmt.Sprintf("FINESS, extraction importée (%s)", variant),
		Vintage: res.Vintage, Licence: licenceOuverte, Rows: len(rows), Notes: notes}
	return []table{{info: info, file: snapshot.EstablishmentsFile, write: func(w io.Writer) (int, error) { return snapshot.WriteEstablishments(w, rows) }}}, []Result{res}, nil
}

// contourIndex loads the commune contours once, on first need.
func (im *Importer) contourIndex() (*ContourIndex, error) {
	if im.contours == nil {
		ci, err := LoadContours(im.Embedded)
		if err != nil {
			return nil, err
		}
		im.contours = ci
	}
	return im.contours, nil
}
