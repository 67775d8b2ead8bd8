package rpps

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
)

// nationalHeader is the 56-column header of recent activity extractions.
var nationalHeader = []string{
	"Type d'identifiant PP", "Identifiant PP", "Identification nationale PP", "Code civilité d'exercice",
	"Libellé civilité d'exercice", "Code civilité", "Libellé civilité", "Nom d'exercice", "Prénom d'exercice",
	"Code profession", "Libellé profession", "Code catégorie professionnelle", "Libellé catégorie professionnelle",
	"Code type savoir-faire", "Libellé type savoir-faire", "Code savoir-faire", "Libellé savoir-faire",
	"Code mode exercice", "Libellé mode exercice", "Numéro SIRET site", "Numéro SIREN site", "Numéro FINESS site",
	"Numéro FINESS établissement juridique", "Identifiant technique de la structure", "Raison sociale site",
	"Enseigne commerciale site", "Complément destinataire (coord. structure)",
	"Complément point géographique (coord. structure)", "Numéro Voie (coord. structure)",
	"Indice répétition voie (coord. structure)", "Code type de voie (coord. structure)",
	"Libellé type de voie (coord. structure)", "Libellé Voie (coord. structure)",
	"Mention distribution (coord. structure)", "Bureau cedex (coord. structure)", "Code postal (coord. structure)",
	"Code commune (coord. structure)", "Libellé commune (coord. structure)", "Code pays (coord. structure)",
	"Libellé pays (coord. structure)", "Téléphone (coord. structure)", "Téléphone 2 (coord. structure)",
	"Télécopie (coord. structure)", "Adresse e-mail (coord. structure)", "Code Département (structure)",
	"Libellé Département (structure)", "Ancien identifiant de la structure", "Autorité d'enregistrement",
	"Code secteur d'activité", "Libellé secteur d'activité", "Code section tableau pharmaciens",
	"Libellé section tableau pharmaciens", "Code rôle", "Libellé rôle", "Code genre activité", "Libellé genre activité",
}

var sfHeader = []string{
	"Type d'identifiant PP", "Identifiant PP", "Identification nationale PP", "Nom d'exercice", "Prénom d'exercice",
	"Code profession", "Libellé profession", "Code catégorie professionnelle", "Libellé catégorie professionnelle",
	"Code type savoir-faire", "Libellé type savoir-faire", "Code savoir-faire", "Libellé savoir-faire",
}

// genOptions shapes a synthetic extraction.
type genOptions struct {
	Lines int    // at least this many data lines
	Seed  uint64 // for reproducibility
	// NoSF drops the four savoir-faire columns from the activity file (52
	// columns, as in the newest extractions) and writes them to Companion.
	NoSF      bool
	Companion io.Writer
	BOM, CRLF bool
}

// genResult is what the generator knows the readers must find.
type genResult struct {
	Lines    int
	Bytes    int64
	Persons  int
	Expected map[Key]*Count
	// GPsByDep counts, per département, the distinct GPs with at least
	// one site the APL counts there (libéral, or salaried in a centre de
	// santé); a GP with two such sites in a département counts once.
	GPsByDep map[string]int
	// Cases counted while generating, so tests know each rule was met:
	// GPs with two counted sites in one département, GPs salaried in a
	// centre de santé, hospital-salaried GPs (never counted), lines at an
	// arrondissement municipal of Paris.
	MultiSiteGPs, CentreGPs, HospitalGPs, ArrondissementLines int
}

var professions = []struct {
	code, label string
	weight      int
}{
	{"10", "Médecin", 30}, {"60", "Infirmier", 34}, {"70", "Masseur-Kinésithérapeute", 14},
	{"21", "Pharmacien", 10}, {"40", "Chirurgien-Dentiste", 5}, {"50", "Sage-Femme", 3},
	{"91", "Orthophoniste", 3}, {"80", "Pédicure-Podologue", 1},
}

