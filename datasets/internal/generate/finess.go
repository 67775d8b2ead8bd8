package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/diagsante/diagsante/datasets/finess"
	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// keptCategories are the FINESS categories that describe access to care,
// shared with `datasets import`.
var keptCategories = importer.KeptCategories

// occitanie lists the départements of the 2026 regional extraction, which
// replaces the 2021 national file there.
var occitanie = map[string]bool{"09": true, "11": true, "12": true, "30": true, "31": true, "32": true, "34": true,
	"46": true, "48": true, "65": true, "66": true, "81": true, "82": true}

func (g *gen) buildEstablishments(dir string) error {
	emerg, mat, err := g.readSAE()
	if err != nil {
		return err
	}
	inSAE := map[string]bool{}
	for _, e := range emerg {
		inSAE[e.Finess] = true
	}
	for _, m := range mat {
		inSAE[m.Finess] = true
	}
	byFiness := map[string]snapshot.Establishment{}

	// Occitanie 2026 first: it gives the commune code.
	const occRel = "finess-occitanie/etablissements_occitanie.csv"
	b, err := g.read(occRel)
	if err != nil {
		return err
	}
	occ := 0
	if err := finess.ReadOccitanie(bytes.NewReader(b), occRel, func(e finess.Establishment) error {
		occ++
		if !keptCategories[e.Category] && !inSAE[e.Finess] {
			return nil
		}
		x := convert(e, "finess-occitanie-2026")
		if cur, kind, ok := g.cog.current(e.Commune); ok {
			x.Commune, x.Placement = cur, "insee"
			if kind == "old" {
				g.unmatched["FINESS Occitanie: old commune codes mapped to current"]++
			}
		} else {
			g.unmatched["FINESS Occitanie: commune code unknown, placed by point"]++
			g.place(&x)
		}
		byFiness[x.Finess] = x
		return nil
	}); err != nil {
		return err
	}
	if occ != 10007 {
		return fmt.Errorf("%s: %d establishments, SOURCES.md documents 10,007", occRel, occ)
	}

	const flatRel = "finess-fhir-2021/finess_etablissements_20210108_flat.csv.gz"
	gz, err := g.read(flatRel)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("%s: %w", flatRel, err)
	}
	flat := 0
	if err := finess.ReadFlat(zr, flatRel, func(e finess.Establishment) error {
		flat++
		if !keptCategories[e.Category] && !inSAE[e.Finess] {
			return nil
		}
		if _, done := byFiness[e.Finess]; done {
			return nil
		}
		if occitanie[e.Finess[:2]] && !inSAE[e.Finess] {
			// Closed or renumbered by 2026: the newer extraction is the truth.
			g.unmatched["FINESS 2021 rows of Occitanie superseded by the 2026 file"]++
			return nil
		}
		x := convert(e, "finess-2021")
		g.place(&x)
		byFiness[x.Finess] = x
		return nil
	}); err != nil {
		return err
	}
	if flat != 95333 {
		return fmt.Errorf("%s: %d establishments, SOURCES.md documents 95,333", flatRel, flat)
	}

	out := make([]snapshot.Establishment, 0, len(byFiness))
	for _, x := range byFiness {
		g.unmatched["FINESS placed: "+placementLabel(x.Placement)]++
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Finess < out[j].Finess })
	for _, e := range emerg {
		if _, ok := byFiness[e.Finess]; !ok {
			g.unmatched["SAE emergency departments without FINESS establishment"]++
		}
	}
	for _, m := range mat {
		if _, ok := byFiness[m.Finess]; !ok {
			g.unmatched["SAE maternities without FINESS establishment"]++
		}
	}
	if err := g.write(dir, snapshot.EstablishmentsFile, snapshot.TableInfo{Name: "establishments", Title: "Établissements de l'offre de soins (FINESS) avec leur commune",
		Publisher: "Ministère de la santé / DREES, FINESS (extraction data.gouv.fr)",
		Source:    "etalab-cs1100507-stock-20210108-0427 via flrt/finess-fhir (France entière) ; extraction Occitanie ~03/2026 via stluria/sante-territoire-rncp",
		Vintage:   "FINESS 8 janvier 2021 ; Occitanie mars 2026", Licence: licenceOuverte, Files: []string{flatRel, occRel},
		Notes: []string{
			"catégories retenues : 101 355 106 127 124 439 130 603 604 606 617 618 648 620 611 500 141 156 223, plus les sites SAE d'urgences et de maternité",
			"commune : code INSEE de la source (Occitanie), sinon point dans le contour communal, sinon code postal + libellé",
			"outre-mer 2021 : coordonnées absentes de la source (projection erronée), placement par code postal",
			"hôpitaux de proximité : marqueur du nom long, absent de l'extraction 2021",
		}},
		func(w io.Writer) (int, error) { return snapshot.WriteEstablishments(w, out) }); err != nil {
		return err
	}
	sae := "DREES, Statistique annuelle des établissements de santé (SAE), bases statistiques 2013–2020 via cyrilvincent/skema"
	if err := g.write(dir, snapshot.EmergencyFile, snapshot.TableInfo{Name: "urgences", Title: "Structures des urgences autorisées et passages",
		Publisher: "DREES (SAE)", Source: sae, Vintage: "SAE 2020", Licence: licenceOuverte,
		Files: []string{"drees-sae-2020-urgences-perinat/sae_urgences_2020.csv", "drees-sae-2020-urgences-perinat/sae_urgences2_2020.csv"}},
		func(w io.Writer) (int, error) { return snapshot.WriteEmergency(w, emerg) }); err != nil {
		return err
	}
	return g.write(dir, snapshot.MaternityFile, snapshot.TableInfo{Name: "maternites", Title: "Maternités (type I, II, III) et accouchements",
		Publisher: "DREES (SAE)", Source: sae, Vintage: "SAE 2020", Licence: licenceOuverte,
		Files: []string{"drees-sae-2020-urgences-perinat/sae_perinat_2020.csv"},
		Notes: []string{"accouchements = ACCUN + ACCMU (uniques + multiples)"}},
		func(w io.Writer) (int, error) { return snapshot.WriteMaternities(w, mat) })
}

