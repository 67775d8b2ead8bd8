package diagnostic

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Unknown is not zero: every table of the snapshot says which départements
// it describes (snapshot.TableInfo.Coverage). A figure of a place outside a
// table's coverage is unknown; a figure of a level that is only partly
// covered is computed over the covered part, and both say so in a Gap that
// the renderers show as "n.d." or as a footnote.

// A Gap says why a figure is unknown (Status "unknown": the value is null)
// or computed over part of the level only (Status "partial").
type Gap struct {
	// Field is the JSON name of the figure, e.g. "apl_2023", "gps",
	// "structures.proximity", "cpts_population_share".
	Field  string `json:"field"`
	Status string `json:"status"` // unknown, partial
	// Reason is a French sentence for the report's footnote.
	Reason string `json:"reason"`
}

// Gap statuses.
const (
	GapUnknown = "unknown"
	GapPartial = "partial"
)

// Gap returns the gap of a figure, or nil when the figure is complete.
func (f *Figures) Gap(field string) *Gap {
	for i := range f.Gaps {
		if f.Gaps[i].Field == field {
			return &f.Gaps[i]
		}
	}
	return nil
}

// Known reports whether a figure has a value (complete or partial).
func (f *Figures) Known(field string) bool {
	g := f.Gap(field)
	return g == nil || g.Status != GapUnknown
}

// coverage tells, for one table or figure, which départements of a set of
// places it covers, and with which sources.
type coverage struct {
	what              string // French: "les hôpitaux de proximité"
	in, out           map[string]bool
	popIn, popOut     int
	sources           map[string]bool
	known             func(dep string) (snapshot.Coverage, bool)
	describeKnownDeps func() string
}

// covers returns the source and vintage a table (or coverage entry) holds
// for a département, from an index built once: Figures asks it for every
// place of France.
func (e *Engine) covers(table, dep string) (snapshot.Coverage, bool) {
	e.covOnce.Do(func() {
		e.covIdx = map[string]map[string]snapshot.Coverage{}
		for _, t := range e.Snap.Manifest.Tables {
			if t.Coverage == nil {
				e.covIdx[t.Name] = nil // national
				continue
			}
			m := make(map[string]snapshot.Coverage, len(t.Coverage))
			for _, c := range t.Coverage {
				m[c.Dep] = c
			}
			e.covIdx[t.Name] = m
		}
	})
	m, known := e.covIdx[table]
	switch {
	case !known:
		return snapshot.Coverage{}, false
	case m == nil:
		t := e.Snap.Manifest.Table(table)
		return snapshot.Coverage{Dep: dep, Source: t.Source, Vintage: t.Vintage}, true
	}
	c, ok := m[dep]
	return c, ok
}

// newCoverage starts the coverage of a snapshot table or coverage entry.
func (e *Engine) newCoverage(table, what string) *coverage {
	t := e.Snap.Manifest.Table(table)
	c := &coverage{what: what, in: map[string]bool{}, out: map[string]bool{}, sources: map[string]bool{}}
	c.known = func(dep string) (snapshot.Coverage, bool) { return e.covers(table, dep) }
	c.describeKnownDeps = func() string { return e.describeCoverageCached(table, t) }
	return c
}

// add records a place of a département and population; it returns whether
// the table covers it.
func (c *coverage) add(dep string, pop int) bool {
	cv, ok := c.known(dep)
	if ok {
		if !c.in[dep] {
			c.in[dep] = true
			if cv.Source != "" {
				c.sources[cv.Source] = true
			}
		}
		c.popIn += pop
	} else {
		c.addOut(dep, pop)
	}
	return ok
}

// addOut records a place the figure does not cover whatever the table
// says (e.g. an arrondissement for a source that counts cities whole).
func (c *coverage) addOut(dep string, pop int) {
	if !c.out[dep] {
		c.out[dep] = true
	}
	c.popOut += pop
}

// MinCoverage is the least share of a level's population that a source
// must cover for a figure computed over the covered part to be shown for
// the level (with its "partial" note). Below it the figure is null with a
// gap: France's share of the population in a known CPTS perimeter, computed
// over PACA alone (7.6 % of France's population), is PACA's figure, not
// France's, and a wrong figure is worse than a missing one. At half the
// population, the covered part is the larger part of the level; the partial
// figures of the embedded data stand well above it (GPs: 83.1 % of
// Île-de-France, 93.7 % of France) or well below it (CPTS perimeters 7.6 %,
// soins non programmés 9.0 %, hôpitaux de proximité 27.2 % of France).
const MinCoverage = 0.5

// share is the part of the population added that the figure covers.
func (c *coverage) share() float64 {
	return float64(c.popIn) / float64(max(1, c.popIn+c.popOut))
}

// usable reports whether a figure computed over the covered places may be
// shown for all the places added: some are covered, and they hold at least
// MinCoverage of the population (or no place has inhabitants).
func (c *coverage) usable() bool {
	switch {
	case len(c.in) == 0:
		return false
	case len(c.out) == 0 || c.popIn+c.popOut == 0:
		return true
	}
	return c.share() >= MinCoverage
}

