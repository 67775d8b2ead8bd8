package diagnostic

import (
	"fmt"
	"math"
	"strings"
)

// The points of attention and the levers are written here, in one place,
// as plain rules over the report's figures: a reader (or a reviewer at the
// ARS) can check each rule against the report's tables. Wording follows the
// ministry's guide for elected officials (2019): aides à l'installation et
// zonage, projets de MSP ou de centre de santé, CPTS, hôpital de proximité,
// téléconsultation, service d'accès aux soins (SAS), contrat local de santé.

// rule is one point of attention: when returns the finding or nil.
type rule struct {
	key    string
	levers []string
	when   func(r *Report, t, fr Figures) *Finding
}

var rules = []rule{
	{key: "apl_prioritaire", levers: []string{"zonage", "exercice_coordonne", "teleconsultation", "sas"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.APL2023 == nil || r.Thresholds.Class(*t.APL2023) != "low" {
				return nil
			}
			return &Finding{Severity: "alerte", Title: "Accessibilité aux médecins généralistes très faible",
				Detail: fmt.Sprintf("L'APL moyenne du territoire est de %s par an et par habitant (France : %s), au niveau du seuil de %s des zones d'intervention prioritaire.",
					r.Thresholds.consultations(*t.APL2023), r.Thresholds.showPtr(fr.APL2023), fr2(r.Thresholds.Low))}
		}},
	{key: "population_sous_seuil", levers: []string{"zonage", "exercice_coordonne"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.ShareLow == nil || *t.ShareLow < 0.2 {
				return nil
			}
			sev := "vigilance"
			if *t.ShareLow >= 0.5 {
				sev = "alerte"
			}
			return &Finding{Severity: sev, Title: "Une part importante de la population sous le seuil de 2,5",
				Detail: fmt.Sprintf("%s de la population vit dans une commune dont l'APL est inférieure ou égale à %s (France : %s).",
					pct(*t.ShareLow), fr2(r.Thresholds.Low), pctp(fr.ShareLow))}
		}},
	{key: "apl_intermediaire", levers: []string{"zonage"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.APL2023 == nil || r.Thresholds.Class(*t.APL2023) != "middle" {
				return nil
			}
			return &Finding{Severity: "vigilance", Title: "Accessibilité intermédiaire : territoire éligible au vivier de l'ARS",
				Detail: fmt.Sprintf("L'APL moyenne (%s) est comprise entre %s et %s : l'ARS peut y choisir des zones d'intervention prioritaire, d'action complémentaire ou de vigilance.",
					r.Thresholds.Show(*t.APL2023), fr2(r.Thresholds.Low), fr2(r.Thresholds.Middle))}
		}},
	{key: "apl_baisse", levers: []string{"exercice_coordonne", "zonage"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.APL2023 == nil || t.APL2022 == nil || *t.APL2023-*t.APL2022 > -0.1 {
				return nil
			}
			return &Finding{Severity: "vigilance", Title: "Accessibilité en baisse",
				Detail: fmt.Sprintf("L'APL moyenne passe de %s (2022) à %s (2023).", r.Thresholds.Show(*t.APL2022), r.Thresholds.Show(*t.APL2023))}
		}},
	{key: "densite_mg", levers: []string{"exercice_coordonne", "zonage"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.GPDensity == nil || fr.GPDensity == nil || t.Gap("gps") != nil || *t.GPDensity >= 0.8**fr.GPDensity {
				return nil
			}
			return &Finding{Severity: "vigilance", Title: "Densité de médecins généralistes inférieure à la moyenne",
				Detail: fmt.Sprintf("%s %s pour 10 000 habitants (%s), contre %s en France.", fr1(*t.GPDensity), agreeShown(*t.GPDensity, 1, "médecin généraliste", "médecins généralistes"), t.GPSource, fr1(*fr.GPDensity))}
		}},
	{key: "offre_vieillissante", levers: []string{"successions", "exercice_coordonne"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.ShareFrom65Plus == nil || fr.ShareFrom65Plus == nil || *t.ShareFrom65Plus < *fr.ShareFrom65Plus+0.05 {
				return nil
			}
			sev := "vigilance"
			if *t.ShareFrom65Plus >= *fr.ShareFrom65Plus+0.10 {
				sev = "alerte"
			}
			return &Finding{Severity: sev, Title: "Une accessibilité qui repose sur des médecins généralistes de 65 ans et plus",
				Detail: fmt.Sprintf("%s de l'accessibilité aux médecins généralistes du territoire (APL 2023) est assurée par des médecins généralistes de 65 ans et plus (France : %s) : "+
					"sans eux, l'APL passerait de %s à %s (APL aux médecins généralistes de moins de 65 ans, DREES).",
					pct(*t.ShareFrom65Plus), pct(*fr.ShareFrom65Plus), r.Thresholds.Show(*t.APL2023), r.Thresholds.showPtr(t.APLUnder65_2023))}
		}},
	{key: "departs_sous_seuil", levers: []string{"successions", "zonage"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.ShareLow == nil || t.ShareLowUnder65 == nil || *t.ShareLowUnder65-*t.ShareLow < 0.2 {
				return nil
			}
			sev := "vigilance"
			if *t.ShareLowUnder65-*t.ShareLow >= 0.4 {
				sev = "alerte"
			}
			return &Finding{Severity: sev, Title: "Les départs à la retraite feraient basculer une grande partie de la population sous le seuil",
				Detail: fmt.Sprintf("Si les médecins généralistes de 65 ans et plus cessaient leur activité, la part de la population vivant dans une commune d'APL inférieure ou égale à %s passerait de %s à %s (France : de %s à %s).",
					fr2(r.Thresholds.Low), pct(*t.ShareLow), pct(*t.ShareLowUnder65), pctp(fr.ShareLow), pctp(fr.ShareLowUnder65))}
		}},
	{key: "besoins_eleves", levers: []string{"exercice_coordonne", "cls"},
		when: func(r *Report, t, fr Figures) *Finding {
			if t.NeedIndex == nil || *t.NeedIndex < 1.05 {
				return nil
			}
			return &Finding{Severity: "information", Title: "Population aux besoins de soins élevés",
				Detail: fmt.Sprintf("La population standardisée par l'âge dépasse de %s la population totale : une population plus âgée consulte davantage.", pct(*t.NeedIndex-1))}
		}},
	{key: "sans_msp", levers: []string{"exercice_coordonne"},
		when: func(r *Report, t, fr Figures) *Finding {
			// Only where both counts are known over the whole territory: a
			// structure may stand in a part the source does not cover.
			msp, cds := t.Count("msp"), t.Count("cds")
			if t.Population < 5000 || msp == nil || cds == nil || t.Gap("structures.msp") != nil || t.Gap("structures.cds") != nil || *msp+*cds > 0 {
				return nil
			}
			return &Finding{Severity: "vigilance", Title: "Aucune structure d'exercice coordonné",
				Detail: fmt.Sprintf("Aucune maison de santé ni aucun centre de santé médical ou polyvalent n'est enregistré au FINESS dans le territoire (%s habitants).", FormatInt(t.Population))}
		}},
	{key: "cpts_couverture", levers: []string{"cpts"},
		when: func(r *Report, t, fr Figures) *Finding {
			// Where perimeters are unknown, nothing is concluded: the
			// lever is phrased as a question (see checks).
			if t.CPTSPopulationShare == nil || t.Gap("cpts_population_share") != nil || *t.CPTSPopulationShare >= 0.999 {
				return nil
			}
			return &Finding{Severity: "vigilance", Title: "Territoire incomplètement couvert par une CPTS",
				Detail: fmt.Sprintf("%s de la population vit dans une commune (ou un arrondissement) couverte par une CPTS (périmètres ARS).", pct(*t.CPTSPopulationShare))}
		}},
	{key: "urgences_loin", levers: []string{"sas", "hopital_proximite"},
		when: func(r *Report, t, fr Figures) *Finding {
			a := r.access("emergency")
			if a == nil || a.Beyond30 < 0.1 {
				return nil
			}
			return &Finding{Severity: "alerte", Title: "Population éloignée d'un service d'urgences",
				Detail: fmt.Sprintf("%s de la population est à plus de 30 minutes (estimées) d'un service d'urgences.", pct(a.Beyond30))}
		}},
	{key: "vieillissement", levers: []string{"cls", "hopital_proximite"},
		when: func(r *Report, t, fr Figures) *Finding {
			dep := r.level("departement")
			if dep == nil || dep.Share75Plus == nil || fr.Share75Plus == nil || *dep.Share75Plus < *fr.Share75Plus+0.02 {
				return nil
			}
			return &Finding{Severity: "information", Title: "Département plus âgé que la moyenne",
				Detail: fmt.Sprintf("%s des habitants %s ont 75 ans ou plus (France : %s).", pct(*dep.Share75Plus), LevelOf(*dep), pct(*fr.Share75Plus))}
		}},
}

