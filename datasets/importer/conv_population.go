package importer

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/diagsante/diagsante/datasets/insee"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// population updates the population municipale of the communes of the
// embedded snapshot from an INSEE populations de référence file. The other
// columns (name, EPCI, point…) stay those of the COG 2026. A file of an
// older geography gives communes merged since: their populations are added
// onto the commune nouvelle, unless the file also lists the commune
// nouvelle itself; arrondissements municipaux likewise. The table's
// coverage records, per département, which populations it holds.
func (im *Importer) population(path string) ([]table, []Result, error) {
	src, err := im.open(path, "population")
	if err != nil {
		return nil, nil, err
	}
	type acc struct {
		direct, parts int
		hasDirect     bool
		nparts        int
	}
	pops := map[string]*acc{}
	var t tally
	res := Result{Table: "communes"}
	err = insee.ReadPopulations(src.r, path, func(p insee.Population) error {
		if err := src.tick(); err != nil {
			return err
		}
		res.Read++
		cur, kind, ok := im.codes.Current(p.Code)
		t.add(p.Code, kind, ok)
		if !ok {
			return nil
		}
		a := pops[cur]
		if a == nil {
			a = &acc{}
			pops[cur] = a
		}
		if kind == KindCurrent {
			a.direct += p.PMUN
			a.hasDirect = true
		} else {
			a.parts += p.PMUN
			a.nparts++
		}
		return nil
	})
	src.close(err == nil)
	if err != nil {
		return nil, nil, err
	}
	// The communes table keeps every commune of the COG: a file covering
	// some départements updates theirs over the table in use (an earlier
	// import of other départements stays); with --replace-national the
	// base is the embedded table.
	base := im.Current
	if im.ReplaceNational {
		base = im.Embedded
	}
	rows := slices.Clone(base.Communes)
	deps := map[string]bool{}
	for code := range pops {
		deps[im.codes.Dep(code)] = true
	}
	kept, summed := 0, 0
	for i := range rows {
		c := &rows[i]
		a, ok := pops[c.Code]
		switch {
		case !ok:
			kept++
			continue
		case a.hasDirect:
			c.Population = a.direct
		default:
			c.Population = a.parts
			summed++
		}
		c.HasPop = true
	}
	res.Rows = len(rows)
	res.Unmatched = t.unknown
	year := yearFromPath(path)
	if err := im.checkNameDate(path, year); err != nil {
		return nil, nil, err
	}
	if year != "" {
		res.Vintage = "populations de référence " + year
	} else {
		res.Vintage = "populations de référence (millésime absent du nom du fichier ; fichier du " + modDate(path) + ")"
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s read, %s updated", plural(res.Read, "commune", "communes"), plural(len(rows)-kept, "commune", "communes")),
		fmt.Sprintf("%s given by old codes, %s by arrondissement: %s summed onto today's commune", plural(t.old, "row", "rows"), plural(t.arr, "row", "rows"), plural(summed, "commune", "communes")))
	if kept > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s of COG 2026 absent from the file keep the population of the table in use", plural(kept, "commune", "communes")))
	}
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s unknown to COG 2026 (ignored): %s", plural(t.unknown, "code", "codes"), t.examples(10)))
	}
	if year == "" {
		res.Notes = append(res.Notes, "the file name gives no vintage: name the file or its folder after it (donnees_communes_2023.csv)")
	}
	notes := []string{
		"population municipale importée ; nom, département, EPCI et point : COG 2026 de l'instantané intégré",
		"populations des EPCI (table epci) et des arrondissements municipaux non mises à jour",
	}
	if summed > 0 {
		notes = append(notes, fmt.Sprintf("communes nouvelles dont les populations des anciennes communes sont additionnées : %d", summed))
	}
	if kept > 0 {
		notes = append(notes, fmt.Sprintf("communes absentes du fichier, population de la table en usage conservée : %d", kept))
	}
	if len(pops) == 0 {
		return nil, nil, &InputError{Path: path, Err: fmt.Errorf("no commune known to COG 2026: nothing to import")}
	}
	var cov []snapshot.Coverage
	if prev := base.Manifest.Table("communes"); prev != nil {
		prevCov := prev.Coverage
		if prevCov == nil {
			prevCov = im.nationalCoverage(prev)
		}
		for _, c := range prevCov {
			if !deps[c.Dep] {
				cov = append(cov, c)
			}
		}
	}
	cov = append(cov, fileCoverage(deps, "INSEE "+res.Vintage, year)...)
	slices.SortStableFunc(cov, func(a, b snapshot.Coverage) int { return strings.Compare(a.Dep, b.Dep) })
	notes = append(notes, "populations du fichier pour les départements "+depList(sortedDeps(deps), 12))
	info := snapshot.TableInfo{Name: "communes", Title: "Communes (COG 2026) : nom, département, région, EPCI, population municipale, point",
		Publisher: "INSEE (populations de référence importées ; COG 2026), DGCL (EPCI), La Poste (points)",
		Source:    "INSEE, populations de référence, fichier donnees_communes importé",
		Vintage:   "COG 2026, " + res.Vintage, Licence: licenceOuverte, Rows: len(rows), Notes: notes, Coverage: cov}
	return []table{{info: info, file: snapshot.CommunesFile, whole: true, rows: rows,
		write: func(w io.Writer) (int, error) { return snapshot.WriteCommunes(w, rows) }}}, []Result{res}, nil
}