func placementLabel(p string) string {
	if p == "" {
		return "not placed"
	}
	return p
}

func convert(e finess.Establishment, source string) snapshot.Establishment {
	return importer.Establishment(e, source)
}

// place finds the current commune of an establishment without INSEE code:
// the commune contour holding its point, else its postcode and city name.
func (g *gen) place(x *snapshot.Establishment) {
	if x.HasPoint {
		if code := g.contours.locate(x.Lat, x.Lon); code != "" {
			x.Commune, x.Placement = code, "polygon"
			return
		}
	}
	city := textnorm.FoldPlace(strings.TrimSpace(cedex.ReplaceAllString(x.City, "")))
	candidates := map[string]bool{}
	for _, p := range g.postalIndex[x.Postcode] {
		if cur, _, ok := g.cog.current(p.Code); ok {
			candidates[cur] = true
			if p.Name == city {
				x.Commune, x.Placement = cur, "postcode"
				return
			}
		}
	}
	for _, code := range g.cog.postcode[x.Postcode] {
		candidates[code] = true
		if textnorm.FoldPlace(g.cog.communes[code].Name) == city {
			x.Commune, x.Placement = code, "postcode"
			return
		}
	}
	if len(candidates) == 1 {
		for code := range candidates {
			x.Commune, x.Placement = code, "postcode-unique"
		}
	}
}

// readSAE reads the 2020 emergency departments and maternities.
func (g *gen) readSAE() ([]snapshot.EmergencyDept, []snapshot.Maternity, error) {
	const base = "drees-sae-2020-urgences-perinat/"
	u, err := g.readCSVLoose(base+"sae_urgences_2020.csv", "BOR", "AN", "nofinesset", "nofinessej", "AUTSU", "AUTGEN", "AUTSAIS", "AUTPED", "EMG")
	if err != nil {
		return nil, nil, err
	}
	u2, err := g.readCSVLoose(base+"sae_urgences2_2020.csv", "BOR", "AN", "nofinesset", "nofinessej", "URG", "HMED", "HIDE", "SAO", "ACC", "PASSU")
	if err != nil {
		return nil, nil, err
	}
	p, err := g.readCSVLoose(base+"sae_perinat_2020.csv", "BOR", "AN", "nofinesset", "nofinessej", "AUTOR")
	if err != nil {
		return nil, nil, err
	}
	passages := map[string]int{}
	for _, r := range u2 {
		if r["AN"] == "2020" {
			passages[r["nofinesset"]] += atoi(r["PASSU"])
		}
	}
	var emerg []snapshot.EmergencyDept
	for _, r := range u {
		if r["AN"] != "2020" || r["AUTSU"] != "1" {
			continue
		}
		emerg = append(emerg, snapshot.EmergencyDept{Finess: r["nofinesset"], Year: 2020, General: r["AUTGEN"] == "1", Pediatric: r["AUTPED"] == "1", Passages: passages[r["nofinesset"]]})
	}
	var mat []snapshot.Maternity
	for _, r := range p {
		if r["AN"] != "2020" || !strings.HasPrefix(r["AUTOR"], "TYPE") {
			continue
		}
		mat = append(mat, snapshot.Maternity{Finess: r["nofinesset"], Year: 2020, Type: r["AUTOR"], Births: atoi(r["ACCUN"]) + atoi(r["ACCMU"])})
	}
	sort.Slice(emerg, func(i, j int) bool { return emerg[i].Finess < emerg[j].Finess })
	sort.Slice(mat, func(i, j int) bool { return mat[i].Finess < mat[j].Finess })
	if len(emerg) != 622 || len(mat) != 481 {
		return nil, nil, fmt.Errorf("%s: %d emergency departments and %d maternities in 2020, SOURCES.md documents 622 and 481", base, len(emerg), len(mat))
	}
	return emerg, mat, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// readCSVLoose reads a `;` file whose header starts with the given columns
// (SAE files have many more) and returns rows as maps.
func (g *gen) readCSVLoose(rel string, prefix ...string) ([]map[string]string, error) {
	b, err := g.read(rel)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	header := strings.Split(lines[0], ";")
	if len(header) < len(prefix) {
		return nil, fmt.Errorf("%s: header changed: %s", rel, lines[0])
	}
	if err := checkHeader(rel, header[:len(prefix)], prefix...); err != nil {
		return nil, err
	}
	out := make([]map[string]string, 0, len(lines)-1)
	for i, l := range lines[1:] {
		f := strings.Split(l, ";")
		if len(f) < len(prefix) {
			return nil, fmt.Errorf("%s:%d: %d fields, want at least %d", rel, i+2, len(f), len(prefix))
		}
		m := make(map[string]string, len(header))
		for k, h := range header {
			if k < len(f) {
				m[h] = f[k]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

var _ io.Reader
