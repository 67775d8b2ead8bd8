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
	"github.com/diagsante/diagsante/datasets/place"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
)

// occitanie lists the départements of the 2026 regional extraction, which
// replaces the 2021 national file there.
var occitanie = map[string]bool{"09": true, "11": true, "12": true, "30": true, "31": true, "32": true, "34": true,
	"46": true, "48": true, "65": true, "66": true, "81": true, "82": true}

// idfDeps are the départements of Île-de-France, where the ARS list gives
// the hôpitaux de proximité labelled on 1 January 2022.
var idfDeps = []string{"75", "77", "78", "91", "92", "93", "94", "95"}

// Sources of the hôpital de proximité label, as shown in reports.
const (
	proximityOccitanie = "FINESS Occitanie 2026 (mention dans la raison sociale)"
	proximityIDF       = "ARS Île-de-France, label au 1er janvier 2022"
)

// Coverage labels of the establishments table.
const (
	finess2021Label  = "FINESS 2021-01-08"
	finess2021Date   = "2021-01-08"
	occitanieLabel   = "FINESS Occitanie 2026"
	occitanieVintage = "2026-03"
)

func (g *gen) placer() *place.Placer {
	postal := map[string][]place.Postal{}
	for pc, l := range g.postalIndex {
		for _, p := range l {
			postal[pc] = append(postal[pc], place.Postal{Code: p.Code, Name: p.Name})
		}
	}
	communes := make([]snapshot.Commune, 0, len(g.cog.codes))
	for _, code := range g.cog.codes {
		communes = append(communes, *g.cog.communes[code])
	}
	var locate func(lat, lon float64) string
	if g.contours != nil {
		locate = g.contours.locate
	}
	return place.New(place.Source{Communes: communes, Arrondissements: g.cog.arr, Current: g.cog.current,
		Locate: locate, Postal: postal, CogPostcode: g.cog.postcode})
}

// writePostcodes writes the postcode table that datasets/place reads, so
// that `datasets import` places establishments by postcode as the
// generator does.
func (g *gen) writePostcodes(dir string) error {
	seen := map[snapshot.Postcode]bool{}
	var out []snapshot.Postcode
	for pc, l := range g.postalIndex {
		for _, p := range l {
			x := snapshot.Postcode{Postcode: pc, Code: p.Code, Name: p.Name, Source: "laposte"}
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	for pc, l := range g.cog.postcode {
		for _, code := range l {
			out = append(out, snapshot.Postcode{Postcode: pc, Code: code, Source: "cog"})
		}
	}
	// La Poste rows keep their file order within a postcode (the placement
	// takes the first match); sort stably on postcode and source only.
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Postcode != out[j].Postcode {
			return out[i].Postcode < out[j].Postcode
		}
		return out[i].Source > out[j].Source
	})
	return g.write(dir, snapshot.PostcodesFile, snapshot.TableInfo{Name: "postcodes", Title: "Codes postaux et communes (placement des établissements)",
		Publisher: "La Poste ; INSEE (COG)", Source: "base officielle des codes postaux (hexasmal, ≈2020) ; codes postaux du COG 2026 (@etalab/decoupage-administratif)",
		Vintage: "≈2020 ; COG 2026", Licence: licenceOuverte, Files: []string{"laposte-hexasmal/laposte_hexasmal.csv", "cog-decoupage-administratif-2026/communes.json.gz"},
		Notes: []string{"noms pliés (minuscules, sans accents, ST → saint) ; lignes « cog » : communes du COG de ce code postal (nom de la table communes)"}},
		func(w io.Writer) (int, error) { return snapshot.WritePostcodes(w, out) })
}