// A check is a lever whose condition the data cannot tell: the figure it
// depends on is unknown for the territory, so the report asks the question
// instead of concluding.
type check struct {
	lever    string
	when     func(r *Report, t Figures) bool
	question string
}

var checks = []check{
	{lever: "cpts", when: func(r *Report, t Figures) bool {
		return t.CPTSPopulationShare == nil || t.Gap("cpts_population_share") != nil
	}, question: "Les périmètres des CPTS ne sont pas connus pour ce territoire dans les données ouvertes : vérifier auprès de l'ARS si une CPTS couvre chaque commune, et sinon s'il existe un projet."},
	{lever: "hopital_proximite", when: func(r *Report, t Figures) bool {
		return t.Count("proximity") == nil
	}, question: "Les hôpitaux de proximité labellisés ne sont pas connus pour ce territoire dans les données chargées : vérifier auprès de l'ARS si un établissement proche porte le label."},
}

// levers are the levers of the guide, with what they are.
var levers = map[string]Lever{
	"zonage": {Key: "zonage", Title: "Aides à l'installation et zonage",
		What: "Faire reconnaître le territoire en zone d'intervention prioritaire ou d'action complémentaire par l'ARS ouvre les aides conventionnelles et fiscales à l'installation des médecins (contrats d'aide à l'installation, exonérations)."},
	"exercice_coordonne": {Key: "exercice_coordonne", Title: "Projet de maison de santé ou de centre de santé",
		What: "Soutenir un projet de santé porté par les professionnels (MSP) ou créer un centre de santé à salariat : l'exercice coordonné attire les jeunes médecins."},
	"cpts": {Key: "cpts", Title: "Communauté professionnelle territoriale de santé (CPTS)",
		What: "Accompagner les professionnels dans la création ou l'extension d'une CPTS, qui organise l'accès à un médecin traitant et les soins non programmés."},
	"teleconsultation": {Key: "teleconsultation", Title: "Téléconsultation",
		What: "Équiper des lieux de téléconsultation assistée (pharmacie, maison de santé, mairie) en lien avec les médecins du territoire."},
	"sas": {Key: "sas", Title: "Service d'accès aux soins (SAS)",
		What: "S'appuyer sur le SAS du département pour orienter les demandes de soins non programmés vers la ville ou l'hôpital."},
	"hopital_proximite": {Key: "hopital_proximite", Title: "Hôpital de proximité",
		What: "Conforter un hôpital de proximité (label de 2022) comme point d'appui de la médecine de ville : consultations avancées, imagerie, biologie."},
	"successions": {Key: "successions", Title: "Anticiper les successions des médecins proches de la retraite",
		What: "Accueillir des internes et des étudiants (maîtres de stage universitaires), ouvrir des cabinets secondaires, proposer un exercice coordonné qui attire les jeunes médecins, " +
			"mobiliser les contrats d'aide à l'installation dans les zones éligibles et le cumul emploi-retraite des médecins qui le souhaitent."},
	"cls": {Key: "cls", Title: "Contrat local de santé",
		What: "Formaliser avec l'ARS un contrat local de santé qui réunit ces actions, la prévention et le lien avec le médico-social."},
}

