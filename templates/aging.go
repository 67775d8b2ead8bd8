package templates

import (
	"github.com/diagsante/diagsante/diagnostic"
)

// The DREES publishes, for every commune, a second APL: the accessibility
// to the GPs under 65 only. The gap between the two is the part of the
// accessibility (consultations weighted by each GP's activity and by
// distance) provided by the GPs aged 65 and over — not a headcount of
// doctors by age, which the open data do not give at these scales. Its
// workbook names the index "APL aux médecins généralistes de moins de 65
// ans" (column) but its reading note says "médecins âgés de 65 ans ou
// moins": the report follows the column and names the complement
// "médecins généralistes de 65 ans et plus" everywhere, and quotes both in
// the method section.
const (
	// gp65 names the GPs aged 65 and over, everywhere the report does.
	gp65 = "médecins généralistes de 65 ans et plus"
	// gpUnder65 names the GPs the DREES's second index counts.
	gpUnder65 = "médecins généralistes de moins de 65 ans"
	// dreesColumn and dreesReadingNote are the DREES workbook's own words.
	dreesColumn      = "APL aux médecins généralistes de moins de 65 ans"
	dreesReadingNote = "médecins âgés de 65 ans ou moins"
)

// dreesHeadline is the DREES national figure the press quotes; it is the
// APL to GPs under 65, not the all-ages APL of C@rtoSanté.
const dreesHeadline = "« 3,3 consultations par an et par habitant en 2023, −1,4 % depuis 2022 »"

// pressNote says which APL a reader will find in the press and which in
// C@rtoSanté, next to the report's own figures: the DREES headline is the
// APL to GPs under 65, C@rtoSanté shows the all-ages APL. France's values
// of the report are quoted when it has them.
func pressNote(r *diagnostic.Report) string {
	here := ""
	if fr := levelKind(r, "france"); fr != nil && fr.APLUnder65_2023 != nil {
		here = " (dans ce rapport, France : " + Num(*fr.APLUnder65_2023, r.Thresholds.Decimals(*fr.APLUnder65_2023))
		if fr.APLUnder65_2022 != nil && *fr.APLUnder65_2022 > 0 {
			here += " en 2023, " + signedPct(*fr.APLUnder65_2023 / *fr.APLUnder65_2022 - 1) + " depuis 2022"
		}
		here += ")"
	}
	allAges := ""
	if fr := levelKind(r, "france"); fr != nil && fr.APL2023 != nil {
		allAges = " ; France : " + Num(*fr.APL2023, r.Thresholds.Decimals(*fr.APL2023)) + " dans ce rapport"
	}
	return "Pour comparer avec la presse ou C@rtoSanté : le chiffre national de la DREES repris par la presse, " + dreesHeadline +
		" (publication du 20 décembre 2024), est l'APL aux " + gpUnder65 + here +
		", c'est-à-dire l'accessibilité sans les " + gp65 + " ; C@rtoSanté affiche l'APL tous âges, celle des autres chiffres d'APL de ce rapport (par exemple Paris 1er : 6,5" + allAges + ")."
}

// allAgesNote is the footnote of the headline APL figures: they count
// GPs of every age, as C@rtoSanté does, unlike the DREES national headline.
func allAgesNote(r *diagnostic.Report) string {
	return "APL tous âges : celle qu'affiche C@rtoSanté (par exemple Paris 1er : 6,5). Le chiffre national de la DREES repris par la presse, " +
		dreesHeadline + ", est l'APL aux " + gpUnder65 + " : voir « Vieillissement de l'offre »."
}

func levelKind(r *diagnostic.Report, kind string) *diagnostic.Level {
	for i := range r.Levels {
		if r.Levels[i].Kind == kind {
			return &r.Levels[i]
		}
	}
	return nil
}

// signedPct formats a relative change with its sign ("−1,4 %", "+2,0 %").
func signedPct(v float64) string {
	s := Pct(v, 1)
	if v > 0 && s != Pct(0, 1) {
		return "+" + s
	}
	return s
}