var doctorSF = []struct{ code, label string }{
	{"SM54", "Médecine générale"}, {"SM54", "Médecine générale"}, {"SM54", "Médecine générale"},
	{"SM53", "Spécialiste en Médecine Générale"}, {"SM26", "Qualifié en Médecine Générale"},
	{"SM02", "Anesthésie-réanimation"}, {"SM04", "Cardiologie"}, {"SM15", "Dermatologie et vénéréologie"},
	{"SM40", "Pédiatrie"}, {"SM42", "Psychiatrie"},
}

var surnames = []string{"MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID", "BERTRAND", "ROUX", "VINCENT", "FOURNIER"}
var firstnames = []string{"MARIE", "JEAN", "PIERRE", "NATHALIE", "ISABELLE", "SYLVIE", "CATHERINE", "FRANCOISE", "PHILIPPE", "MICHEL", "CLAIRE", "ELODIE", "JULIEN", "NICOLAS", "HÉLÈNE", "CÉCILE"}
var streets = []string{"DE LA REPUBLIQUE", "DU GENERAL DE GAULLE", "JEAN JAURES", "VICTOR HUGO", "DE LA GARE", "DES ECOLES", "PASTEUR", "DU MOULIN", "DE L'EGLISE", "GAMBETTA"}

// writeNational writes a synthetic activity extraction shaped like the
// national file: same header, 56 (or 52) columns, trailing '|', about 500
// bytes a line, professionals with one to three sites, sometimes twice in
// the same commune. It returns the counts the aggregator must find,
// computed independently.
func writeNational(w io.Writer, o genOptions) genResult {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	eol := "\n"
	if o.CRLF {
		eol = "\r\n"
	}
	if o.BOM {
		cw.WriteString("\ufeff")
	}
	cols := nationalHeader
	sfCols := map[int]bool{13: true, 14: true, 15: true, 16: true}
	if o.NoSF {
		cols = nil
		for i, c := range nationalHeader {
			if !sfCols[i] {
				cols = append(cols, c)
			}
		}
	}
	cw.WriteString(strings.Join(cols, "|") + "|" + eol)
	var sfw *bufio.Writer
	if o.Companion != nil {
		sfw = bufio.NewWriterSize(o.Companion, 1<<20)
		sfw.WriteString(strings.Join(sfHeader, "|") + "|\n")
	}

	// 30,000 synthetic communes in 100 départements.
	communes := make([]string, 30000)
	for i := range communes {
		communes[i] = fmt.Sprintf("%02d%03d", 1+i%95, 1+i/95)
	}
	totalWeight := 0
	for _, p := range professions {
		totalWeight += p.weight
	}
	res := genResult{Expected: map[Key]*Count{}, GPsByDep: map[string]int{}}
	var line []byte
	for res.Lines < o.Lines {
		res.Persons++
		rpps := 10000000000 + res.Persons*7
		idType, id := "8", strconv.Itoa(rpps)
		if res.Persons%17 == 0 { // ADELI-identified professionals
			idType, id = "0", fmt.Sprintf("%09d", res.Persons)
		}
		nat := idType + id
		x := rng.IntN(totalWeight)
		prof := professions[0]
		for _, p := range professions {
			if x < p.weight {
				prof = p
				break
			}
			x -= p.weight
		}
		var sf struct{ code, label string }
		gp := false
		if prof.code == Medecin {
			sf = doctorSF[rng.IntN(len(doctorSF))]
			gp = IsGPSavoirFaire(sf.code)
		}
		if sfw != nil && prof.code == Medecin {
			fmt.Fprintf(sfw, "%s|%s|%s|X|Y|10|Médecin|C|Civil|S|Spécialité ordinale|%s|%s|\n", idType, id, nat, sf.code, sf.label)
			if rng.IntN(4) == 0 { // a second, non-GP savoir-faire
				fmt.Fprintf(sfw, "%s|%s|%s|X|Y|10|Médecin|C|Civil|CAPA|Capacité|CAPA05|Gériatrie|\n", idType, id, nat)
			}
		}
		sites := 1
		if r := rng.IntN(100); r >= 95 {
			sites = 3
		} else if r >= 75 {
			sites = 2
		}
		seen := map[string]bool{}
		var order []string
		base := communes[rng.IntN(len(communes))]
		surname, first := surnames[rng.IntN(len(surnames))], firstnames[rng.IntN(len(firstnames))]
		mode, sector, sectorLabel := "L", "SA07", "Cabinet individuel"
		if rng.IntN(4) == 0 {
			// Salaried: in a centre de santé (counted by the APL) or in a
			// hospital (not counted).
			mode, sector, sectorLabel = "S", "SA01", "Etablissement public de santé"
			if rng.IntN(2) == 0 {
				sector, sectorLabel = SectorCentreSante, "Centre de santé"
			}
		}
		counted := gp && (mode == "L" || sector == SectorCentreSante)
		gpSitesIn := map[string]int{}
		for s := 0; s < sites; s++ {
			commune := base
			if s > 0 && rng.IntN(10) >= 3 {
				commune = communes[rng.IntN(len(communes))]
			}
			if rng.IntN(50) == 0 {
				commune = "" // abroad or unknown
			} else if rng.IntN(40) == 0 {
				commune = fmt.Sprintf("751%02d", 1+rng.IntN(20)) // an arrondissement of Paris
				res.ArrondissementLines++
			}
			if commune != "" && counted {
				gpSitesIn[commune[:2]]++
			}
			if !seen[commune] {
				seen[commune] = true
				order = append(order, commune)
			}
			street := streets[rng.IntN(len(streets))]
			cp := commune
			dep := ""
			if commune != "" {
				dep = commune[:2]
			}
			finess := ""
			if mode == "S" {
				finess = fmt.Sprintf("%s00%04d", dep, rng.IntN(10000))
			}
			fields := []string{
				idType, id, nat, "DR", "Docteur", "M", "Monsieur", surname, first,
				prof.code, prof.label, "C", "Civil",
				"S", "Spécialité ordinale", sf.code, sf.label,
				mode, map[string]string{"L": "Libéral,indépendant,artisan,commerçant", "S": "Salarié"}[mode],
				fmt.Sprintf("%014d", rng.Int64N(1e14)), fmt.Sprintf("%09d", rng.IntN(1e9)), finess, "",
				fmt.Sprintf("R1010000%07d", rng.IntN(1e7)), "CABINET DU DR " + surname + " " + first, "",
				"CABINET MEDICAL", "BATIMENT B", strconv.Itoa(1 + rng.IntN(120)), "", "R", "Rue", street,
				"", cp + " VILLE " + cp, cp, commune, "VILLE " + cp, "", "",
				fmt.Sprintf("0%09d", rng.IntN(1e9)), "", fmt.Sprintf("0%09d", rng.IntN(1e9)),
				strings.ToLower(first) + "." + strings.ToLower(surname) + "@exemple-sante.fr", dep, "DEPARTEMENT " + dep,
				fmt.Sprintf("3%014d", rng.Int64N(1e14)), "RPPS/CNOM/CNOM", sector, sectorLabel, "", "",
				"FON-01", "Titulaire de cabinet", "GENR01", "Activité standard",
			}
			line = line[:0]
			for i, f := range fields {
				if o.NoSF && sfCols[i] {
					continue
				}
				line = append(line, f...)
				line = append(line, '|')
			}
			line = append(line, eol...)
			cw.Write(line)
			res.Lines++
		}
		for _, n := range gpSitesIn {
			if n >= 2 {
				res.MultiSiteGPs++
				break
			}
		}
		for dep := range gpSitesIn {
			res.GPsByDep[dep]++
		}
		switch {
		case counted && mode == "S" && len(gpSitesIn) > 0:
			res.CentreGPs++
		case gp && mode == "S" && !counted:
			res.HospitalGPs++
		}
		for _, c := range order {
			k := Key{Commune: c, Profession: prof.code, GP: gp}
			if res.Expected[k] == nil {
				res.Expected[k] = &Count{Key: k}
			}
			res.Expected[k].People++
			res.Expected[k].Share += 1 / float64(len(order))
		}
	}
	bw.Flush()
	if sfw != nil {
		sfw.Flush()
	}
	res.Bytes = cw.n
	return res
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.w.Write(p)
}

func (c *countWriter) WriteString(s string) (int, error) {
	c.n += int64(len(s))
	return c.w.WriteString(s)
}
