// Package taxonomy is the one table of the kinds of structures of the offre
// de soins diagsante counts, maps and measures travel times to: their key,
// French label, FINESS categories, and what each kind is used for. The
// generator of the embedded snapshot, `datasets import`, the indicators, the
// accessibility engine and the report are all derived from it.
//
// Some kinds are not a plain FINESS category:
//   - centres de santé (categories 124 and 439) are typed by their name
//     (médical ou polyvalent, dentaire, infirmier, ophtalmologique, autre):
//     see [CentreType];
//   - hôpitaux (101, 355, 106) are the sites with hospital beds, not the
//     psychiatric outpatient units and other units without beds filed under
//     a hospital's category: see [HospitalUnit];
//   - hôpitaux de proximité are a label (2022), known from the FINESS long
//     name marker or an ARS list, whatever the category;
//   - emergency departments and maternities come from the SAE, joined on
//     the FINESS number (no category).
package taxonomy

import (
	"slices"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// Kind keys.
const (
	MSP          = "msp"
	CDS          = "cds" // centre de santé médical ou polyvalent
	CDSDentaire  = "cds_dentaire"
	CDSInfirmier = "cds_infirmier"
	CDSOphtalmo  = "cds_ophtalmo"
	CDSAutre     = "cds_autre"
	CPTS         = "cpts"
	Hospital     = "hospital"
	Proximity    = "proximity"
	Emergency    = "emergency"
	Maternity    = "maternity"
	HAD          = "had"
	SNP          = "snp"
	Pharmacy     = "pharmacy"
	Lab          = "lab"
	EHPAD        = "ehpad"
)

// Coverage entries of the snapshot manifest (snapshot.TableInfo names) that
// say where a kind is known.
const (
	CoverageEstablishments = "establishments"
	CoverageEmergency      = "urgences"
	CoverageMaternity      = "maternites"
	CoverageProximity      = "hopitaux_proximite"
	CoverageSNP            = "soins_non_programmes"
)

// A Kind is a kind of structure.
type Kind struct {
	Key   string
	Label string // French, plural
	// Categories are the FINESS categories (categetab) the kind is taken
	// from; empty for kinds defined otherwise (SAE, label).
	Categories []string
	// Kept says the categories are kept when FINESS is read (generator and
	// import); establishments of other categories are kept only when the
	// SAE or a hôpital de proximité label names them.
	Kept bool
	// Report says the kind is counted and listed in the report; kinds that
	// are only kept (DAC, CMP, PMI…) describe the territory in exports.
	Report bool
	// Nearest says the report gives the travel time to the nearest one
	// (METHOD.md).
	Nearest bool
	// Coordinated says the kind counts in "exercice coordonné" (MSP and
	// médical or polyvalent centres de santé).
	Coordinated bool
	// Coverage is the manifest entry that says in which départements the
	// kind is known.
	Coverage string
}

// Kinds is the taxonomy, in report order.
var Kinds = []Kind{
	{Key: MSP, Label: "Maisons de santé pluriprofessionnelles (MSP)", Categories: []string{"603"}, Kept: true, Report: true, Nearest: true, Coordinated: true, Coverage: CoverageEstablishments},
	{Key: CDS, Label: "Centres de santé médicaux ou polyvalents", Categories: []string{"124", "439"}, Kept: true, Report: true, Nearest: true, Coordinated: true, Coverage: CoverageEstablishments},
	{Key: CDSDentaire, Label: "Centres de santé dentaires", Categories: []string{"124", "439"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: CDSInfirmier, Label: "Centres de soins infirmiers", Categories: []string{"124", "439"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: CDSOphtalmo, Label: "Centres de santé ophtalmologiques", Categories: []string{"124", "439"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: CDSAutre, Label: "Autres centres de santé (planification, dépistage…)", Categories: []string{"124", "439"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: CPTS, Label: "CPTS (sièges FINESS)", Categories: []string{"604"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: Hospital, Label: "Hôpitaux (CHR, CH, ex-hôpitaux locaux ; sites avec lits)", Categories: []string{"101", "355", "106"}, Kept: true, Report: true, Nearest: true, Coverage: CoverageEstablishments},
	{Key: Proximity, Label: "Hôpitaux de proximité (labellisés)", Report: true, Coverage: CoverageProximity},
	{Key: Emergency, Label: "Services d'urgences (SAE 2020)", Report: true, Nearest: true, Coverage: CoverageEmergency},
	{Key: Maternity, Label: "Maternités (SAE 2020)", Report: true, Nearest: true, Coverage: CoverageMaternity},
	// HAD comes to the patient: no travel time, the report lists the HAD
	// of the territory's départements instead.
	{Key: HAD, Label: "Hospitalisation à domicile (HAD)", Categories: []string{"127"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: SNP, Label: "Soins non programmés et SAS", Categories: []string{"617", "618", "648"}, Kept: true, Report: true, Coverage: CoverageSNP},
	{Key: Pharmacy, Label: "Pharmacies d'officine", Categories: []string{"620"}, Kept: true, Report: true, Nearest: true, Coverage: CoverageEstablishments},
	{Key: Lab, Label: "Laboratoires de biologie médicale", Categories: []string{"611"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	{Key: EHPAD, Label: "EHPAD", Categories: []string{"500"}, Kept: true, Report: true, Coverage: CoverageEstablishments},
	// Kept to describe the territory, not counted in the report.
	{Key: "csm", Label: "Centres de soins médicaux", Categories: []string{"130"}, Kept: true, Coverage: CoverageEstablishments},
	{Key: "dac", Label: "Dispositifs d'appui à la coordination (DAC)", Categories: []string{"606"}, Kept: true, Coverage: CoverageEstablishments},
	{Key: "dialysis", Label: "Centres de dialyse", Categories: []string{"141"}, Kept: true, Coverage: CoverageEstablishments},
	{Key: "cmp", Label: "Centres médico-psychologiques (CMP)", Categories: []string{"156"}, Kept: true, Coverage: CoverageEstablishments},
	{Key: "pmi", Label: "Protection maternelle et infantile (PMI)", Categories: []string{"223"}, Kept: true, Coverage: CoverageEstablishments},
}

// Lookup returns the kind of a key.
func Lookup(key string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Key == key {
			return k, true
		}
	}
	return Kind{}, false
}

// Label returns the label of a kind key, or the key itself when unknown.
func Label(key string) string {
	if k, ok := Lookup(key); ok {
		return k.Label
	}
	return key
}

// kindsOfCategory lists, for each FINESS category, the indexes in Kinds
// of the kinds it may be, in taxonomy order: Classify, run on every
// establishment at start-up, looks its category up once.
var kindsOfCategory = func() map[string][]int {
	m := map[string][]int{}
	for i, k := range Kinds {
		for _, c := range k.Categories {
			if !slices.Contains(m[c], i) {
				m[c] = append(m[c], i)
			}
		}
	}
	return m
}()

// KeptCategories are the FINESS categories kept when FINESS is read.
var KeptCategories = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range Kinds {
		if k.Kept {
			for _, c := range k.Categories {
				m[c] = true
			}
		}
	}
	return m
}()

// Keep reports whether a FINESS establishment is kept on reading: a kept
// category, or a labelled hôpital de proximité whatever its category (the
// 2026 Occitanie file files three under 128, 129 and 697). SAE sites and
// ARS lists are added by the callers, who hold those tables.
func Keep(category string, proximity bool) bool {
	return KeptCategories[category] || proximity
}

// KeptCategoriesText lists the kept categories for the notes of the
// establishments table ("catégories retenues : …").
func KeptCategoriesText() string {
	var cats []string
	for _, k := range Kinds {
		if k.Kept {
			for _, c := range k.Categories {
				if !slices.Contains(cats, c) {
					cats = append(cats, c)
				}
			}
		}
	}
	return "catégories retenues : " + strings.Join(cats, " ") +
		", plus les hôpitaux de proximité labellisés (toute catégorie) et les sites SAE d'urgences et de maternité ; " +
		"centres de santé typés par leur nom (médical ou polyvalent, dentaire, infirmier, ophtalmologique, autre) ; " +
		"hôpitaux : sites avec lits (unités de psychiatrie ambulatoire CMP, CATTP, hôpitaux de jour, centres de soins dentaires et autres unités sans lits exclues)"
}

// Classify returns the FINESS-derived kind keys of an establishment, in
// taxonomy order: its category (centres de santé typed by name, hospitals
// only for sites with beds) and the hôpital de proximité label. Emergency
// departments and maternities come from SAE joins, not from here.
func Classify(e *snapshot.Establishment) []string {
	var out []string
	centre := "" // typed once: the name rules fold the names
	for _, i := range kindsOfCategory[e.Category] {
		k := &Kinds[i]
		switch {
		case isCentre(k.Key):
			if centre == "" {
				centre = CentreType(e.Category, e.Name, e.LongName)
			}
			if k.Key != centre {
				continue
			}
		case k.Key == Hospital:
			if _, unit := HospitalUnit(e.Name, e.LongName); unit {
				continue
			}
		}
		out = append(out, k.Key)
	}
	if e.ProximityHospital {
		out = append(out, Proximity)
	}
	return out
}

func isCentre(key string) bool { return key == CDS || strings.HasPrefix(key, CDS+"_") }

// ReadsNames reports whether Classify reads an establishment's names for
// this category (centres de santé are typed by name, hospital units
// without beds are told by name). For any other category, Classify's
// result depends on the category and the hôpital de proximité label
// alone, so a caller classifying every establishment of France may
// classify one establishment per category and label, and reuse the result.
func ReadsNames(category string) bool {
	for _, i := range kindsOfCategory[category] {
		if k := Kinds[i].Key; isCentre(k) || k == Hospital {
			return true
		}
	}
	return false
}

// folded returns the names folded and joined, padded with spaces, to look
// for phrases as whole words.
func folded(names ...string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, textnorm.Fold(n))
	}
	return " " + strings.Join(parts, " ") + " "
}

// hasPhrase tells whether f, padded with spaces (folded), holds one of the
// phrases as whole words: " "+p+" " is in f. It looks for p and checks the
// spaces around it rather than build that string: the rules run on every
// establishment of France at each start, and the concatenations were most
// of their allocations.
func hasPhrase(f string, phrases ...string) bool {
	for _, p := range phrases {
		for from := 0; from <= len(f); {
			i := strings.Index(f[from:], p)
			if i < 0 {
				break
			}
			i += from
			if i > 0 && f[i-1] == ' ' && i+len(p) < len(f) && f[i+len(p)] == ' ' {
				return true
			}
			from = i + 1
		}
	}
	return false
}

// CentreType types a centre de santé (category 124 or 439) from its names
// (raison sociale and long name, folded: lower case, no accents), the first
// rule that applies deciding:
//
//  1. médical ou polyvalent (CDS) when a word says a medical activity:
//     starting with "medic", "medec" or "polyval" (médical, médico-dentaire,
//     médecine, polyvalent), or MED, CMS, CSP, POLYV: a médico-dentaire
//     centre has GPs and counts as polyvalent;
//  2. dentaire when a word contains "dent" (dentaire, Dentego, Clinadent…,
//     but not accident, résident, président) or is CSD or starts with
//     "orthodont";
//  3. infirmier when a word starts with "infirm", is INF, INFIR or CSI
//     (centre de soins infirmiers);
//  4. ophtalmologique when a word starts with "ophta" or "ophtl", or
//     contains "vision";
//  5. autre when the name says planning familial, IVG, dépistage,
//     vaccination, santé sexuelle, radiologie or imagerie, kinésithérapie,
//     audition, orthophonie, sage-femme, addictologie;
//  6. otherwise médical ou polyvalent: a centre de santé whose name names
//     no specialty ("CDS municipal", "Centre de santé de …") is by default
//     a polyvalent one; category 439 is "centre de santé polyvalent".
//
// It returns the kind key (CDS, CDSDentaire…).
func CentreType(category, name, longName string) string {
	// The names are folded once, for the phrases and for the words: the
	// rules ask whether any word matches, which a list with repeats
	// answers as the set of words did (its map was most of the cost of
	// typing France's 2,582 centres at each start).
	f := folded(name, longName)
	w := strings.Fields(f)
	for _, r := range centreRules {
		if hasPhrase(f, r.phrases...) || slices.ContainsFunc(w, r.word) {
			return r.key
		}
	}
	return CDS
}

// centreRules are CentreType's rules 1 to 5, in order: the first that a
// word of the names (word) or a phrase of them matches gives the type.
var centreRules = []struct {
	key     string
	word    func(string) bool
	phrases []string
}{
	{CDS, func(x string) bool {
		return strings.HasPrefix(x, "medic") || strings.HasPrefix(x, "medec") || strings.HasPrefix(x, "polyval") ||
			x == "med" || x == "cms" || x == "csp" || x == "polyv"
	}, nil},
	{CDSDentaire, func(x string) bool {
		return strings.Contains(x, "dent") && !notDental[x] || x == "csd" || strings.HasPrefix(x, "orthodont")
	}, nil},
	{CDSInfirmier, func(x string) bool {
		return strings.HasPrefix(x, "infirm") || x == "inf" || x == "infir" || x == "csi"
	}, nil},
	{CDSOphtalmo, func(x string) bool {
		return strings.HasPrefix(x, "ophta") || strings.HasPrefix(x, "ophtl") || strings.Contains(x, "vision")
	}, nil},
	{CDSAutre, func(x string) bool {
		return strings.HasPrefix(x, "kine") || strings.HasPrefix(x, "orthophon") || strings.HasPrefix(x, "radiolog") ||
			strings.HasPrefix(x, "imagerie") || strings.HasPrefix(x, "addictolog") || strings.HasPrefix(x, "audio") ||
			x == "cpef" || x == "ivg" || x == "cegidd" || x == "csapa" || x == "vaccination" || x == "depistage"
	}, otherCentre},
}

// notDental are words containing "dent" that do not mean dental care.
var notDental = map[string]bool{"accident": true, "accidents": true, "occident": true, "resident": true, "residents": true,
	"residence": true, "president": true, "independant": true, "independante": true, "prudent": true, "ardent": true}

// otherCentre are phrases naming centres de santé that are neither medical,
// dental, nursing nor ophthalmological.
var otherCentre = []string{"planning familial", "planification familiale", "plan fam", "sante sexuelle", "sage femme", "sages femmes", "audition"}

// HospitalUnit tells whether an establishment filed under a hospital's
// category (101 CHR, 355 CH, 106 ex-hôpital local) is a unit without
// hospital beds, from its names (raison sociale and long name, folded), and
// names the rule that matched. A site whose name says full hospitalisation
// (HC, "hospitalisation complète") keeps its beds whatever else it says.
// Units without beds:
//   - psychiatric outpatient units: CMP, CMPP, CMPEA, CATTP (also dotted,
//     C.A.T.T.P.), "centre médico-psychologique", "accueil thérapeutique";
//   - day hospitals (places, not beds): HDJ, HJ, "hôpital de jour" and its
//     abbreviations (HOP JOUR, HOSPIT JOUR, HOSPITALISATION DE JOUR…);
//   - other units without beds: SMUR (mobile emergency bases), CEGIDD and
//     CDAG (screening), planification familiale, HAD (hospitalisation à
//     domicile, counted as its own kind), home dialysis, consultations,
//     dental care centres (the CHU's "centre de soins dentaires", AP-HP's
//     "clinique dentaire", "service d'odontologie": 11 sites in the 2021
//     FINESS, all consultation centres).
func HospitalUnit(name, longName string) (rule string, unit bool) {
	f := folded(name, longName)
	if hasPhrase(f, "hc", "hospit complete", "hospitalisation complete", "hosp complete", "upc") {
		return "", false
	}
	for _, r := range hospitalUnitRules {
		if hasPhrase(f, r.phrases...) {
			return r.name, true
		}
	}
	return "", false
}

var hospitalUnitRules = []struct {
	name    string
	phrases []string
}{
	{"psychiatrie ambulatoire (CMP, CATTP)", []string{"cmp", "cmpp", "cmpea", "cattp", "c a t t p", "c m p", "centre medico psychologique",
		"ctre medico psychologique", "accueil therapeutique", "accueil therap"}},
	{"hôpital de jour", []string{"hdj", "hj", "hopital de jour", "hopital jour", "hop de jour", "hop jour", "hop j", "hospit jour",
		"hospitalisation de jour", "hospitalisation jour", "hospitalisa jour", "hosp de jour", "htp jour", "chj"}},
	{"SMUR", []string{"smur"}},
	{"dépistage (CEGIDD, CDAG)", []string{"cegidd", "cdag", "depist"}},
	{"planification familiale", []string{"planif", "planification", "cpef"}},
	{"HAD", []string{"had"}},
	{"dialyse à domicile", []string{"hemodialyse a domicile", "dialyse a domicile"}},
	{"consultations", []string{"consultations", "consultation", "consult"}},
	{"soins dentaires", []string{"dentaire", "dentaires", "odontologie"}},
}

// where returns the kinds keep accepts, in taxonomy order.
func where(keep func(Kind) bool) []Kind {
	var out []Kind
	for _, k := range Kinds {
		if keep(k) {
			out = append(out, k)
		}
	}
	return out
}

// Coordinated returns the keys of the kinds counted in "exercice
// coordonné".
func Coordinated() []string {
	var out []string
	for _, k := range where(func(k Kind) bool { return k.Coordinated }) {
		out = append(out, k.Key)
	}
	return out
}

// NearestKinds returns the kinds whose travel time the report gives.
func NearestKinds() []Kind { return where(func(k Kind) bool { return k.Nearest }) }

// ReportKinds returns the kinds counted in the report, in order.
func ReportKinds() []Kind { return where(func(k Kind) bool { return k.Report }) }

// CategoriesOf returns the sorted FINESS categories of the given kinds.
func CategoriesOf(keys ...string) []string {
	var out []string
	for _, key := range keys {
		if k, ok := Lookup(key); ok {
			for _, c := range k.Categories {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