// gap returns the gap of field for the places added, or nil when all are
// covered. A figure the caller must leave null (usable is false) gets an
// "unknown" gap.
func (c *coverage) gap(e *Engine, field string) *Gap {
	switch {
	case len(c.out) == 0:
		return nil
	case len(c.in) == 0:
		return &Gap{Field: field, Status: GapUnknown,
			Reason: fmt.Sprintf("Non disponible pour %s (%s) : %s.", e.depList(c.out, true), c.what, c.describeKnownDeps())}
	case !c.usable():
		return &Gap{Field: field, Status: GapUnknown,
			Reason: fmt.Sprintf("Non disponible (%s) : données connues pour %s de la population seulement, sous le seuil de %s ; non disponibles pour %s.",
				c.what, FormatPct(c.share(), 1), FormatPct(MinCoverage, 0), e.depList(c.out, true))}
	default:
		return &Gap{Field: field, Status: GapPartial,
			Reason: fmt.Sprintf("Calculé sur la partie couverte seulement (%s de la population) : donnée non disponible pour %s (%s).",
				FormatPct(c.share(), 1), e.depList(c.out, true), c.what)}
	}
}

// sourceList returns the sources used, sorted.
func (c *coverage) sourceList() []string {
	out := make([]string, 0, len(c.sources))
	for s := range c.sources {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// depList names départements in French, e.g. "Seine-et-Marne (77)", or
// with their article for a sentence ("le Var (83)", "l'Ain (01)"), or
// counts them when there are many.
func (e *Engine) depList(deps map[string]bool, article bool) string {
	codes := sortedKeys(deps)
	if len(codes) > 6 {
		return Plural(len(codes), "département", "départements")
	}
	names := make([]string, len(codes))
	for i, d := range codes {
		names[i] = e.depName(d, article)
	}
	return joinFr(names)
}

// depName names a département and its code, "Var (83)", or with its
// article (COG typeLiaison) for a sentence: "le Var (83)", "l'Ain (01)",
// "Paris (75)"; the code alone when unknown.
func (e *Engine) depName(d string, article bool) string {
	x := e.Snap.Departement(d)
	switch {
	case x == nil:
		return d
	case article:
		return NameArticle(x.Name, x.TypeLiaison) + " (" + d + ")"
	}
	return x.Name + " (" + d + ")"
}

// describeCoverageCached is describeCoverage computed once per table: a
// France report asks it for each of its 35,000 communes.
func (e *Engine) describeCoverageCached(name string, t *snapshot.TableInfo) string {
	if d, ok := e.descCache.Load(name); ok {
		return d.(string)
	}
	d := e.describeCoverage(t)
	e.descCache.Store(name, d)
	return d
}

// describeCoverage says where a table is known, by source, naming whole
// régions when every département of a région is covered: "connus pour
// Occitanie (FINESS Occitanie 2026) et Île-de-France (ARS Île-de-France,
// 2022-01-01)".
func (e *Engine) describeCoverage(t *snapshot.TableInfo) string {
	if t == nil || len(t.Coverage) == 0 {
		return "aucune source chargée ne le donne"
	}
	bySource := map[string][]string{}
	var order []string
	for _, c := range t.Coverage {
		if _, ok := bySource[c.Source]; !ok {
			order = append(order, c.Source)
		}
		bySource[c.Source] = append(bySource[c.Source], c.Dep)
	}
	var parts []string
	for _, src := range order {
		parts = append(parts, e.areaNames(bySource[src], true)+" : "+src)
	}
	return "la source ne couvre " + Elide("que", strings.Join(parts, " ; "))
}

// areaNames names a set of départements, grouping whole régions; with
// their articles for a sentence when article is set ("les
// Hauts-de-France", "l'Ain (01)").
func (e *Engine) areaNames(deps []string, article bool) string {
	set := map[string]bool{}
	for _, d := range deps {
		set[d] = true
	}
	byReg := map[string][]string{}
	for _, d := range e.Snap.Departements {
		byReg[d.Region] = append(byReg[d.Region], d.Code)
	}
	var names []string
	used := map[string]bool{}
	for _, r := range e.Snap.Regions {
		all := byReg[r.Code]
		if len(all) > 1 && !slices.ContainsFunc(all, func(d string) bool { return !set[d] }) {
			name := r.Name
			if article {
				name = NameArticle(r.Name, r.TypeLiaison)
			}
			names = append(names, name)
			for _, d := range all {
				used[d] = true
			}
		}
	}
	rest := map[string]bool{}
	for d := range set {
		if !used[d] {
			rest[d] = true
		}
	}
	if len(rest) > 0 {
		names = append(names, e.depList(rest, article))
	}
	if len(names) > 4 {
		return Plural(len(deps), "département", "départements")
	}
	return joinFr(names)
}

// joinFr joins with commas and a final "et".
func joinFr(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " et " + s[len(s)-1]
}
