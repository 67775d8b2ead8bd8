package importer

import (
	"fmt"
	"strconv"

	"github.com/diagsante/diagsante/datasets/insee"
)

// ages reads and validates an INSEE age-structure file
// (base-cc-evol-struct-pop): every row must parse and its age bands must
// add up to its total. No snapshot table stores ages per commune yet (the
// reports use the département table popage), so nothing is written: the
// result says so.
func (im *Importer) ages(path string) ([]table, []Result, error) {
	src, err := im.open(path, "ages")
	if err != nil {
		return nil, nil, err
	}
	res := Result{}
	var t tally
	year := 0
	communes := map[string]bool{}
	err = insee.ReadAgeStructure(src.r, path, func(a insee.AgeRecord) error {
		if err := src.tick(); err != nil {
			return err
		}
		res.Read++
		year = a.Year
		if communes[a.Commune] {
			return nil // IRIS rows of a commune already counted
		}
		communes[a.Commune] = true
		_, kind, ok := im.codes.Current(a.Commune)
		t.add(a.Commune, kind, ok)
		return nil
	})
	src.close(err == nil)
	if err != nil {
		return nil, nil, err
	}
	res.Unmatched = t.unknown
	if year > 0 {
		if err := im.checkLabelDate(path, 0, 0, "census year", strconv.Itoa(year)); err != nil {
			return nil, nil, err
		}
		res.Vintage = fmt.Sprintf("recensement %d", year)
	}
	res.Notes = append(res.Notes,
		fmt.Sprintf("%s, %s: read and validated, NOT stored — no table holds ages by commune yet (reports use the département table popage)",
			plural(res.Read, "row", "rows"), plural(len(communes), "commune", "communes")))
	if t.old+t.unknown > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s of communes merged since, %s unknown to COG 2026", plural(t.old, "code", "codes"), plural(t.unknown, "code", "codes")))
	}
	return nil, []Result{res}, nil
}