// signedPoints formats a change of a share in percentage points
// ("+9,7 points").
func signedPoints(d float64) string {
	s := Num(100*d, 1)
	if d > 0 && s != Num(0, 1) {
		s = "+" + s
	}
	return s + nbsp + "points"
}

// shareHighUnder65 is the share of the population above the middle
// threshold without the GPs aged 65 and over, as the model computes it.
func shareHighUnder65(f diagnostic.Figures) *float64 { return f.ShareHighUnder65 }

// shareFrom65Trend is the change of the share from GPs aged 65 and over
// between 2022 and 2023, in points; nil when either year is unknown.
func shareFrom65Trend(f diagnostic.Figures) *float64 {
	if f.ShareFrom65Plus == nil || f.ShareFrom65Plus2022 == nil {
		return nil
	}
	d := *f.ShareFrom65Plus - *f.ShareFrom65Plus2022
	return &d
}

// agingView is the "Vieillissement de l'offre" block of the synthèse.
type agingView struct {
	Share, APLU65, LowU65                fig
	ShareNote, APLNote, LowNote          string
	APLU65Unit                           string // "consultation(s)" agreeing with APLU65
	ShareCompare, APLCompare, LowCompare []fig
	ShareTone, APLTone, LowTone          string
	Rows                                 []agingRow
	Press                                string
}

// agingRow is one level of the block's tables.
type agingRow struct {
	Name, Kind                      string
	Share22, Share23, Trend         fig
	APL, APLU65                     fig
	Low, LowU65, MiddleU65, HighU65 fig
}

// trendFig formats the change of the share from GPs 65+ in points, n.d.
// with the note of the missing year.
func trendFig(nb *notebook, sec string, f diagnostic.Figures) fig {
	d := shareFrom65Trend(f)
	if d == nil {
		field := "share_from_65_plus"
		if f.ShareFrom65Plus != nil {
			field = "share_from_65_plus_2022"
		}
		return nb.cell(sec, f.Gaps, field, "", true)
	}
	out := nb.cell(sec, f.Gaps, "share_from_65_plus", signedPoints(*d), false)
	if g := gapOf(f.Gaps, "share_from_65_plus_2022"); g != nil {
		out = nb.withNote(out, sec, g.Reason)
	}
	return out
}

