package diagnostic

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// Professions are the libéral professions compared across levels, as
// (sheet, category) of the Assurance Maladie table.
// RPPS is the profession of the imported RPPS per-commune table that
// matches (libéral activity), "" when the RPPS does not tell it apart
// without the specialities.
var Professions = []struct {
	Key, Label, Sheet, Category, RPPS string
}{
	{"mg", "Médecins généralistes", "Généralistes et MEP", "01- Médecine générale", "GP"},
	{"spec", "Médecins spécialistes (total)", "Spécialistes", "TOTAL SPECIALISTES", ""},
	{"pediatre", "Pédiatres", "Spécialistes", "TOTAL PEDIATRIE  (78, 12)", ""},
	{"gyneco", "Gynécologues", "Spécialistes", "TOTAL GYNECOLOGIE  (70, 77, 79, 07)", ""},
	{"psychiatre", "Psychiatres", "Spécialistes", "TOTAL PSYCHIATRIE  (75, 33,17)", ""},
	{"ophtalmo", "Ophtalmologues", "Spécialistes", "15- Ophtalmologie", ""},
	{"dentiste", "Chirurgiens-dentistes", "Dentistes et ODF", "19- Chirurgiens-dentistes", "40"},
	{"sagefemme", "Sages-femmes", "Sages-femmes", "21- Sages-femmes", "50"},
	{"infirmier", "Infirmiers", "Auxiliaires médicaux", "24- Infirmiers", "60"},
	{"kine", "Masseurs-kinésithérapeutes", "Auxiliaires médicaux", "26- Masseurs-kinésithérapeutes-rééducateurs", "70"},
	{"orthophoniste", "Orthophonistes", "Auxiliaires médicaux", "28- Orthophonistes", "91"},
}

// Build computes the whole report of a resolved territory. title overrides
// the territory's label when not empty.
func (e *Engine) Build(t *Territory, title string) *Report {
	s := e.Snap
	if title == "" {
		title = t.Label
	}
	// Source names may hold doubled spaces ("CA ECLA  (Espace
	// Communautaire Lons Agglomération)").
	// The longest parts that do not depend on the territory (the figures
	// of France, the facility indexes) start at once, on the other core.
	var warm sync.WaitGroup
	warm.Go(func() { e.facilityIndexes() })
	warm.Go(func() { e.LevelFigures("france", "") })
	defer warm.Wait()
	r := &Report{Title: SpaceNorm(title), Thresholds: e.Thresholds, GPSource: "BPE 2017"}
	if t := s.Manifest.Table("gp_bpe"); t != nil && t.Origin != "" && t.Origin != "embedded" {
		r.GPFromRPPS = true
		r.GPSource = "RPPS"
		if t.Vintage != "" {
			r.GPSource += " " + t.Vintage
		}
	}
	info := TerritoryInfo{Label: t.Label, Items: t.Items, Warnings: nonNil(t.Warnings), Remarks: nonNil(t.Remarks), Communes: len(t.Communes)}
	deps, regs, epcis := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, code := range t.Communes {
		c := s.Place(code)
		if c == nil {
			continue
		}
		info.Population += c.Population
		deps[c.Dep], regs[c.Reg] = true, true
		if c.EPCI != "" {
			epcis[c.EPCI] = true
		}
		r.Communes = append(r.Communes, e.communeFigures(code))
	}
	for _, d := range sortedKeys(deps) {
		info.Departements = append(info.Departements, Named{d, nameOr(s.Departement(d) != nil, func() string { return s.Departement(d).Name }, d)})
	}
	for _, g := range sortedKeys(regs) {
		info.Regions = append(info.Regions, Named{g, nameOr(s.Region(g) != nil, func() string { return s.Region(g).Name }, g)})
	}
	for _, x := range sortedKeys(epcis) {
		info.EPCIs = append(info.EPCIs, Named{x, nameOr(s.EPCI(x) != nil, func() string { return SpaceNorm(s.EPCI(x).Name) }, x)})
	}
	r.Territory = info
	r.Levels = append([]Level{{Kind: "territory", Code: "", Name: title, Figures: e.Figures(t.Communes)}}, e.Levels(t.Communes)...)
	r.Professions = e.professions(r.Levels[1:])
	e.territoryProfessions(r, t.Communes)
	r.Structures = e.structures(t.Communes)
	r.HADServing, r.HADKnown = e.hadServing(deps)
	r.CPTS = e.cptsInfo(t.Communes)
	e.fillAccess(r)
	r.Neighbours = e.neighbours(r)
	r.Sources = s.Manifest.Tables
	if src := r.Levels[0].GPSource; src != "" {
		r.GPSource = src
	}
	for _, x := range s.SAS {
		if deps[x.Dep] {
			r.SAS = append(r.SAS, SASStatus{Dep: x.Dep, Dispositif: x.Dispositif, Status: x.Status, Detail: x.Precision, Date: x.Date})
		}
	}
	if !e.Date.IsZero() {
		r.ReportDate = e.Date.Format("2006-01-02")
	}
	r.DataDates = SourceDates(s, sortedKeys(deps), e.Date)
	r.Limits = e.limits(r, t.Communes)
	if t := s.Manifest.Table("communes"); t != nil {
		r.PopulationSource = strings.TrimPrefix(t.Vintage, "COG 2026, ")
	}
	r.TravelTimes = "modèle à vol d'oiseau"
	r.TravelTimeError = "Temps estimés par un modèle : " + modelErrorText() + "."
	if e.TimesSource != "" {
		r.TravelTimes = "matrice fournie (" + e.TimesSource + "), modèle à vol d'oiseau ailleurs"
	}
	r.Attention, r.Levers = Findings(r)
	return r
}

