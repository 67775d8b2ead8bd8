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
	f := &finessFile{path: path, res: Result{Table: "establishments"}, covered: map[string]bool{}, seen: map[string]bool{},
		inSAE: SAESites(im.Embedded.Emergency, im.Embedded.Maternities), arsLabel: arsProximityLabels(im.Current)}
	if err := im.readFINESS(f); err != nil {
		return nil, nil, err
	}
	if err := im.finessVintage(f); err != nil {
		return nil, nil, err
	}
	if err := im.placeFINESS(f); err != nil {
		return nil, nil, err
	}
	// SAE sites the file lacks stay, as the generator keeps them from the
	// older extraction (KeptOverNewer).
	for _, x := range im.Current.Establishments {
		if !f.seen[x.Finess] && KeptOverNewer(x.Finess, f.inSAE) && f.fileCov[im.codes.Dep(x.Commune)] {
			f.rows = append(f.rows, x)
			f.keptSAE++
		}
	}
	// The file covers the départements of its rows (all its INSEE codes,
	// kept or not): the import replaces those and keeps the others of the
	// table in use (merge.go), a regional extraction (Occitanie) as a
	// national one.
	sort.Slice(f.rows, func(i, j int) bool { return f.rows[i].Finess < f.rows[j].Finess })
	info := f.tableInfo()
	rows := f.rows
	return []table{{info: info, file: snapshot.EstablishmentsFile, write: func(w io.Writer) (int, error) { return snapshot.WriteEstablishments(w, rows) }}}, []Result{f.res}, nil
}

// A finessFile is a FINESS extraction being converted.
type finessFile struct {
	path    string
	variant finess.Variant
	// date is the extraction date (stock header, else file name);
	// maxUpdated the latest update date of its rows.
	date, maxUpdated string
	res              Result
	rows             []snapshot.Establishment
	insee            []string // the commune code each row's source gives
	// others are each row's other readings of its coordinates (FiNESS+
	// files give them twice, in an order the reader cannot always tell).
	others [][]finess.Point
	// checked counts the rows whose point was checked against the commune
	// their source names; far those more than nearCommuneKm outside it,
	// swapped those put back in it by another reading of their
	// coordinates.
	checked, swapped int
	far              []string
	t                tally
	// covered are the départements of the file's INSEE codes (every row,
	// kept or not), fileCov those and the départements of the kept rows.
	covered, fileCov          map[string]bool
	seen                      map[string]bool
	inSAE                     map[string]bool
	arsLabel                  map[string]string
	polygon, byName, unplaced int
	keptSAE                   int
}

// arsProximityLabels lists the hôpitaux de proximité known from an ARS
// list (not from the FINESS marker), which keep their label when a newer
// FINESS is imported.
func arsProximityLabels(s *snapshot.Snapshot) map[string]string {
	out := map[string]string{}
	for _, x := range s.Establishments {
		if x.ProximityHospital && strings.HasPrefix(x.ProximitySource, "ARS ") {
			out[x.Finess] = x.ProximitySource
		}
	}
	return out
}

// readFINESS reads the file's rows: its layout and header date, the kept
// establishments with the commune code their source gives, the
// départements of all its INSEE codes.
func (im *Importer) readFINESS(f *finessFile) error {
	src, err := im.open(f.path, "finess")
	if err != nil {
		return err
	}
	defer src.close(false)
	file, err := finess.Open(src.r, f.path)
	if err != nil {
		return err
	}
	f.variant = file.Variant
	if h, ok := finess.ParseStockHeader(string(file.FirstLine)); ok {
		f.date = strings.TrimSpace(h.Date)
		// The header date is the vintage of every row: the 4th field of
		// line 1, "finess;etalab;<n>;<date>".
		if err := im.checkLabelDate(f.path, 1, 4, "header date (finess;etalab;<n>;<date>)", f.date); err != nil {
			return err
		}
	}
	err = file.Read(func(e finess.Establishment) error {
		if err := src.tick(); err != nil {
			return err
		}
		f.res.Read++
		f.maxUpdated = max(f.maxUpdated, e.Updated)
		var kind string
		ok := false
		if e.Commune != "" {
			var cur string
			cur, kind, ok = im.codes.Current(e.Commune)
			if ok {
				f.covered[im.codes.Dep(cur)] = true
			}
		}
		if !taxonomy.Keep(e.Category, e.ProximityHospital) && !f.inSAE[e.Finess] && f.arsLabel[e.Finess] == "" {
			return nil
		}
		if e.Commune != "" {
			f.t.add(e.Commune, kind, ok)
		}
		if f.seen[e.Finess] {
			return parseerr.New(f.path, e.Line, 0, "FINESS %s listed twice", e.Finess)
		}
		f.seen[e.Finess] = true
		x := Establishment(e, "finess-import")
		if lab := f.arsLabel[e.Finess]; lab != "" && !x.ProximityHospital {
			x.ProximityHospital, x.ProximitySource = true, lab
		}
		f.rows = append(f.rows, x)
		f.insee = append(f.insee, e.Commune)
		f.others = append(f.others, e.OtherPoints)
		return nil
	})
	if err != nil {
		return err
	}
	if f.date == "" && file.Date != "" {
		// A FiNESS+ file's own date (generatedAt), as the stock header's.
		f.date = file.Date
		if err := im.checkLabelDate(f.path, 0, 0, "the file's generatedAt date", f.date); err != nil {
			return err
		}
	}
	src.close(true)
	return nil
}

