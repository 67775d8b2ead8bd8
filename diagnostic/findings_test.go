package diagnostic

import (
	"testing"
)

// quiet returns a territory and France on which no rule fires.
func quiet() (Figures, Figures) {
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	t := Figures{Population: 12000, APL2023: f(4.5), APL2022: f(4.5), ShareLow: f(0.1), ShareLowUnder65: f(0.15), NeedIndex: f(1.0),
		GPDensity: f(9), ShareFrom65Plus: f(0.12), APLUnder65_2023: f(4.0), CPTSPopulationShare: f(1),
		Structures: map[string]*int{"msp": n(1), "cds": n(0)}}
	fr := Figures{APL2023: f(3.745), ShareLow: f(0.166), ShareLowUnder65: f(0.275), GPDensity: f(9.1), ShareFrom65Plus: f(0.12), Share75Plus: f(0.10)}
	return t, fr
}

func findingsOf(t, fr Figures, access []AccessFigures, dep *Figures) []Finding {
	r := &Report{Thresholds: DefaultThresholds, Access: access, Levels: []Level{{Kind: "territory", Figures: t}}}
	if dep != nil {
		r.Levels = append(r.Levels, Level{Kind: "departement", Name: "Lozère", Figures: *dep})
	}
	r.Levels = append(r.Levels, Level{Kind: "france", Figures: fr})
	att, _ := Findings(r)
	return att
}

func pf(v float64) *float64 { return &v }