func nameOr(ok bool, name func() string, def string) string {
	if ok {
		return name()
	}
	return def
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// limits are the caveats of a report, written from the data actually used
// for the territory: sources and vintages come from the snapshot's
// coverage, not from a fixed text.
func (e *Engine) limits(r *Report, codes []string) []string {
	t := r.Levels[0].Figures
	out := []string{
		"L'APL affichée est la valeur officielle publiée par la DREES (APL 2023, populations 2021), tous âges de médecins généralistes confondus (c'est celle de C@rtoSanté). " +
			"Les communiqués nationaux de la DREES citent l'APL aux médecins généralistes de moins de 65 ans (3,3 consultations par an et par habitant en France en 2023) : les deux sont donnés ici. " +
			"Une APL de territoire est la moyenne des lignes publiées (communes, ou arrondissements de Paris, Lyon et Marseille) pondérée par leur population standardisée, comme le prescrit la DREES ; " +
			"les parts de population sous les seuils classent chaque ligne publiée selon sa propre valeur et comptent sa population totale.",
	}
	out = append(out, e.gpLimit(t))
	out = append(out, "Les autres professions ne sont publiées qu'au niveau départemental (Assurance Maladie, libéraux au 31/12/2023) : le territoire est comparé par ses départements.")
	if src := t.Sources[taxonomy.CoverageEstablishments]; len(src) > 0 {
		l := "Les établissements du territoire viennent de : " + strings.Join(src, " ; ") + " ; les services d'urgences et maternités de la SAE 2020."
		if fr := r.level("france"); fr != nil && len(fr.Sources[taxonomy.CoverageEstablishments]) > 1 {
			l += " Les niveaux de comparaison mélangent des millésimes (" + strings.Join(fr.Sources[taxonomy.CoverageEstablishments], " ; ") +
				") : un territoire couvert par une extraction récente paraît mieux équipé en partie à cause des dates."
		}
		out = append(out, l)
	}
	out = append(out, "Les seuils de 2,5 et 4 consultations par an et par habitant sont les seuils nationaux de l'"+r.Thresholds.Text+
		" : le zonage réel est arrêté par chaque ARS par territoire de vie-santé ; il n'est montré ici qu'à titre indicatif.")
	for _, table := range []struct{ name, what string }{
		{"cpts", "Les périmètres de CPTS"},
		{taxonomy.CoverageProximity, "Les hôpitaux de proximité (label créé en 2022)"},
		{taxonomy.CoverageSNP, "Les structures de soins non programmés et du SAS"},
	} {
		if d := e.describeCoverage(e.Snap.Manifest.Table(table.name)); d != "" {
			out = append(out, table.what+" : "+d+". Ailleurs : « n.d. », jamais 0.")
		}
	}
	out = append(out, e.aplNotes(codes)...)
	var noTime []string
	for _, k := range accessKinds {
		if r.access(k.key) == nil {
			noTime = append(noTime, strings.ToLower(KindLabel(k.key)[:1])+KindLabel(k.key)[1:])
		}
	}
	if len(noTime) > 0 {
		out = append(out, "Temps d'accès non calculés (n.d.) pour : "+strings.Join(noTime, " ; ")+
			". Soit la source ne couvre pas le territoire, soit ses établissements n'ont pas de coordonnées exploitables (outre-mer dans le FINESS 2021) ; un établissement d'un autre département d'outre-mer n'est jamais pris pour le plus proche.")
	}
	model := "estimés à partir de la distance à vol d'oiseau entre le point de la commune et l'établissement, par un modèle calé sur des temps routiers réels des Alpes-Maritimes : " + modelErrorText()
	if e.TimesSource != "" {
		out = append(out, "Les temps de trajet viennent de la matrice de temps routiers fournie ("+e.TimesSource+") pour les paires qu'elle liste ; les autres sont "+model+". Un établissement situé dans la commune compte pour 0 minute (convention INSEE).")
	} else {
		out = append(out, "Les temps de trajet sont "+model+". Un établissement situé dans la commune compte pour 0 minute (convention INSEE). Fournir une matrice de temps routiers (--travel-times) remplace le modèle.")
	}
	return append(out, StaleLimits(r.DataDates)...)
}

// gpLimit says where the territory's GP counts come from.
func (e *Engine) gpLimit(t Figures) string {
	switch {
	case t.GPSource == "":
		return "Les effectifs de médecins généralistes par commune ne sont pas disponibles pour ce territoire dans les données chargées."
	case strings.Contains(t.GPSource, "RPPS"):
		return "Les effectifs de médecins généralistes viennent de l'extraction RPPS importée (" + t.GPSource + ") : médecins généralistes ayant une activité libérale ou salariés d'un centre de santé (comme l'APL de la DREES), chaque personne comptée une fois dans le territoire."
	}
	return "Les effectifs de médecins généralistes par commune viennent de la Base permanente des équipements 2017 (INSEE) : ils ont plusieurs années de retard, Paris, Lyon et Marseille n'y sont comptés que pour la ville entière et Paris et l'outre-mer en sont absents."
}

// aplNotes says what was done with the APL rows of the territory that do
// not fit today's communes: rows published with a population of 0 (communes
// that left a commune nouvelle, whose inhabitants the DREES counted in the
// row of the commune they left), communes without a row (created or
// restored after the vintage), rows of former communes merged since.
func (e *Engine) aplNotes(codes []string) []string {
	var zero, none, merged []string
	for _, code := range codes {
		c := e.Snap.Place(code)
		if c == nil {
			continue
		}
		a, ok := e.APL.Get(code, 2023)
		switch {
		case !ok:
			if c.Dep != "976" && c.Population > 0 {
				none = append(none, c.Name+" ("+code+")")
			}
		case e.Snap.CityOf(code) == "" && len(e.Snap.ArrondissementsOf(code)) == 0 && len(a.Rows) > 1:
			merged = append(merged, fmt.Sprintf("%s (%s : %d lignes)", c.Name, code, len(a.Rows)))
		}
		if ok {
			for _, row := range a.Rows {
				if row.PopTotal == 0 {
					zero = append(zero, c.Name+" ("+row.Code+")")
				}
			}
		}
	}
	var out []string
	if len(zero) == 1 {
		out = append(out, "L'APL 2023 "+NameOf(zero[0], -1)+" est publiée avec une population nulle : cette commune est sortie d'une commune nouvelle et ses habitants sont comptés dans la ligne de la commune qu'elle a quittée. "+
			"La valeur publiée est montrée pour la commune, mais elle ne pèse ni dans les moyennes ni dans les parts de population.")
	} else if len(zero) > 1 {
		out = append(out, "L'APL 2023 des communes "+joinFr(zero)+" est publiée avec une population nulle : ces communes sont sorties d'une commune nouvelle et leurs habitants sont comptés dans la ligne de la commune qu'elles ont quittée. "+
			"La valeur publiée est montrée pour chaque commune, mais elle ne pèse ni dans les moyennes ni dans les parts de population.")
	}
	if len(none) > 0 {
		out = append(out, "La DREES ne publie pas d'APL 2023 pour "+joinFr(limitList(none, 8))+" (créées ou rétablies après le millésime ; leurs habitants sont comptés dans la ligne de leur ancienne commune) : APL « n.d. ».")
	}
	if len(merged) > 0 {
		out = append(out, "Communes fusionnées après le millésime de l'APL : "+joinFr(limitList(merged, 8))+". Chaque ligne publiée garde sa valeur pour les parts de population ; la valeur de la commune est leur moyenne pondérée par la population standardisée.")
	}
	return out
}

func limitList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], Plural(len(s)-n, "autre", "autres"))
}