func (g *gen) buildEstablishments(dir string) error {
	if err := g.writePostcodes(dir); err != nil {
		return err
	}
	emerg, mat, err := g.readSAE()
	if err != nil {
		return err
	}
	idf, err := g.readProximityIDF()
	if err != nil {
		return err
	}
	if err := g.buildSAS(dir); err != nil {
		return err
	}
	inSAE := importer.SAESites(emerg, mat)
	keep := func(e finess.Establishment) bool {
		return taxonomy.Keep(e.Category, e.ProximityHospital) || inSAE[e.Finess] || idf[e.Finess]
	}
	pl := g.placer()
	byFiness := map[string]snapshot.Establishment{}

	// Occitanie 2026 first: it gives the commune code.
	const occRel = "finess-occitanie/etablissements_occitanie.csv"
	b, err := g.read(occRel)
	if err != nil {
		return err
	}
	occ, occProx := 0, 0
	if err := finess.ReadOccitanie(bytes.NewReader(b), occRel, func(e finess.Establishment) error {
		occ++
		if e.ProximityHospital {
			occProx++
		}
		if !keep(e) {
			return nil
		}
		x := convert(e, "finess-occitanie-2026")
		if x.ProximityHospital {
			x.ProximitySource = proximityOccitanie
		}
		if _, kind, ok := g.cog.current(e.Commune); !ok {
			g.unmatched["FINESS Occitanie: commune code unknown, placed by point"]++
		} else if kind == "old" {
			g.unmatched["FINESS Occitanie: old commune codes mapped to current"]++
		}
		pl.Place(&x, e.Commune)
		byFiness[x.Finess] = x
		return nil
	}); err != nil {
		return err
	}
	if occ != 10007 {
		return fmt.Errorf("%s: %d establishments, SOURCES.md documents 10,007", occRel, occ)
	}
	if occProx != 34 {
		return fmt.Errorf("%s: %d hôpitaux de proximité marked in the long name, DATA.md documents 34", occRel, occProx)
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
		if !keep(e) {
			return nil
		}
		if _, done := byFiness[e.Finess]; done {
			return nil
		}
		if occitanie[e.Finess[:2]] && !importer.KeptOverNewer(e.Finess, inSAE) {
			// Closed or renumbered by 2026: the newer extraction is the truth.
			g.unmatched["FINESS 2021 rows of Occitanie superseded by the 2026 file"]++
			return nil
		}
		x := convert(e, "finess-2021")
		pl.Place(&x, "")
		byFiness[x.Finess] = x
		return nil
	}); err != nil {
		return err
	}
	if flat != 95333 {
		return fmt.Errorf("%s: %d establishments, SOURCES.md documents 95,333", flatRel, flat)
	}
	for f := range idf {
		x, ok := byFiness[f]
		if !ok {
			return fmt.Errorf("ARS Île-de-France hôpital de proximité %s not in FINESS 2021", f)
		}
		x.ProximityHospital, x.ProximitySource = true, proximityIDF
		byFiness[f] = x
	}

	out := make([]snapshot.Establishment, 0, len(byFiness))
	// Said even when zero: how many establishments stand in no commune.
	g.unmatched["FINESS placed: not placed"] += 0
	for _, x := range byFiness {
		g.unmatched["FINESS placed: "+placementLabel(x.Placement)]++
		if x.Arrondissement != "" {
			g.unmatched["FINESS placed in an arrondissement of Paris, Lyon, Marseille"]++
		}
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
	depOf := func(x snapshot.Establishment) string {
		if c := g.cog.communes[x.Commune]; c != nil {
			return c.Dep
		}
		return ""
	}
	estCov := map[string]snapshot.Coverage{}
	for _, x := range out {
		d := depOf(x)
		if d == "" {
			continue
		}
		if occitanie[d] {
			estCov[d] = snapshot.Coverage{Dep: d, Source: occitanieLabel, Vintage: occitanieVintage}
		} else {
			estCov[d] = snapshot.Coverage{Dep: d, Source: finess2021Label, Vintage: finess2021Date}
		}
	}
	if err := g.write(dir, snapshot.EstablishmentsFile, snapshot.TableInfo{Name: "establishments", Title: "Établissements de l'offre de soins (FINESS) avec leur commune",
		Publisher: "Ministère de la santé / DREES, FINESS (extraction data.gouv.fr)",
		Source:    "etalab-cs1100507-stock-20210108-0427 via flrt/finess-fhir (France entière) ; extraction Occitanie ~03/2026 via stluria/sante-territoire-rncp",
		Vintage:   "FINESS 8 janvier 2021 ; Occitanie mars 2026", Licence: licenceOuverte, Files: []string{flatRel, occRel, idfProximityRel},
		Notes: []string{
			taxonomy.KeptCategoriesText(),
			"commune : code INSEE de la source (Occitanie), sinon point dans le contour communal, sinon code postal + libellé, sinon libellé parmi les communes du département donné par le numéro FINESS (outre-mer, CEDEX)",
			"Paris, Lyon, Marseille : arrondissement municipal d'après le code postal, sinon (CEDEX) l'arrondissement dont le point est le plus proche",
			"outre-mer 2021 : coordonnées absentes de la source (projection erronée), placement par code postal ou libellé",
			"Mayotte : aucun établissement dans l'extraction 2021 (non couverte)",
			"hôpitaux de proximité : mention du nom long (Occitanie 2026, toute catégorie), liste ARS Île-de-France au 1er janvier 2022 ; inconnus ailleurs",
		},
		Coverage: sortedCoverage(estCov)},
		func(w io.Writer) (int, error) { return snapshot.WriteEstablishments(w, out) }); err != nil {
		return err
	}
	saeCov := func(fin []string) []snapshot.Coverage {
		m := map[string]snapshot.Coverage{}
		for _, f := range fin {
			// A SAE site absent from FINESS 2021 (the CH de Mayotte,
			// 980500011) has no commune: its département is not covered.
			x, ok := byFiness[f]
			if d := depOf(x); ok && d != "" {
				m[d] = snapshot.Coverage{Dep: d, Source: "SAE 2020", Vintage: "2020"}
			}
		}
		return sortedCoverage(m)
	}
	var ef, mf []string
	for _, e := range emerg {
		ef = append(ef, e.Finess)
	}
	for _, m := range mat {
		mf = append(mf, m.Finess)
	}
	sae := "DREES, Statistique annuelle des établissements de santé (SAE), bases statistiques 2013–2020 via cyrilvincent/skema"
	if err := g.write(dir, snapshot.EmergencyFile, snapshot.TableInfo{Name: "urgences", Title: "Structures des urgences autorisées et passages",
		Publisher: "DREES (SAE)", Source: sae, Vintage: "SAE 2020", Licence: licenceOuverte,
		Files:    []string{"drees-sae-2020-urgences-perinat/sae_urgences_2020.csv", "drees-sae-2020-urgences-perinat/sae_urgences2_2020.csv"},
		Coverage: saeCov(ef)},
		func(w io.Writer) (int, error) { return snapshot.WriteEmergency(w, emerg) }); err != nil {
		return err
	}
	if err := g.write(dir, snapshot.MaternityFile, snapshot.TableInfo{Name: "maternites", Title: "Maternités (type I, II, III) et accouchements",
		Publisher: "DREES (SAE)", Source: sae, Vintage: "SAE 2020", Licence: licenceOuverte,
		Files:    []string{"drees-sae-2020-urgences-perinat/sae_perinat_2020.csv"},
		Notes:    []string{"accouchements = ACCUN + ACCMU (uniques + multiples)", noMaternityNote},
		Coverage: saeCov(mf)},
		func(w io.Writer) (int, error) { return snapshot.WriteMaternities(w, mat) }); err != nil {
		return err
	}
	g.coverageEntries(out)
	return nil
}