// Findings applies the rules to a report and returns the points of
// attention and the levers they suggest, each lever with its reasons.
func Findings(r *Report) ([]Finding, []Lever) {
	t := r.Levels[0].Figures
	var fr Figures
	if l := r.level("france"); l != nil {
		fr = l.Figures
	}
	findings := []Finding{}
	why := map[string][]string{}
	var order []string
	for _, ru := range rules {
		f := ru.when(r, t, fr)
		if f == nil {
			continue
		}
		f.Key = ru.key
		findings = append(findings, *f)
		for _, l := range ru.levers {
			if _, seen := why[l]; !seen {
				order = append(order, l)
			}
			why[l] = append(why[l], f.Title)
		}
	}
	// Levers whose condition is unknown become questions to check, unless a
	// finding already suggested them.
	var checked []Lever
	for _, c := range checks {
		if _, seen := why[c.lever]; seen || !c.when(r, t) {
			continue
		}
		l := levers[c.lever]
		l.Title = "À vérifier : " + lowerFirst(l.Title)
		l.What = c.question
		l.Why = []string{"Donnée non disponible pour le territoire"}
		l.Check = true
		checked = append(checked, l)
	}
	// A contrat local de santé frames every diagnostic's follow-up.
	if _, seen := why["cls"]; !seen {
		order = append(order, "cls")
		why["cls"] = []string{"Cadre commun des actions issues du diagnostic partagé"}
	}
	out := []Lever{}
	for _, k := range order {
		l := levers[k]
		l.Why = why[k]
		out = append(out, l)
	}
	return findings, append(out, checked...)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	if len(r) > 1 && r[1] >= 'A' && r[1] <= 'Z' { // an acronym: "CPTS"
		return s
	}
	return strings.ToLower(string(r[0])) + string(r[1:])
}