func (e *Engine) communeFigures(code string) CommuneFigures {
	s := e.Snap
	c := s.Place(code)
	// Without the share of the 75+, which CommuneFigures do not carry:
	// no commune is a whole département but Paris, and its gap would be
	// noise in every commune.
	f := e.figures([]string{code}, e.APL)
	cf := CommuneFigures{Code: c.Code, Name: c.Name, Dep: c.Dep, EPCI: c.EPCI, Population: c.Population, Structures: f.Structures, CPTS: nonNil(e.cptsOf[code]),
		GPs: f.GPs, GPDensity: f.GPDensity, GPSource: f.GPSource, NeedIndex: f.NeedIndex, APL2022: f.APL2022,
		APLUnder65_2023: f.APLUnder65_2023, APLUnder65_2022: f.APLUnder65_2022, ShareFrom65Plus: f.ShareFrom65Plus, Gaps: f.Gaps}
	if ep := s.EPCI(c.EPCI); ep != nil {
		cf.EPCIName = SpaceNorm(ep.Name)
	}
	if c.HasPoint() {
		cf.Lat, cf.Lon = ptr(c.Lat), ptr(c.Lon)
	}
	if a, ok := e.APL.Get(code, 2023); ok {
		cf.APL2023 = ptr(a.Value)
		cf.APLClass = e.Thresholds.Class(a.Value)
		cf.APLRows = a.Parts()
	}
	return cf
}