// TestFindingsThresholds checks each rule on both sides of its threshold,
// with its severity and its French sentence.
func TestFindingsThresholds(t *testing.T) {
	const eps = 1e-9
	tests := []struct {
		name     string
		key      string
		edit     func(t, fr *Figures) // applied to the quiet figures
		fires    bool
		severity string
		detail   string // exact text, "" to skip
		access   []AccessFigures
		dep      *Figures
	}{
		{"APL at 2.5", "apl_prioritaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.5), pf(2.5) }, true, "alerte",
			"L'APL moyenne du territoire est de 2,50 consultations par an et par habitant (France : 3,75), au niveau du seuil de 2,50 des zones d'intervention prioritaire.", nil, nil},
		{"APL at 2.5", "apl_prioritaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.5), pf(2.5) }, true, "alerte", "", nil, nil},
		{"APL 2,501 is above 2.5", "apl_prioritaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.501), pf(2.501) }, false, "", "", nil, nil},
		{"APL 2,501 is intermediate, shown so", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.501), pf(2.501) }, true, "vigilance",
			"L'APL moyenne (2,501) est comprise entre 2,50 et 4,00 : l'ARS peut y choisir des zones d'intervention prioritaire, d'action complémentaire ou de vigilance.", nil, nil},
		{"APL 1,80: consultation, singular", "apl_prioritaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(1.8), pf(1.8) }, true, "alerte",
			"L'APL moyenne du territoire est de 1,80 consultation par an et par habitant (France : 3,75), au niveau du seuil de 2,50 des zones d'intervention prioritaire.", nil, nil},
		{"APL just above 2.5", "apl_prioritaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.505), pf(2.505) }, false, "", "", nil, nil},
		{"APL at 2.5 is not intermediate", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.5), pf(2.5) }, false, "", "", nil, nil},
		{"APL just above 2.5 is intermediate", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(2.505), pf(2.505) }, true, "vigilance", "", nil, nil},
		{"APL at 4 is intermediate", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(4), pf(4) }, true, "vigilance",
			"L'APL moyenne (4,00) est comprise entre 2,50 et 4,00 : l'ARS peut y choisir des zones d'intervention prioritaire, d'action complémentaire ou de vigilance.", nil, nil},
		{"APL above 4", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(4.005), pf(4.005) }, false, "", "", nil, nil},
		{"APL 4,001 is above 4", "apl_intermediaire", func(t, fr *Figures) { t.APL2023, t.APL2022 = pf(4.001), pf(4.001) }, false, "", "", nil, nil},
		{"share ≤ 2.5 at 20 %", "population_sous_seuil", func(t, fr *Figures) { t.ShareLow = pf(0.2) }, true, "vigilance",
			"20\u00a0% de la population vit dans une commune dont l'APL est inférieure ou égale à 2,50 (France : 17\u00a0%).", nil, nil},
		{"share ≤ 2.5 under 20 %", "population_sous_seuil", func(t, fr *Figures) { t.ShareLow = pf(0.2 - eps) }, false, "", "", nil, nil},
		{"share ≤ 2.5 at 50 %", "population_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0.5), pf(0.5) }, true, "alerte", "", nil, nil},
		{"share ≤ 2.5 under 50 %", "population_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0.5-eps), pf(0.5) }, true, "vigilance", "", nil, nil},
		{"APL down by 0.1", "apl_baisse", func(t, fr *Figures) { t.APL2022, t.APL2023 = pf(4.61), pf(4.5) }, true, "vigilance",
			"L'APL moyenne passe de 4,61 (2022) à 4,50 (2023).", nil, nil},
		{"APL down by exactly 0.1", "apl_baisse", func(t, fr *Figures) { t.APL2022, t.APL2023 = pf(0.1), pf(0) }, true, "vigilance", "", nil, nil},
		{"APL down by less than 0.1", "apl_baisse", func(t, fr *Figures) { t.APL2022, t.APL2023 = pf(4.5+0.1-1e-6), pf(4.5) }, false, "", "", nil, nil},
		{"GP density at 80 % of France", "densite_mg", func(t, fr *Figures) { t.GPDensity = pf(0.8 * 9.1); t.GPSource = "BPE 2017" }, false, "", "", nil, nil},
		{"GP density below 80 % of France", "densite_mg", func(t, fr *Figures) { t.GPDensity = pf(0.8*9.1 - eps); t.GPSource = "BPE 2017" }, true, "vigilance",
			"7,3 médecins généralistes pour 10 000 habitants (BPE 2017), contre 9,1 en France.", nil, nil},
		{"GP density unknown in part", "densite_mg", func(t, fr *Figures) {
			t.GPDensity = pf(1)
			t.Gaps = []Gap{{Field: "gps", Status: GapPartial}}
		}, false, "", "", nil, nil},
		// Exactly at a threshold, computed as the rule computes it.
		{"65+ share exactly 5 points above France", "offre_vieillissante", func(t, fr *Figures) { t.ShareFrom65Plus = pf(*fr.ShareFrom65Plus + 0.05) }, true, "vigilance", "", nil, nil},
		{"65+ share exactly 10 points above France", "offre_vieillissante", func(t, fr *Figures) { t.ShareFrom65Plus = pf(*fr.ShareFrom65Plus + 0.10) }, true, "alerte", "", nil, nil},
		{"retirement moves exactly 20 points", "departs_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0), pf(0.2) }, true, "vigilance", "", nil, nil},
		{"retirement moves exactly 40 points", "departs_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0), pf(0.4) }, true, "alerte", "", nil, nil},
		{"département exactly 2 points older", "vieillissement", func(t, fr *Figures) {}, true, "information", "", nil, &Figures{Share75Plus: func() *float64 { fr, d := 0.10, 0.02; return pf(fr + d) }()}},
		{"65+ share 5 points above France", "offre_vieillissante", func(t, fr *Figures) { t.ShareFrom65Plus = pf(0.17 + eps) }, true, "vigilance", "", nil, nil},
		{"65+ share under 5 points above", "offre_vieillissante", func(t, fr *Figures) { t.ShareFrom65Plus = pf(0.17 - eps) }, false, "", "", nil, nil},
		{"65+ share 10 points above France", "offre_vieillissante", func(t, fr *Figures) { t.ShareFrom65Plus, t.APL2023, t.APL2022 = pf(0.26), pf(4.5), pf(4.5) }, true, "alerte",
			"26\u00a0% de l'accessibilité aux médecins généralistes du territoire (APL 2023) est assurée par des médecins généralistes de 65 ans et plus (France : 12\u00a0%) : sans eux, l'APL passerait de 4,50 à 4,00 (APL aux médecins généralistes de moins de 65 ans, DREES).", nil, nil},
		{"retirement moves 20 points below 2.5", "departs_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0.1), pf(0.3+eps) }, true, "vigilance",
			"Si les médecins généralistes de 65 ans et plus cessaient leur activité, la part de la population vivant dans une commune d'APL inférieure ou égale à 2,50 passerait de 10\u00a0% à 30\u00a0% (France : de 17\u00a0% à 28\u00a0%).", nil, nil},
		{"retirement moves under 20 points", "departs_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0.1), pf(0.3-1e-6) }, false, "", "", nil, nil},
		{"retirement moves 40 points", "departs_sous_seuil", func(t, fr *Figures) { t.ShareLow, t.ShareLowUnder65 = pf(0.1), pf(0.5+eps) }, true, "alerte", "", nil, nil},
		{"need index 1.05", "besoins_eleves", func(t, fr *Figures) { t.NeedIndex = pf(1.05) }, true, "information",
			"La population standardisée par l'âge dépasse de 5\u00a0% la population totale : une population plus âgée consulte davantage.", nil, nil},
		{"need index below 1.05", "besoins_eleves", func(t, fr *Figures) { t.NeedIndex = pf(1.05 - eps) }, false, "", "", nil, nil},
		{"no MSP nor médical centre, 5,000 inhabitants", "sans_msp", func(t, fr *Figures) { t.Structures["msp"] = new(int); t.Population = 5000 }, true, "vigilance",
			"Aucune maison de santé ni aucun centre de santé médical ou polyvalent n'est enregistré au FINESS dans le territoire (5\u00a0000 habitants).", nil, nil},
		{"no MSP, under 5,000 inhabitants", "sans_msp", func(t, fr *Figures) { t.Structures["msp"] = new(int); t.Population = 4999 }, false, "", "", nil, nil},
		{"a médical centre de santé counts", "sans_msp", func(t, fr *Figures) { t.Structures["msp"], t.Structures["cds"] = new(int), pi(1) }, false, "", "", nil, nil},
		{"a dental centre does not count", "sans_msp", func(t, fr *Figures) { t.Structures["msp"], t.Structures["cds_dentaire"] = new(int), pi(3) }, true, "vigilance", "", nil, nil},
		{"MSP unknown", "sans_msp", func(t, fr *Figures) { t.Structures["msp"] = nil }, false, "", "", nil, nil},
		{"CPTS coverage below 99.9 %", "cpts_couverture", func(t, fr *Figures) { t.CPTSPopulationShare = pf(0.999 - eps) }, true, "vigilance", "", nil, nil},
		{"CPTS coverage at 99.9 %", "cpts_couverture", func(t, fr *Figures) { t.CPTSPopulationShare = pf(0.999) }, false, "", "", nil, nil},
		{"CPTS coverage unknown", "cpts_couverture", func(t, fr *Figures) { t.CPTSPopulationShare = nil }, false, "", "", nil, nil},
		{"10 % beyond 30 min of emergencies", "urgences_loin", func(t, fr *Figures) {}, true, "alerte",
			"10\u00a0% de la population est à plus de 30 minutes (estimées) d'un service d'urgences.", []AccessFigures{{Kind: "emergency", Beyond30: 0.1}}, nil},
		{"under 10 % beyond 30 min", "urgences_loin", func(t, fr *Figures) {}, false, "", "", []AccessFigures{{Kind: "emergency", Beyond30: 0.1 - eps}}, nil},
		{"département 2 points older", "vieillissement", func(t, fr *Figures) {}, true, "information",
			"12\u00a0% des habitants de Lozère ont 75 ans ou plus (France : 10\u00a0%).", nil, &Figures{Share75Plus: pf(0.1201)}},
		{"département under 2 points older", "vieillissement", func(t, fr *Figures) {}, false, "", "", nil, &Figures{Share75Plus: pf(0.1199)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terr, fr := quiet()
			if got := findingsOf(terr, fr, nil, nil); len(got) != 0 {
				t.Fatalf("quiet figures fire %+v", got)
			}
			tt.edit(&terr, &fr)
			att := findingsOf(terr, fr, tt.access, tt.dep)
			var got *Finding
			for i := range att {
				if att[i].Key == tt.key {
					got = &att[i]
				}
			}
			switch {
			case !tt.fires && got != nil:
				t.Fatalf("%s fired: %+v", tt.key, *got)
			case tt.fires && got == nil:
				t.Fatalf("%s did not fire: %+v", tt.key, att)
			case !tt.fires:
				return
			}
			if got.Severity != tt.severity {
				t.Errorf("severity %q, want %q", got.Severity, tt.severity)
			}
			if tt.detail != "" && got.Detail != tt.detail {
				t.Errorf("detail\n got %q\nwant %q", got.Detail, tt.detail)
			}
		})
	}
}

func pi(n int) *int { return &n }

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{"": "", "Hôpital de proximité": "hôpital de proximité", "CPTS": "CPTS", "A": "a", "Communauté (CPTS)": "communauté (CPTS)"} {
		if got := lowerFirst(in); got != want {
			t.Errorf("lowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChecksOnlyOnUnknowns: a known count of proximity hospitals, even 0,
// and a known CPTS coverage ask no question.
func TestChecksOnlyOnUnknowns(t *testing.T) {
	terr, fr := quiet()
	terr.Structures["proximity"] = new(int)
	r := &Report{Thresholds: DefaultThresholds, Levels: []Level{{Kind: "territory", Figures: terr}, {Kind: "france", Figures: fr}}}
	if _, lev := Findings(r); len(lev) != 1 || lev[0].Key != "cls" {
		t.Errorf("levers %+v, want the contrat local de santé only", lev)
	}
	terr.Gaps = []Gap{{Field: "cpts_population_share", Status: GapPartial}}
	r.Levels[0].Figures = terr
	if _, lev := Findings(r); len(lev) != 2 || lev[1].Key != "cpts" || !lev[1].Check {
		t.Errorf("a partial CPTS coverage must be checked: %+v", lev)
	}
}

// TestLeversFollowFindings: each lever says which findings suggested it; a
// lever on an unknown is a question, and never one already suggested.
func TestLeversFollowFindings(t *testing.T) {
	terr, fr := quiet()
	terr.ShareFrom65Plus = pf(0.3)
	terr.CPTSPopulationShare = nil
	r := &Report{Thresholds: DefaultThresholds, Levels: []Level{{Kind: "territory", Figures: terr}, {Kind: "france", Figures: fr}}}
	_, lev := Findings(r)
	keys := []string{}
	for _, l := range lev {
		keys = append(keys, l.Key)
		if l.Key == "successions" && (len(l.Why) != 1 || l.Why[0] != "Une accessibilité qui repose sur des médecins généralistes de 65 ans et plus" || l.Check) {
			t.Errorf("successions lever %+v", l)
		}
		if l.Key == "cpts" && !l.Check {
			t.Errorf("CPTS lever on an unknown perimeter must be a check: %+v", l)
		}
	}
	want := []string{"successions", "exercice_coordonne", "cls", "cpts", "hopital_proximite"}
	if len(keys) != len(want) {
		t.Fatalf("levers %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("levers %v, want %v", keys, want)
		}
	}
}

// TestThresholdClasses: the zonage classes at their bounds — 2.5 is low
// (≤ 2.5), 4 is middle (2.5 < APL ≤ 4), above 4 is high — of the value as
// shown with two decimals: 2.503 is shown "2,50", at the threshold
// (Le Blanc-Mesnil's 2.505 is shown "2,51", above it).
func TestThresholdClasses(t *testing.T) {
	th := DefaultThresholds
	for v, want := range map[float64]string{0: "low", 2.5: "low", 2.5000001: "middle", 2.501: "middle", 2.504: "middle", 2.505: "middle", 2.51: "middle",
		4: "middle", 4.0000001: "high", 4.001: "high", 4.005: "high", 9: "high"} {
		if got := th.Class(v); got != want {
			t.Errorf("Class(%v) = %s, want %s", v, got, want)
		}
	}
}