// coverageEntries records the manifest entries that describe where a figure
// is known without a file of their own: hôpitaux de proximité and soins non
// programmés.
func (g *gen) coverageEntries(out []snapshot.Establishment) {
	var occDeps []string
	for d := range occitanie {
		occDeps = append(occDeps, d)
	}
	sort.Strings(occDeps)
	var prox []snapshot.Coverage
	for _, d := range occDeps {
		prox = append(prox, snapshot.Coverage{Dep: d, Source: occitanieLabel + " (mention « HOP PROXIMITE » du nom long)", Vintage: occitanieVintage})
	}
	for _, d := range idfDeps {
		prox = append(prox, snapshot.Coverage{Dep: d, Source: proximityIDF, Vintage: "2022-01-01"})
	}
	sort.Slice(prox, func(i, j int) bool { return prox[i].Dep < prox[j].Dep })
	nProx := 0
	snpCats := map[string]bool{}
	for _, c := range taxonomy.CategoriesOf(taxonomy.SNP) {
		snpCats[c] = true
	}
	nSNP := map[string]int{}
	for _, x := range out {
		if x.ProximityHospital {
			nProx++
		}
		if snpCats[x.Category] {
			nSNP[x.Source]++
		}
	}
	g.tables = append(g.tables, snapshot.TableInfo{Name: taxonomy.CoverageProximity, Title: "Hôpitaux de proximité labellisés : où ils sont connus",
		Publisher: "FINESS (Occitanie 2026) ; ARS Île-de-France", Source: "mention du nom long FINESS ; liste ARS Île-de-France des hôpitaux de proximité labellisés au 1er janvier 2022",
		Vintage: "Occitanie mars 2026 ; Île-de-France 1er janvier 2022", Licence: licenceOuverte,
		Files: []string{"finess-occitanie/etablissements_occitanie.csv", idfProximityRel}, Rows: nProx, Origin: "embedded",
		Notes: []string{"entrée de couverture sans fichier : les établissements portent le label (colonnes proximity_hospital, proximity_source de establishments)",
			"ailleurs, l'extraction FINESS 2021 est antérieure au label (2022) : nombre inconnu, pas zéro"},
		Coverage: prox})
	var snp []snapshot.Coverage
	if nSNP["finess-2021"] == 0 {
		// The 2021 extraction names none of these categories (created
		// later): only the Occitanie 2026 extraction describes them.
		for _, d := range occDeps {
			snp = append(snp, snapshot.Coverage{Dep: d, Source: occitanieLabel, Vintage: occitanieVintage})
		}
	}
	g.tables = append(g.tables, snapshot.TableInfo{Name: taxonomy.CoverageSNP, Title: "Soins non programmés et SAS (FINESS 617, 618, 648) : où ils sont connus",
		Publisher: "FINESS", Source: "extraction Occitanie ~03/2026", Vintage: "Occitanie mars 2026", Licence: licenceOuverte,
		Files: []string{"finess-occitanie/etablissements_occitanie.csv"}, Rows: nSNP["finess-occitanie-2026"], Origin: "embedded",
		Notes: []string{"entrée de couverture sans fichier : les structures sont dans establishments",
			fmt.Sprintf("l'extraction nationale du 8 janvier 2021 ne contient aucune structure de catégorie 617, 618 ou 648 (%d) : inconnu hors Occitanie", nSNP["finess-2021"])},
		Coverage: snp})
}