// liberal returns the count of a profession at a level ("FR" for France).
func (e *Engine) liberal(sheet, category string, deps map[string]bool, france bool) (int, bool) {
	e.libOnce.Do(func() {
		e.libIdx = map[[2]string]map[string]int{}
		for _, l := range e.Snap.Liberal {
			k := [2]string{l.Sheet, l.Category}
			m := e.libIdx[k]
			if m == nil {
				m = map[string]int{}
				e.libIdx[k] = m
			}
			m[l.Dep] += l.Total
		}
	})
	// Indexed once per engine: the units of a batch ask for the same
	// professions of the same départements (was a scan of the whole table
	// per profession and level, 60 % of a commune's Build).
	byDep := e.libIdx[[2]string{sheet, category}]
	if france {
		n, ok := byDep["FR"]
		return n, ok
	}
	n, found := 0, false
	for d := range deps {
		if v, ok := byDep[d]; ok {
			n += v
			found = true
		}
	}
	return n, found
}

func (e *Engine) professions(levels []Level) []ProfessionFigures {
	var out []ProfessionFigures
	for _, p := range Professions {
		pf := ProfessionFigures{Key: p.Key, Label: p.Label}
		for _, l := range levels {
			deps := map[string]bool{}
			switch l.Kind {
			case "departement":
				deps[l.Code] = true
			case "region":
				for _, d := range e.Snap.Departements {
					if d.Region == l.Code {
						deps[d.Code] = true
					}
				}
			}
			pl := ProfessionLevel{Kind: l.Kind, Code: l.Code, Name: l.Name}
			if n, ok := e.liberal(p.Sheet, p.Category, deps, l.Kind == "france"); ok {
				pl.Count = ptr(n)
				if l.Population > 0 {
					pl.Density = ptr(float64(n) / float64(l.Population) * 10000)
				}
			}
			pf.Levels = append(pf.Levels, pl)
		}
		out = append(out, pf)
	}
	return out
}