func (r *Report) level(kind string) *Level {
	for i := range r.Levels {
		if r.Levels[i].Kind == kind {
			return &r.Levels[i]
		}
	}
	return nil
}

func (r *Report) access(kind string) *AccessFigures {
	for i := range r.Access {
		if r.Access[i].Kind == kind {
			return &r.Access[i]
		}
	}
	return nil
}

// consultations writes an APL with its unit in agreement: "1,80
// consultation", "2,40 consultations".
func (t Thresholds) consultations(v float64) string {
	return t.Show(v) + " " + agreeShown(v, t.Decimals(v), "consultation", "consultations")
}

// Show formats an APL with the decimals its class needs: "2,94", "2,501".
func (t Thresholds) Show(apl float64) string { return FormatNum(apl, t.Decimals(apl)) }

// showPtr is Show, or NA for a missing value.
func (t Thresholds) showPtr(apl *float64) string {
	if apl == nil {
		return NA
	}
	return t.Show(*apl)
}

// agreeShown chooses the singular or plural of a noun after a decimal
// figure, by the figure shown: singular below 2 ("1,5 médecin").
func agreeShown(v float64, prec int, singular, plural string) string {
	if math.Abs(Round(v, prec)) < 2 {
		return singular
	}
	return plural
}

// Short names for the findings' sentences, over the one formatter.
func fr1(v float64) string { return FormatNum(v, 1) }
func fr2(v float64) string { return FormatNum(v, 2) }
func pct(v float64) string { return FormatPct(v, 0) }
func pctp(v *float64) string {
	if v == nil {
		return NA
	}
	return pct(*v)
}