func sortedCoverage(m map[string]snapshot.Coverage) []snapshot.Coverage {
	out := make([]snapshot.Coverage, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dep < out[j].Dep })
	return out
}

const (
	idfProximityRel = "ars-idf-segur-2022/hopitaux_proximite_idf_2022-01-01.csv"
	idfSASRel       = "ars-idf-segur-2022/sas_idf_2021-12.csv"
)

// readProximityIDF reads the ARS Île-de-France list of the hôpitaux de
// proximité labelled on 1 January 2022 (FINESS numbers matched by name in
// the raw folder).
func (g *gen) readProximityIDF() (map[string]bool, error) {
	rows, err := g.readCSV(idfProximityRel, ';', "nom_ars", "departement", "statut_ars", "date_labellisation", "finess_et", "raison_sociale_finess_2021", "categetab_finess_2021")
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i, r := range rows {
		if r[3] != "2022-01-01" || len(r[4]) != 9 || place.DepOfFiness(r[4]) != r[1] {
			return nil, fmt.Errorf("%s:%d: unexpected row %v", idfProximityRel, i+2, r)
		}
		out[r[4]] = true
	}
	if len(out) != 8 {
		return nil, fmt.Errorf("%s: %d hôpitaux de proximité, the ARS lists 8", idfProximityRel, len(out))
	}
	return out, nil
}