func (e *Engine) structures(codes []string) []Structure {
	var out []Structure
	for _, code := range codes {
		cname := e.Snap.Place(code).Name
		for _, i := range e.establishmentsIn(code) {
			est := e.Snap.Establishments[i]
			for _, k := range e.kindsAt[i] {
				st := Structure{Kind: k, KindLabel: KindLabel(k), Finess: est.Finess, Name: SpaceNorm(est.Name), Category: est.Category, CategoryLbl: est.CategoryLabel,
					Commune: code, CommuneName: cname, Address: CleanAddress(est.Address), Source: est.Source}
				if est.HasPoint {
					st.Lat, st.Lon = ptr(est.Lat), ptr(est.Lon)
				}
				switch k {
				case "emergency":
					u := e.emergency[est.Finess]
					var kinds []string
					if u.General {
						kinds = append(kinds, "générales")
					}
					if u.Pediatric {
						kinds = append(kinds, "pédiatriques")
					}
					passages := "nombre de passages non renseigné dans la SAE " + strconv.Itoa(u.Year)
					if u.Passages != nil {
						passages = Plural(*u.Passages, "passage", "passages") + " en " + strconv.Itoa(u.Year)
					}
					st.Detail = strings.TrimSpace("urgences "+strings.Join(kinds, " et ")) + " ; " + passages
				case "maternity":
					m := e.maternity[est.Finess]
					st.Detail = "maternité de type " + strings.TrimPrefix(m.Type, "TYPE") + " ; " + Plural(m.Births, "accouchement", "accouchements") + " en " + strconv.Itoa(m.Year)
				}
				out = append(out, st)
			}
		}
	}
	order := map[string]int{}
	for i, k := range Kinds {
		order[k.Key] = i
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Finess < out[j].Finess
	})
	return out
}