// finessVintage decides the file's vintage (header date, or a FiNESS+
// file's generatedAt, else the date in its name, else its latest update,
// else its modification date) and
// labels the rows with it.
func (im *Importer) finessVintage(f *finessFile) error {
	if f.date == "" {
		f.date = dateFromName(f.path)
		if err := im.checkNameDate(f.path, f.date); err != nil {
			return err
		}
	}
	if f.date == "" && len(f.maxUpdated) >= 10 {
		if err := im.checkLabelDate(f.path, 0, 0, "latest update date of the file's rows", f.maxUpdated[:10]); err != nil {
			return err
		}
	}
	switch {
	case f.date != "":
		f.res.Vintage = "FINESS " + f.date
	case f.maxUpdated != "":
		f.res.Vintage = "FINESS (mise à jour la plus récente : " + f.maxUpdated + ")"
	default:
		f.res.Vintage = "FINESS (fichier du " + modDate(f.path) + ")"
	}
	// Rows say which extraction they come from, as the embedded ones do
	// ("finess-2021"): the date when known.
	source := "finess-import"
	if d := f.extraction(); d != "" {
		source = "finess-" + d
	}
	for i := range f.rows {
		f.rows[i].Source = source
		if f.rows[i].ProximityHospital && f.rows[i].ProximitySource == "" {
			f.rows[i].ProximitySource = "FINESS " + f.extraction() + " (mention dans la raison sociale)"
		}
	}
	return nil
}

// extraction is the date the file describes: its own, else its latest
// update.
func (f *finessFile) extraction() string { return cmp.Or(f.date, f.maxUpdated) }

// placeFINESS puts each kept row in its commune (datasets/place) and
// records the départements the file covers.
func (im *Importer) placeFINESS(f *finessFile) error {
	pl, placeErr := im.placer()
	f.fileCov = map[string]bool{}
	for i := range f.rows {
		if err := im.checkPoint(f, i); err != nil {
			return err
		}
		pl.Place(&f.rows[i], f.insee[i])
		switch f.rows[i].Placement {
		case "polygon", "polygon+arrondissement-nearest":
			f.polygon++
		case "finess-dep-name":
			f.byName++
		case "":
			f.unplaced++
		}
		if d := im.codes.Dep(f.rows[i].Commune); d != "" {
			f.fileCov[d] = true
		}
	}
	if err := placeErr(); err != nil {
		return err
	}
	for d := range f.covered {
		f.fileCov[d] = true
	}
	return nil
}

// nearCommuneKm is how far outside the contour of the commune it claims a
// point may lie and still be taken as consistent with it: the contours
// carried are simplified (about 45 m), and a site on a commune border may
// be geocoded at its entrance across the road.
const nearCommuneKm = 2.0

