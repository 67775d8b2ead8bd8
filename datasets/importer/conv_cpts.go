package importer

import (
	"fmt"
	"io"

	"github.com/diagsante/diagsante/datasets/cpts"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// cpts converts a CPTS list (our simple format or the ARS PACA file). It
// replaces the whole CPTS table: a list of one région's CPTS drops the
// embedded PACA perimeters, so users who want both keep the PACA rows in
// their file.
func (im *Importer) cpts(path string) ([]table, []Result, error) {
	src, err := im.open(path, "cpts")
	if err != nil {
		return nil, nil, err
	}
	var rows []snapshot.CPTSMember
	var t tally
	names := map[string]bool{}
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
	if res.Vintage == "" {
		res.Vintage = "liste du " + modDate(path)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("%s, %s; %s mapped to today's commune, %s mapped to their commune",
		plural(len(names), "CPTS", "CPTS"), plural(len(rows), "member commune", "member communes"),
		plural(t.old, "old code", "old codes"), plural(t.arr, "arrondissement", "arrondissements")))
	if t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s unknown to COG 2026 (dropped): %s", plural(t.unknown, "commune code", "commune codes"), t.examples(10)))
	}
	res.Notes = append(res.Notes, "the list replaces the embedded CPTS table (PACA): keep the PACA rows in your file to keep them")
	notes := []string{fmt.Sprintf("CPTS : %d, communes membres : %d ; la liste remplace celle de l'instantané intégré (ARS PACA)", len(names), len(rows))}
	if t.old > 0 {
		notes = append(notes, fmt.Sprintf("anciens codes ramenés à la commune actuelle : %d", t.old))
	}
	if t.unknown > 0 {
		notes = append(notes, fmt.Sprintf("codes inconnus du COG 2026, écartés : %d", t.unknown))
	}
	info := snapshot.TableInfo{Name: "cpts", Title: "Périmètres des CPTS (communes couvertes)",
		Publisher: "liste importée (format CSV cpts_nom;code_commune_insee[;statut])", Source: "liste de CPTS fournie par l'utilisateur",
		Vintage: res.Vintage, Licence: "selon la source de la liste", Rows: len(rows), Notes: notes}
	return []table{{info: info, file: snapshot.CPTSFile, write: func(w io.Writer) (int, error) { return snapshot.WriteCPTS(w, rows) }}}, []Result{res}, nil
}