// buildSAS writes the SAS status per département of Île-de-France at the
// end of 2021.
func (g *gen) buildSAS(dir string) error {
	rows, err := g.readCSV(idfSASRel, ';', "departement", "dispositif", "statut_fin_2021", "precision")
	if err != nil {
		return err
	}
	var out []snapshot.SAS
	for _, r := range rows {
		out = append(out, snapshot.SAS{Dep: r[0], Dispositif: r[1], Status: r[2], Precision: r[3], Date: "2021-12"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dep < out[j].Dep })
	if len(out) != 8 {
		return fmt.Errorf("%s: %d départements, want the 8 of Île-de-France", idfSASRel, len(out))
	}
	cov := make([]snapshot.Coverage, 0, len(out))
	for _, x := range out {
		cov = append(cov, snapshot.Coverage{Dep: x.Dep, Source: "ARS Île-de-France 2021-12", Vintage: "2021-12"})
	}
	return g.write(dir, snapshot.SASFile, snapshot.TableInfo{Name: "sas", Title: "Service d'accès aux soins (SAS) : état par département",
		Publisher: "ARS Île-de-France", Source: "ARS Île-de-France, « Les mesures Ségur Santé pour développer une offre de soins de proximité » (début 2022)",
		Vintage: "fin 2021", Licence: "faits publics d'une publication de l'ARS (aucun texte repris)", Files: []string{idfSASRel},
		Notes: []string{"Île-de-France seulement ; la généralisation du SAS à tous les départements était prévue en 2022"}, Coverage: cov},
		func(w io.Writer) (int, error) { return snapshot.WriteSAS(w, out) })
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
	// Passages of the sites that report them: a site with no URGENCES2 row
	// or an empty PASSU has unknown passages, not 0 (CH de Chaumont
	// 520000027, Clinique de la Miséricorde in Caen 140002452).
	passages := map[string]*int{}
	for _, r := range u2 {
		if r["AN"] == "2020" && r["PASSU"] != "" {
			f := r["nofinesset"]
			if passages[f] == nil {
				passages[f] = new(int)
			}
			*passages[f] += atoi(r["PASSU"])
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
	authorised := 0
	for _, r := range p {
		if r["AN"] != "2020" || !strings.HasPrefix(r["AUTOR"], "TYPE") {
			continue
		}
		authorised++
		births := atoi(r["ACCUN"]) + atoi(r["ACCMU"])
		if births == 0 {
			// An authorised site without a birth in the year is not a
			// maternity people give birth in: GHPSO Creil (600000467,
			// closed: 1,290 births in 2018, 80 in 2019, 0 in 2020) and the
			// neonatology unit of the CH de Tulle (190013219, whose
			// maternity is 190000018). Left out, so that neither is
			// anyone's nearest maternity (noMaternityNote).
			continue
		}
		mat = append(mat, snapshot.Maternity{Finess: r["nofinesset"], Year: 2020, Type: r["AUTOR"], Births: births})
	}
	sort.Slice(emerg, func(i, j int) bool { return emerg[i].Finess < emerg[j].Finess })
	sort.Slice(mat, func(i, j int) bool { return mat[i].Finess < mat[j].Finess })
	if len(emerg) != 622 || authorised != 481 || len(mat) != 479 {
		return nil, nil, fmt.Errorf("%s: %d emergency departments, %d authorised maternities of which %d with births in 2020; SOURCES.md documents 622 and 481 (2 without births)", base, len(emerg), authorised, len(mat))
	}
	return emerg, mat, nil
}

// noMaternityNote says which authorised maternity sites the table leaves
// out.
const noMaternityNote = "2 sites autorisés sans accouchement en 2020 laissés de côté : GHPSO Creil (600000467, maternité fermée : 1 290 accouchements en 2018, 80 en 2019, 0 en 2020) et l'unité de néonatologie du CH de Tulle (190013219 ; la maternité de Tulle est 190000018)"

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