// checkPoint checks a row's point against the commune its source names.
// A point more than nearCommuneKm outside it is replaced by another
// reading of the coordinates that lies in it, when the file gave one;
// else it is kept and counted, and so is the commune: the commune code is
// the register's, the point a geocoding of its address, and the commune
// decides in which territory the establishment counts.
func (im *Importer) checkPoint(f *finessFile, i int) error {
	x := &f.rows[i]
	if !x.HasPoint || f.insee[i] == "" {
		return nil
	}
	cur, _, ok := im.codes.Current(f.insee[i])
	if !ok {
		return nil
	}
	ci, err := im.contourIndex()
	if err != nil {
		return err
	}
	d, ok := ci.DistanceKm(cur, x.Lat, x.Lon)
	if !ok {
		return nil
	}
	f.checked++
	if d <= nearCommuneKm {
		return nil
	}
	for _, p := range f.others[i] {
		lat, lon := Round6(p.Lat), Round6(p.Lon)
		if d2, ok := ci.DistanceKm(cur, lat, lon); ok && d2 <= nearCommuneKm {
			x.Lat, x.Lon = lat, lon
			f.swapped++
			return nil
		}
	}
	f.far = append(f.far, fmt.Sprintf("%s (%s, %.1f km)", x.Finess, cur, d))
	return nil
}

// tableInfo fills the result's counts and notes and returns the table's
// manifest entry.
func (f *finessFile) tableInfo() snapshot.TableInfo {
	notes := []string{
		taxonomy.KeptCategoriesText(),
		"commune : code INSEE reconstitué (département + commune) ramené au COG 2026, sinon point dans le contour communal, sinon libellé parmi les communes du département du numéro FINESS",
	}
	res, t := &f.res, &f.t
	res.Rows, res.Unmatched = len(f.rows), f.unplaced
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read (%s layout), %s kept (access-to-care categories and SAE sites)", plural(res.Read, "establishment", "establishments"), f.variant, plural(len(f.rows), "establishment", "establishments")),
		fmt.Sprintf("%s of merged communes mapped to today's commune; %s placed by point in the commune contours, %s by city name in the département of their FINESS number", plural(t.old, "old code", "old codes"), plural(f.polygon, "establishment", "establishments"), plural(f.byName, "establishment", "establishments")))
	if f.keptSAE > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s named by the SAE tables but absent from the file kept from the table in use", plural(f.keptSAE, "establishment", "establishments")))
		notes = append(notes, fmt.Sprintf("établissements des tables SAE absents du fichier, conservés de la table précédente : %d", f.keptSAE))
	}
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s unknown to COG 2026 (placed by point when there is one): %s", plural(t.unknown, "commune code", "commune codes"), t.examples(10)))
	}
	if f.checked > 0 {
		n := fmt.Sprintf("%s checked against the contour of the commune they claim: %d more than %g km outside it (commune kept from the file, point kept)",
			plural(f.checked, "point", "points"), len(f.far), nearCommuneKm)
		if len(f.far) > 0 {
			n += ": " + strings.Join(f.far[:min(len(f.far), 10)], ", ")
			if len(f.far) > 10 {
				n += ", …"
			}
			notes = append(notes, fmt.Sprintf("points à plus de %g km de la commune indiquée (commune conservée) : %d", nearCommuneKm, len(f.far)))
		}
		if f.swapped > 0 {
			n += fmt.Sprintf("; %s replaced by the other reading of their coordinates, which lies in it", plural(f.swapped, "point", "points"))
		}
		res.Notes = append(res.Notes, n)
	}
	if f.unplaced > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s kept without commune (no usable INSEE code, no point in a contour): not counted in any territory", plural(f.unplaced, "establishment", "establishments")))
	}
	if f.variant != finess.Stock && f.variant != finess.Occitanie && f.variant != finess.Plus {
		notes = append(notes, "extraction sans marqueur « hôpital de proximité » fiable (antérieure à 2022 ou sans nom long)")
	}
	notes = append(notes, fmt.Sprintf("anciens codes ramenés à la commune actuelle : %d ; placés par contour : %d ; sans commune : %d", t.old, f.polygon, f.unplaced))
	return snapshot.TableInfo{Name: "establishments", Title: "Établissements de l'offre de soins (FINESS) avec leur commune",
		Publisher: "Ministère de la santé / DREES, FINESS (extraction data.gouv.fr)", Source: fmt.Sprintf("FINESS, extraction importée (%s)", f.variant),
		Vintage: res.Vintage, Licence: licenceOuverte, Rows: len(f.rows), Notes: notes,
		Coverage: finessCoverage(f.fileCov, res.Vintage, f.extraction())}
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