func agingBlock(r *diagnostic.Report, nb *notebook) agingView {
	const sec = secSynthese
	t := r.Levels[0].Figures
	var v agingView
	v.Share = nb.pct(sec, t.Gaps, "share_from_65_plus", t.ShareFrom65Plus, 0)
	if t.ShareFrom65Plus2022 != nil {
		v.ShareNote = "2022 : " + Pct(*t.ShareFrom65Plus2022, 0)
		if d := shareFrom65Trend(t); d != nil {
			v.ShareNote += " (" + signedPoints(*d) + " en un an)"
		}
	}
	v.ShareCompare = compareLevels(r, func(l diagnostic.Level) fig {
		return nb.pct(sec, l.Gaps, "share_from_65_plus", l.ShareFrom65Plus, 0)
	})
	fr := levelKind(r, "france")
	if t.ShareFrom65Plus != nil && fr != nil && fr.ShareFrom65Plus != nil {
		switch {
		case *t.ShareFrom65Plus >= *fr.ShareFrom65Plus+0.10:
			v.ShareTone = "low"
		case *t.ShareFrom65Plus >= *fr.ShareFrom65Plus+0.05:
			v.ShareTone = "middle"
		}
	}

	v.APLU65 = nb.num(sec, t.Gaps, "apl_under65_2023", t.APLUnder65_2023, aplDec(r.Thresholds, t.APLUnder65_2023))
	v.APLU65Unit = diagnostic.UnitAgree(t.APLUnder65_2023, aplDec(r.Thresholds, t.APLUnder65_2023), "consultation", "consultations")
	if t.APL2023 != nil {
		v.APLNote = "avec eux (APL 2023 tous âges) : " + Num(*t.APL2023, r.Thresholds.Decimals(*t.APL2023))
	}
	if t.APLUnder65_2023 != nil {
		v.APLTone = r.Thresholds.Class(*t.APLUnder65_2023)
	}
	v.APLCompare = compareLevels(r, func(l diagnostic.Level) fig {
		f := nb.num(sec, l.Gaps, "apl_under65_2023", l.APLUnder65_2023, aplDec(r.Thresholds, l.APLUnder65_2023))
		if l.APLUnder65_2023 != nil && l.APL2023 != nil {
			f.Text += " (avec eux : " + Num(*l.APL2023, r.Thresholds.Decimals(*l.APL2023)) + ")"
		}
		return f
	})

	v.LowU65 = nb.pct(sec, t.Gaps, "share_apl_low_under65", t.ShareLowUnder65, 0)
	if t.ShareLow != nil {
		v.LowNote = "aujourd'hui : " + Pct(*t.ShareLow, 0)
		if t.ShareLowUnder65 != nil && *t.ShareLowUnder65-*t.ShareLow >= 0.2 {
			v.LowTone = "low"
		}
	}
	v.LowCompare = compareLevels(r, func(l diagnostic.Level) fig {
		f := nb.pct(sec, l.Gaps, "share_apl_low_under65", l.ShareLowUnder65, 0)
		if l.ShareLowUnder65 != nil && l.ShareLow != nil {
			f.Text += " (aujourd'hui : " + Pct(*l.ShareLow, 0) + ")"
		}
		return f
	})

	for _, l := range r.Levels {
		f, g := l.Figures, l.Figures.Gaps
		row := agingRow{Name: levelName(l), Kind: l.Kind,
			Share22:   nb.pct(sec, g, "share_from_65_plus_2022", f.ShareFrom65Plus2022, 1),
			Share23:   nb.pct(sec, g, "share_from_65_plus", f.ShareFrom65Plus, 1),
			Trend:     trendFig(nb, sec, f),
			APL:       nb.num(sec, g, "apl_2023", f.APL2023, aplDec(r.Thresholds, f.APL2023)),
			APLU65:    nb.num(sec, g, "apl_under65_2023", f.APLUnder65_2023, aplDec(r.Thresholds, f.APLUnder65_2023)),
			Low:       nb.pct(sec, g, "share_apl_low", f.ShareLow, 1),
			LowU65:    nb.pct(sec, g, "share_apl_low_under65", f.ShareLowUnder65, 1),
			MiddleU65: nb.pct(sec, g, "share_apl_middle_under65", f.ShareMiddleUnder65, 1),
			HighU65:   nb.pct(sec, g, "share_apl_high_under65", shareHighUnder65(f), 1),
		}
		v.Rows = append(v.Rows, row)
	}
	v.Press = pressNote(r)
	return v
}

// method65 is the method note on the GPs aged 65 and over: the DREES's two
// wordings, the name the report uses, the formula, what the scenario is,
// and which APL the press and C@rtoSanté show.
func method65() string {
	return "le fichier APL de la DREES donne, pour chaque commune, l'APL tous âges et une colonne intitulée « " + dreesColumn +
		" », que sa note de lecture décrit comme l'accessibilité aux « " + dreesReadingNote + " ». Ce rapport suit l'intitulé de la colonne et nomme le complément « " + gp65 +
		" ». La part de l'accessibilité qu'ils assurent est 1 − APL aux " + gpUnder65 + " / APL, sur les moyennes pondérées par la population standardisée : " +
		"une part des consultations accessibles, pondérée par l'activité de chaque médecin et par la distance, pas une part des médecins. " +
		"Le scénario « départs à la retraite » est l'APL aux " + gpUnder65 + " publiée par la DREES (sans remplacement des départs ni report des patients) ; " +
		"ses parts de population classent chaque ligne publiée selon cette APL. Le chiffre national de la DREES repris par la presse, " + dreesHeadline +
		" (publication du 20 décembre 2024), est cette APL aux " + gpUnder65 + " ; C@rtoSanté et les autres APL de ce rapport sont tous âges (par exemple Paris 1er : 6,5)."
}