func (e *Engine) cptsInfo(codes []string) []CPTSInfo {
	in := map[string]bool{}
	for _, c := range codes {
		in[c] = true
	}
	// A CPTS touches the territory when one of its places (communes, or
	// the arrondissements it lists) is in the territory, or inside one of
	// the territory's places; the counts are of the places the source
	// lists, each once (CPTS Guil Durance lists 05001 and its former code
	// 05120: 31 communes, not 32).
	touches := func(m snapshot.CPTSMember) bool {
		if in[m.Commune] {
			return true
		}
		for _, a := range m.Arrondissements {
			if in[a] {
				return true
			}
		}
		return false
	}
	total, inside := map[string]int{}, map[string]int{}
	seen := map[string]bool{}
	for _, m := range e.Snap.CPTS {
		key := m.CPTS + "\x00" + m.Commune + "\x00" + strings.Join(m.Arrondissements, "|")
		if seen[key] {
			continue
		}
		seen[key] = true
		total[m.CPTS]++
		if touches(m) {
			inside[m.CPTS]++
		}
	}
	var out []CPTSInfo
	for name, n := range inside {
		out = append(out, CPTSInfo{Name: name, InTerritory: n, Total: total[name]})
	}
	// CPTS known only by their FINESS seat (where perimeters are unknown).
	for _, code := range codes {
		c := e.Snap.Place(code)
		for _, i := range e.establishmentsIn(code) {
			est := e.Snap.Establishments[i]
			if est.Category == "604" && !e.cptsKnown(c.Dep) {
				out = append(out, CPTSInfo{Name: est.Name, SeatOnly: true})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// territoryProfessions adds the territory's own column to the professions
// when an RPPS extraction was imported: the only source of per-commune
// counts of professions other than GPs. Counts are libéral practitioners,
// as the Assurance Maladie columns next to them.
func (e *Engine) territoryProfessions(r *Report, codes []string) {
	if len(e.Snap.Professionals) == 0 {
		return
	}
	in := make(map[string]bool, len(codes))
	for _, c := range codes {
		in[c] = true
	}
	counts := map[string]int{}
	for _, p := range e.Snap.Professionals {
		if in[p.Code] {
			counts[p.Profession] += p.Liberal
		}
	}
	pop := r.Levels[0].Population
	for i := range r.Professions {
		pl := ProfessionLevel{Kind: "territory", Name: r.Title}
		if code := Professions[i].RPPS; code != "" {
			n := counts[code]
			pl.Count = ptr(n)
			if pop > 0 {
				pl.Density = ptr(float64(n) / float64(pop) * 10000)
			}
		}
		r.Professions[i].Levels = append([]ProfessionLevel{pl}, r.Professions[i].Levels...)
	}
}

// modelErrorText states the measured error of the travel-time model, with
// where it was measured and what is not known (access.MeasuredError).
func modelErrorText() string {
	m := access.MeasuredError
	dir := "plus rapide"
	if m.Bias > 0 {
		dir = "plus lent"
	}
	bias := math.Abs(m.Bias)
	return "sur " + FormatInt(m.Trips) + " trajets de " + FormatNum(m.MaxMinutes, 0) + " minutes au plus, il s'écarte des temps routiers réels de " +
		FormatNum(m.MAE, 1) + " " + UnitAgree(&m.MAE, 1, "minute", "minutes") + " en moyenne et se montre " + dir + " que la route de " +
		FormatNum(bias, 1) + " " + UnitAgree(&bias, 1, "minute", "minutes") + " en moyenne (" + m.Where + ") ; ailleurs, faute de temps routiers ouverts, son erreur n'est pas mesurée"
}

// hadServing lists the HAD establishments located in the départements
// given, by name: the services that may come to the territory's patients.
// known is false when the establishments table does not cover one of the
// départements: the list is then not given.
func (e *Engine) hadServing(deps map[string]bool) (out []Structure, known bool) {
	for d := range deps {
		if _, ok := e.covers("establishments", d); !ok {
			return nil, false
		}
	}
	out = []Structure{}
	// The place of each HAD, looked up once per engine (a batch asks for
	// each of its units).
	e.hadOnce.Do(func() {
		e.hadPlaces = make([]*snapshot.Commune, len(e.had))
		for j, i := range e.had {
			e.hadPlaces[j] = e.Snap.Place(e.Snap.Establishments[i].Commune)
		}
	})
	for j, i := range e.had {
		est := &e.Snap.Establishments[i]
		p := e.hadPlaces[j]
		if p == nil || !deps[p.Dep] {
			continue
		}
		out = append(out, Structure{Kind: "had", KindLabel: KindLabel("had"), Finess: est.Finess, Name: SpaceNorm(est.Name),
			Category: est.Category, CategoryLbl: est.CategoryLabel, Commune: p.Code, CommuneName: p.Name, Address: CleanAddress(est.Address), Source: est.Source})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Finess < out[j].Finess
	})
	return out, true
}
