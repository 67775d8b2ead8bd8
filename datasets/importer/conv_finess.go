package importer

import (
	"cmp"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/finess"
	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/place"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
)

// KeptCategories are the FINESS categories that describe access to care,
// from the taxonomy (datasets/taxonomy); establishments of other categories
// are kept only when they are labelled hôpitaux de proximité or the SAE
// lists them as an emergency department or a maternity. The generator of
// the embedded snapshot and `datasets import` share this list.
var KeptCategories = taxonomy.KeptCategories

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
	file, err := finess.Open(src.r, path)
	if err != nil {
		return nil, nil, err
	}
	first, variant := file.FirstLine, file.Variant
	date := ""
	if h, ok := finess.ParseStockHeader(string(first)); ok {
		date = strings.TrimSpace(h.Date)
		// The header date is the vintage of every row: the 4th field of
		// line 1, "finess;etalab;<n>;<date>".
		if err := im.checkLabelDate(path, 1, 4, "header date (finess;etalab;<n>;<date>)", date); err != nil {
			return nil, nil, err
		}
	}

	inSAE := SAESites(im.Embedded.Emergency, im.Embedded.Maternities)
	// Hôpitaux de proximité known from an ARS list (not from the FINESS
	// marker) keep their label when a newer FINESS is imported.
	arsLabel := map[string]string{}
	for _, x := range im.Current.Establishments {
		if x.ProximityHospital && strings.HasPrefix(x.ProximitySource, "ARS ") {
			arsLabel[x.Finess] = x.ProximitySource
		}
	}
	source := "finess-import"
	var rows []snapshot.Establishment
	var insee []string // the commune code each row's source gives
	var t tally
	covered := map[string]bool{}
	maxUpdated := ""
	res := Result{Table: "establishments"}
	seen := map[string]bool{}
	err = file.Read(func(e finess.Establishment) error {
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
		if !taxonomy.Keep(e.Category, e.ProximityHospital) && !inSAE[e.Finess] && arsLabel[e.Finess] == "" {
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
		if lab := arsLabel[e.Finess]; lab != "" && !x.ProximityHospital {
			x.ProximityHospital, x.ProximitySource = true, lab
		}
		rows = append(rows, x)
		insee = append(insee, e.Commune)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	src.close(true)

	if date == "" {
		date = dateFromName(path)
		if err := im.checkNameDate(path, date); err != nil {
			return nil, nil, err
		}
	}
	if date == "" && len(maxUpdated) >= 10 {
		if err := im.checkLabelDate(path, 0, 0, "latest update date of the file's rows", maxUpdated[:10]); err != nil {
			return nil, nil, err
		}
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
		if rows[i].ProximityHospital && rows[i].ProximitySource == "" {
			rows[i].ProximitySource = "FINESS " + cmp.Or(date, maxUpdated) + " (mention dans la raison sociale)"
		}
	}

	pl, placeErr := im.placer()
	polygon, byName, unplaced := 0, 0, 0
	fileCov := map[string]bool{}
	for i := range rows {
		pl.Place(&rows[i], insee[i])
		switch rows[i].Placement {
		case "polygon", "polygon+arrondissement-nearest":
			polygon++
		case "finess-dep-name":
			byName++
		case "":
			unplaced++
		}
		if d := im.codes.Dep(rows[i].Commune); d != "" {
			fileCov[d] = true
		}
	}
	if err := placeErr(); err != nil {
		return nil, nil, err
	}
	for d := range covered {
		fileCov[d] = true
	}
	// SAE sites the file lacks stay, as the generator keeps them from the
	// older extraction (KeptOverNewer).
	keptSAE := 0
	for _, x := range im.Current.Establishments {
		if !seen[x.Finess] && KeptOverNewer(x.Finess, inSAE) && fileCov[im.codes.Dep(x.Commune)] {
			rows = append(rows, x)
			keptSAE++
		}
	}
	notes := []string{
		taxonomy.KeptCategoriesText(),
		"commune : code INSEE reconstitué (département + commune) ramené au COG 2026, sinon point dans le contour communal, sinon libellé parmi les communes du département du numéro FINESS",
	}
	// The file covers the départements of its rows (all its INSEE codes,
	// kept or not): the import replaces those and keeps the others of the
	// table in use (merge.go), a regional extraction (Occitanie) as a
	// national one.
	sort.Slice(rows, func(i, j int) bool { return rows[i].Finess < rows[j].Finess })

	res.Rows, res.Unmatched = len(rows), unplaced
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read (%s layout), %s kept (access-to-care categories and SAE sites)", plural(res.Read, "establishment", "establishments"), variant, plural(len(rows), "establishment", "establishments")),
		fmt.Sprintf("%s of merged communes mapped to today's commune; %s placed by point in the commune contours, %s by city name in the département of their FINESS number", plural(t.old, "old code", "old codes"), plural(polygon, "establishment", "establishments"), plural(byName, "establishment", "establishments")))
	if keptSAE > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s named by the SAE tables but absent from the file kept from the table in use", plural(keptSAE, "establishment", "establishments")))
		notes = append(notes, fmt.Sprintf("établissements des tables SAE absents du fichier, conservés de la table précédente : %d", keptSAE))
	}
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
		Vintage: res.Vintage, Licence: licenceOuverte, Rows: len(rows), Notes: notes,
		Coverage: finessCoverage(fileCov, res.Vintage, cmp.Or(date, maxUpdated))}
	return []table{{info: info, file: snapshot.EstablishmentsFile, write: func(w io.Writer) (int, error) { return snapshot.WriteEstablishments(w, rows) }}}, []Result{res}, nil
}

