package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// leftPad5 restores the leading zero an integer-typed file dropped
// ("1001" → "01001"), with the one commune-code normaliser.
func leftPad5(code string) string {
	if c, ok := textnorm.CommuneCode(code); ok {
		return c
	}
	return code
}

// buildGPs maps the BPE 2017 GP counts (COG ≈2017) onto current communes.
func (g *gen) buildGPs(dir string) error {
	const rel = "insee-bpe2017-generalistes-maternites/doctor.csv"
	rows, err := g.readCSV(rel, ',', "CODGEO", "NB_D201", "id_noeud", "POPULATION")
	if err != nil {
		return err
	}
	counts := map[string]int{}
	total := 0
	for i, row := range rows {
		n, err := strconv.Atoi(row[1])
		if err != nil {
			return fmt.Errorf("%s:%d:2: %w", rel, i+2, err)
		}
		total += n
		cur, kind, ok := g.cog.current(leftPad5(row[0]))
		if !ok {
			g.unmatched["BPE 2017 GP communes unknown to COG 2026"]++
			g.unmatched["BPE 2017 GPs lost (commune unknown to COG 2026)"] += n
			g.log.Warn("BPE code unknown to COG 2026", "code", row[0], "gps", n)
			continue
		}
		if kind == "old" {
			g.unmatched["BPE 2017 GP communes merged since (mapped to current)"]++
		}
		counts[cur] += n
	}
	if total != 58034 {
		return fmt.Errorf("%s: %d GPs in total, SOURCES.md documents 58,034", rel, total)
	}
	out := make([]snapshot.GPCount, 0, len(counts))
	for code, n := range counts {
		out = append(out, snapshot.GPCount{Code: code, Count: n, Vintage: 2017})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	// BPE 2017 as we hold it: metropolitan France without Paris (absent
	// from the source); an absent commune there is a true zero.
	var cov []snapshot.Coverage
	for _, d := range g.cog.deps {
		if len(d.Code) == 2 && d.Code != "75" {
			cov = append(cov, snapshot.Coverage{Dep: d.Code, Source: "BPE 2017", Vintage: "2017"})
		}
	}
	return g.write(dir, snapshot.GPFile, snapshot.TableInfo{Name: "gp_bpe", Title: "Médecins omnipraticiens par commune (BPE, équipement D201)",
		Publisher: "INSEE, Base permanente des équipements", Source: "insee.fr/fr/statistiques/3568614 via vlarmet/cppRouting (data_readme/doctor.csv)",
		Vintage: "BPE 2017 (état au 1er janvier 2017)", Licence: licenceOuverte, Files: []string{rel},
		Notes: []string{"France métropolitaine hors Paris (absent de la source) ; communes sans médecin non listées (zéro)",
			"codes 2017 ramenés aux communes 2026 (fusions additionnées)"},
		Coverage: cov},
		func(w io.Writer) (int, error) { return snapshot.WriteGPs(w, out) })
}

// buildLiberal keeps the whole Assurance Maladie 2023 table: every category
// of libéral professional by département, with the national totals.
func (g *gen) buildLiberal(dir string) error {
	const rel = "cnam-effectifs-ps-liberaux-departement/cnam_ps_liberaux_departement_2023.csv"
	rows, err := g.readCSV(rel, ';', "feuille", "categorie", "code_departement", "departement", "non_conventionnes", "secteur1", "secteur1_droit_depassement", "secteur2", "total")
	if err != nil {
		return err
	}
	out := make([]snapshot.LiberalCount, 0, len(rows))
	for i, row := range rows {
		n, err := strconv.Atoi(row[8])
		if err != nil {
			return fmt.Errorf("%s:%d:9: %w", rel, i+2, err)
		}
		dep := row[2]
		if dep == "" {
			// National and overseas totals keep their label in Dep's place.
			switch row[3] {
			case "TOTAL France ENTIERE":
				dep = "FR"
			case "TOTAL FRANCE METROPOLITAINE":
				dep = "FRM"
			case "TOTAL OUTRE-MER":
				dep = "DOM"
			default:
				return fmt.Errorf("%s:%d:4: unknown total %q", rel, i+2, row[3])
			}
		}
		out = append(out, snapshot.LiberalCount{Dep: dep, Sheet: row[0], Category: row[1], Total: n, Vintage: 2023})
	}
	return g.write(dir, snapshot.LiberalFile, snapshot.TableInfo{Name: "liberaux", Title: "Professionnels de santé libéraux par département et catégorie",
		Publisher: "Caisse nationale de l'Assurance Maladie (ameli, SNIR/AMOS)", Source: "ameli « secteur conventionnel des professionnels de santé libéraux par département », série annuelle",
		Vintage: "effectifs au 31 décembre 2023", Licence: "données ouvertes ameli (licence non précisée dans la source ; citer l'Assurance Maladie)", Files: []string{rel},
		Notes: []string{"dep = FR (France entière), FRM (métropole), DOM (outre-mer) pour les totaux"}},
		func(w io.Writer) (int, error) { return snapshot.WriteLiberal(w, out) })
}

// buildPopAge keeps the latest year of INSEE's estimates by département and age.
func (g *gen) buildPopAge(dir string) error {
	const rel = "insee-estim-pop-dep-age/estim_pop_dep_sexe_gca_1975_2023.csv"
	rows, err := g.readCSV(rel, ';', "annee", "code_departement", "departement", "sexe", "pop_0_19", "pop_20_39", "pop_40_59", "pop_60_74", "pop_75p", "pop_total")
	if err != nil {
		return err
	}
	var out []snapshot.PopAge
	for i, row := range rows {
		if row[0] != "2023" || row[3] != "ensemble" {
			continue
		}
		var v [6]int
		for k := range v {
			if v[k], err = strconv.Atoi(row[4+k]); err != nil {
				return fmt.Errorf("%s:%d:%d: %w", rel, i+2, 5+k, err)
			}
		}
		if v[0]+v[1]+v[2]+v[3]+v[4] != v[5] {
			return fmt.Errorf("%s:%d: age bands do not add up to the total", rel, i+2)
		}
		out = append(out, snapshot.PopAge{Dep: row[1], Year: 2023, Age0to19: v[0], Age20to39: v[1], Age40to59: v[2], Age60to74: v[3], Age75Plus: v[4], Total: v[5]})
	}
	if len(out) != 101 {
		return fmt.Errorf("%s: %d départements in 2023, want 101", rel, len(out))
	}
	return g.write(dir, snapshot.PopAgeFile, snapshot.TableInfo{Name: "popage", Title: "Population par département et grande classe d'âge",
		Publisher: "INSEE, estimations de population", Source: "estim-pop-dep-sexe-gca-1975-2023 (mise à jour du 5 janvier 2023)",
		Vintage: "1er janvier 2023 (provisoire)", Licence: licenceOuverte, Files: []string{rel}},
		func(w io.Writer) (int, error) { return snapshot.WritePopAge(w, out) })
}
