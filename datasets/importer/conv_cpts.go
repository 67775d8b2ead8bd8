package importer

import (
	"fmt"

	"github.com/diagsante/diagsante/datasets/cpts"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// cpts converts a CPTS list (our simple format or the ARS PACA file). The
// list covers the départements of its member communes: it replaces the
// perimeters known there and keeps the others (the embedded PACA ones for
// a list of another région), or the whole table with --replace-national.
func (im *Importer) cpts(path string) ([]table, []Result, error) {
	src, err := im.open(path, "cpts")
	if err != nil {
		return nil, nil, err
	}
	var rows []snapshot.CPTSMember
	var t tally
	names, deps := map[string]bool{}, map[string]bool{}
	res := Result{Table: "cpts"}
	err = cpts.Read(src.r, path, func(m cpts.Member) error {
		if err := src.tick(); err != nil {
			return err
		}
		res.Read++
		cur, kind, ok := im.codes.Current(m.Commune)
		t.add(m.Commune, kind, ok)
		if !ok {
			return nil
		}
		names[m.CPTS] = true
		deps[im.codes.Dep(cur)] = true
		rows = append(rows, snapshot.CPTSMember{CPTS: m.CPTS, Status: m.Status, Commune: cur, Arrondissements: m.Arrondissements,
			InfraCommunal: m.InfraCommunal, SourceCode: m.Commune})
		return nil
	})
	src.close(err == nil)
	if err != nil {
		return nil, nil, err
	}
	res.Rows, res.Unmatched = len(rows), t.unknown
	res.Vintage = dateFromName(path)
	if err := im.checkNameDate(path, res.Vintage); err != nil {
		return nil, nil, err
	}
	if res.Vintage == "" {
		res.Vintage = "liste du " + modDate(path)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%s, %s; %s mapped to today's commune, %s mapped to their commune",
		plural(len(names), "CPTS", "CPTS"), plural(len(rows), "member commune", "member communes"),
		plural(t.old, "old code", "old codes"), plural(t.arr, "arrondissement", "arrondissements")))
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s unknown to COG 2026 (dropped): %s", plural(t.unknown, "commune code", "commune codes"), t.examples(10)))
	}
	notes := []string{fmt.Sprintf("CPTS : %d, communes membres : %d (liste importée)", len(names), len(rows))}
	if t.old > 0 {
		notes = append(notes, fmt.Sprintf("anciens codes ramenés à la commune actuelle : %d", t.old))
	}
	if t.unknown > 0 {
		notes = append(notes, fmt.Sprintf("codes inconnus du COG 2026, écartés : %d", t.unknown))
	}
	info := snapshot.TableInfo{Name: "cpts", Title: "Périmètres des CPTS (communes couvertes)",
		Publisher: "liste importée (format CSV cpts_nom;code_commune_insee[;statut])", Source: "liste de CPTS fournie par l'utilisateur",
		Vintage: res.Vintage, Licence: "selon la source de la liste", Rows: len(rows), Notes: notes,
		Coverage: fileCoverage(deps, "liste CPTS importée "+res.Vintage, vintageOf(res.Vintage))}
	return []table{{info: info, file: snapshot.CPTSFile, rows: rows}}, []Result{res}, nil
}