// SAESites is the set of FINESS numbers the SAE tables name: emergency
// departments and maternities, kept whatever their category.
func SAESites(emerg []snapshot.EmergencyDept, mat []snapshot.Maternity) map[string]bool {
	out := make(map[string]bool, len(emerg)+len(mat))
	for _, e := range emerg {
		out[e.Finess] = true
	}
	for _, m := range mat {
		out[m.Finess] = true
	}
	return out
}

// KeptOverNewer reports whether an establishment of an older extraction
// stays when a newer extraction of its département lacks it: only a site
// the SAE tables name (they are of 2020; without it their emergency
// department or maternity would have no place). The generator applies it
// to the FINESS 2021 rows under the Occitanie 2026 file (Polyclinique
// Kennedy, Nîmes, and Clinique Saint-Jean, Montpellier, are not in it),
// `datasets import` to the table in use under the imported file.
func KeptOverNewer(finess string, sae map[string]bool) bool { return sae[finess] }

// finessCoverage is the coverage of an imported FINESS file: the
// départements its rows describe (INSEE codes of every row, kept or not,
// and the communes of the kept rows), with its label and extraction date.
func finessCoverage(deps map[string]bool, label, date string) []snapshot.Coverage {
	out := make([]snapshot.Coverage, 0, len(deps))
	for d := range deps {
		out = append(out, snapshot.Coverage{Dep: d, Source: label, Vintage: date})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dep < out[j].Dep })
	return out
}

// placer builds the shared placement (datasets/place) over the embedded
// COG and contours; the contours load on the first point to place, and
// the returned function gives the error of that load, if any.
func (im *Importer) placer() (*place.Placer, func() error) {
	var cerr error
	locate := func(lat, lon float64) string {
		if cerr != nil {
			return ""
		}
		ci, err := im.contourIndex()
		if err != nil {
			cerr = err
			return ""
		}
		return ci.Locate(lat, lon)
	}
	previous := make(map[string]snapshot.Establishment, len(im.Embedded.Establishments))
	for _, x := range im.Embedded.Establishments {
		previous[x.Finess] = x
	}
	postal, cogPostcode := map[string][]place.Postal{}, map[string][]string{}
	for _, p := range im.Embedded.Postcodes {
		if p.Source == "cog" {
			cogPostcode[p.Postcode] = append(cogPostcode[p.Postcode], p.Code)
		} else {
			postal[p.Postcode] = append(postal[p.Postcode], place.Postal{Code: p.Code, Name: p.Name})
		}
	}
	return place.New(place.Source{Communes: im.Embedded.Communes, Arrondissements: im.Embedded.Arrondissements,
		Current: im.codes.Current, Locate: locate, Postal: postal, CogPostcode: cogPostcode, Previous: previous}), func() error { return cerr }
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
