package diagnostic

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
)

// A Territory is a resolved set of current communes: the union of what
// every item a user gave designates.
type Territory struct {
	// Label is a human label built from the items, e.g. "CC Pays de
	// Nemours", "Lozère" or "Nemours + Bagneaux-sur-Loing". It titles the
	// French report, so the only connecting word it uses is French.
	Label string
	// Items are the items as given, before any trimming.
	Items []string
	// Communes are the places designated: current INSEE codes, and the
	// codes of arrondissements municipaux (751xx, 6938x, 132xx) when an item
	// names some arrondissements of Paris, Lyon or Marseille rather than the
	// whole city; sorted, without duplicates, an arrondissement never next
	// to its city.
	Communes []string
	// Warnings say, in English for the terminal, where the resolver had to
	// interpret an item: an old code mapped onto today's commune, a CPTS
	// covering only part of a commune. They are in item order, without
	// duplicates.
	Warnings []string
	// Remarks say the same in French, for the report: Remarks[i] is
	// Warnings[i].
	Remarks []string
}

// A Match is a place found by [Resolver.Search] or proposed as a candidate
// in a [ResolveError].
type Match struct {
	// Kind is "commune", "epci" or "cpts"; candidates of a dep: or reg:
	// item are "dep" or "reg".
	Kind string
	// Code is the INSEE code of a commune, the SIREN of an EPCI, the code
	// of a département or région, and "" for a CPTS, which has none.
	Code string
	Name string
	// Dep and DepName give the département of a commune, or the département
	// holding most of the population of an EPCI or CPTS, so that a user can
	// tell homonyms apart.
	Dep, DepName string
	Population   int
}

// Item returns the territory item that selects this match, so that a user
// can copy it from an error message: "77333", "epci:200023240",
// "cpts:CPTS Aix Sainte Victoire", "dep:48", "reg:76".
func (m Match) Item() string {
	switch m.Kind {
	case "commune":
		return m.Code
	case "cpts":
		return "cpts:" + m.Name
	default:
		return m.Kind + ":" + m.Code
	}
}

// String formats the match for one line of a candidate list, e.g.
// "77333  Nemours (77 Seine-et-Marne)".
func (m Match) String() string {
	var b strings.Builder
	switch m.Kind {
	case "cpts":
		// The name is the selector; quoted as the shell needs it.
		fmt.Fprintf(&b, "cpts:%q", m.Name)
	case "dep", "reg":
		return m.Item() + "  " + m.Name
	default:
		fmt.Fprintf(&b, "%-5s  %s", m.Item(), m.Name)
	}
	if m.Dep != "" {
		fmt.Fprintf(&b, " (%s %s)", m.Dep, m.DepName)
	}
	return b.String()
}

// A ResolveError is returned for an item that cannot be resolved; the CLI
// maps it to exit code 2 (bad input). Candidates lists the places the item
// may have meant: the homonyms of an ambiguous name, or the closest names
// when nothing matched.
type ResolveError struct {
	Item       string
	Reason     string
	Candidates []Match
}

// maxListed is how many candidates an error message lists: beyond, the
// user should narrow the item rather than read on ("epci:metropole" has 35).
const maxListed = 20

// Error returns the reason followed by the candidates, one per line, the
// most populous first, e.g.
//
//	territory "Saint-Denis": 4 communes have this name; give the INSEE code or the département, e.g. "Saint-Denis (974)":
//	  97411  Saint-Denis (974 La Réunion)
//	  93066  Saint-Denis (93 Seine-Saint-Denis)
//	  30247  Saint-Denis (30 Gard)
//	  11339  Saint-Denis (11 Aude)
func (e *ResolveError) Error() string {
	var b strings.Builder
	if e.Item == "" {
		b.WriteString(e.Reason)
	} else {
		fmt.Fprintf(&b, "territory %q: %s", e.Item, e.Reason)
	}
	if len(e.Candidates) > 0 {
		b.WriteString(":")
		for i, m := range e.Candidates {
			if i == maxListed {
				fmt.Fprintf(&b, "\n  … and %d more", len(e.Candidates)-i)
				break
			}
			b.WriteString("\n  ")
			b.WriteString(m.String())
		}
	}
	return b.String()
}

// A Resolver maps territory items onto current communes. It builds its own
// indexes from the exported slices of the snapshot, so that it works as well
// on a loaded snapshot as on one written as a struct literal in a test. It is
// read-only once built and safe for concurrent use.
type Resolver struct {
	s *snapshot.Snapshot

	communeAt      func(code string) (int, bool) // INSEE code → index in s.Communes (the snapshot's own, when loaded)
	arrondissement map[string]int                // code → index in s.Arrondissements
	oldCode        map[string]int
	epci           map[string]int // SIREN → index in s.EPCIs
	dep            map[string]int
	reg            map[string]int

	communeFolded []string         // FoldPlace of each commune name, by index (communeNames)
	communeByName map[string][]int // folded name → communes, by code (communeNames)
	arrByName     map[string]int   // folded arrondissement name → index
	epciFolded    []string
	depFolded     []string
	regFolded     []string

	byDep, byReg map[string][]string // current communes, sorted (areasOnce)
	areasOnce    sync.Once

	cpts       []cptsGroup // sorted by name
	epciMatch  []Match     // by index in s.EPCIs
	cptsFolded []string

	// The name indexes (folded names, communes by département and région)
	// are built on first use: a command given INSEE codes or SIRENs does
	// not fold 35,000 names. The EPCI and CPTS matches (their main
	// département), for candidates and searches, are built on first use
	// after them: a name that designates one EPCI needs none.
	namesOnce   sync.Once
	matchesOnce sync.Once
	// The communes' folded names (35,000) are folded and indexed on first
	// use by a search, a CPTS or more than namedScans names: the first
	// names are looked up by folding only the communes whose name may
	// fold to the same first letter (communesNamed).
	communeNamesOnce sync.Once
	namedLookups     atomic.Int32
}

// namedScans is how many names communesNamed looks up by scanning the
// communes before it has all their names folded and indexed.
const namedScans = 8

// A cptsGroup is one CPTS and its member rows, since the snapshot stores a
// CPTS as one row per member commune.
type cptsGroup struct {
	name    string
	members []snapshot.CPTSMember
	match   Match
}

// NewResolver indexes s for resolution and search.
func NewResolver(s *snapshot.Snapshot) *Resolver {
	r := &Resolver{
		s:              s,
		communeAt:      s.CommuneIndex(),
		arrondissement: make(map[string]int, len(s.Arrondissements)),
		oldCode:        make(map[string]int, len(s.OldCodes)),
		epci:           make(map[string]int, len(s.EPCIs)),
		dep:            make(map[string]int, len(s.Departements)),
		reg:            make(map[string]int, len(s.Regions)),
	}
	if r.communeAt == nil {
		// A literal snapshot: the loaded ones index their communes.
		byCode := make(map[string]int, len(s.Communes))
		for i, c := range s.Communes {
			byCode[c.Code] = i
		}
		r.communeAt = func(code string) (int, bool) { i, ok := byCode[code]; return i, ok }
	}
	for i, a := range s.Arrondissements {
		r.arrondissement[a.Code] = i
	}
	for i, o := range s.OldCodes {
		r.oldCode[o.Code] = i
	}
	for i, d := range s.Departements {
		r.dep[d.Code] = i
	}
	for i, g := range s.Regions {
		r.reg[g.Code] = i
	}
	for i, e := range s.EPCIs {
		r.epci[e.Siren] = i
	}
	return r
}

// indexNames builds the name indexes once.
func (r *Resolver) indexNames() { r.namesOnce.Do(r.buildNames) }

// communeNames folds every commune's name and indexes the communes by
// folded name, once.
func (r *Resolver) communeNames() {
	r.communeNamesOnce.Do(func() {
		s := r.s
		r.communeFolded = make([]string, len(s.Communes))
		r.communeByName = make(map[string][]int, len(s.Communes))
		for i, c := range s.Communes {
			f := textnorm.FoldPlace(c.Name)
			r.communeFolded[i] = f
			r.communeByName[f] = append(r.communeByName[f], i)
		}
		for _, idx := range r.communeByName {
			r.byCode(idx)
		}
	})
}

// byCode sorts indexes into s.Communes by commune code: communes are
// sorted by code in a loaded snapshot, but a literal one need not be;
// sorting keeps every output deterministic.
func (r *Resolver) byCode(idx []int) {
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(r.s.Communes[a].Code, r.s.Communes[b].Code) })
}

// communesNamed returns the communes whose name folds (FoldPlace) to f,
// by code. Folding all 35,000 names took a fifth of a one-EPCI
// diagnose's CPU, for one name: the first namedScans look-ups fold only
// the names that can fold to f. A name starting with an ASCII letter or
// digit folds to a text starting with that character in lower case
// (Fold keeps ASCII letters and digits, lower-cased, and the
// abbreviations FoldPlace expands, "st" and "ste", start with the "s"
// they expand to), so the others cannot; any other name is folded.
func (r *Resolver) communesNamed(f string) []int {
	if f == "" || r.namedLookups.Add(1) > namedScans {
		r.communeNames()
		return r.communeByName[f]
	}
	return r.scanNamed(f)
}

// scanNamed is communesNamed without the index: f is not empty.
func (r *Resolver) scanNamed(f string) []int {
	var out []int
	for i := range r.s.Communes {
		name := r.s.Communes[i].Name
		if name != "" && isASCIIAlnum(name[0]) && lowerASCII(name[0]) != f[0] {
			continue
		}
		if textnorm.FoldPlace(name) == f {
			out = append(out, i)
		}
	}
	r.byCode(out)
	return out
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (r *Resolver) buildNames() {
	s := r.s
	r.arrByName = make(map[string]int, len(s.Arrondissements))
	for i, a := range s.Arrondissements {
		r.arrByName[textnorm.FoldPlace(a.Name)] = i
	}
	for _, d := range s.Departements {
		r.depFolded = append(r.depFolded, textnorm.FoldPlace(d.Name))
	}
	for _, g := range s.Regions {
		r.regFolded = append(r.regFolded, textnorm.FoldPlace(g.Name))
	}
	for _, e := range s.EPCIs {
		r.epciFolded = append(r.epciFolded, textnorm.FoldPlace(e.Name))
	}
	byName := map[string]int{}
	for _, m := range s.CPTS {
		i, ok := byName[m.CPTS]
		if !ok {
			i = len(r.cpts)
			byName[m.CPTS] = i
			r.cpts = append(r.cpts, cptsGroup{name: m.CPTS})
		}
		r.cpts[i].members = append(r.cpts[i].members, m)
	}
	slices.SortFunc(r.cpts, func(a, b cptsGroup) int { return cmp.Compare(a.name, b.name) })
	for i := range r.cpts {
		r.cptsFolded = append(r.cptsFolded, textnorm.FoldPlace(r.cpts[i].name))
	}
}

// indexAreas lists the current communes of each département and région,
// once, for the first dep: or reg: item: a territory named otherwise
// does not pay for it.
func (r *Resolver) indexAreas() {
	r.areasOnce.Do(func() {
		s := r.s
		r.byDep, r.byReg = map[string][]string{}, map[string][]string{}
		// Communes come by runs of the same département (sorted by code):
		// each run is added to the maps at once rather than commune by
		// commune.
		start := 0
		for i, c := range s.Communes {
			if next := i + 1; next == len(s.Communes) || s.Communes[next].Dep != c.Dep || s.Communes[next].Reg != c.Reg {
				run := make([]string, 0, next-start)
				for _, o := range s.Communes[start:next] {
					run = append(run, o.Code)
				}
				r.byDep[c.Dep] = append(r.byDep[c.Dep], run...)
				r.byReg[c.Reg] = append(r.byReg[c.Reg], run...)
				start = next
			}
		}
		for _, m := range []map[string][]string{r.byDep, r.byReg} {
			for _, codes := range m {
				slices.Sort(codes)
			}
		}
	})
}

// indexMatches builds the EPCI and CPTS matches once, after the names.
func (r *Resolver) indexMatches() {
	r.indexNames()
	r.matchesOnce.Do(func() {
		for _, e := range r.s.EPCIs {
			// The population of its communes (COG 2026), as territory show
			// and diagnose count it, not the EPCI file's older total.
			dep, name, pop := r.mainDep(e.Members)
			r.epciMatch = append(r.epciMatch, Match{Kind: "epci", Code: e.Siren, Name: e.Name, Dep: dep, DepName: name, Population: pop})
		}
		for i := range r.cpts {
			g := &r.cpts[i]
			codes := make([]string, 0, len(g.members))
			for _, m := range g.members {
				codes = append(codes, m.Commune)
			}
			dep, name, pop := r.mainDep(codes)
			g.match = Match{Kind: "cpts", Name: g.name, Dep: dep, DepName: name, Population: pop}
		}
	})
}

// mainDep returns the département holding most of the population of a set
// of communes (the smallest code on a tie) and their total population,
// counting each commune once.
func (r *Resolver) mainDep(codes []string) (dep, name string, pop int) {
	byDep := map[string]int{}
	seen := map[string]bool{}
	for _, code := range codes {
		i, ok := r.communeAt(code)
		if !ok || seen[code] {
			continue
		}
		seen[code] = true
		c := &r.s.Communes[i]
		byDep[c.Dep] += c.Population
		pop += c.Population
	}
	best := -1
	for d, p := range byDep {
		if p > best || p == best && d < dep {
			dep, best = d, p
		}
	}
	return dep, r.depName(dep), pop
}

func (r *Resolver) depName(code string) string {
	if i, ok := r.dep[code]; ok {
		return r.s.Departements[i].Name
	}
	return ""
}

func (r *Resolver) communeMatch(i int) Match {
	c := &r.s.Communes[i]
	return Match{Kind: "commune", Code: c.Code, Name: c.Name, Dep: c.Dep, DepName: r.depName(c.Dep), Population: c.Population}
}

// An itemPart is what one item resolves to.
type itemPart struct {
	key      string // identifies the place, to drop repeated items from the label
	label    string
	long     string // label that tells homonyms apart, used when two labels clash
	communes []string
	warnings []remark
}

// A remark is a warning of the resolver in English, for the terminal, and
// in French, for the report.
type remark struct{ en, fr string }

// warn adds a warning to the part.
func (p *itemPart) warn(en, fr string) { p.warnings = append(p.warnings, remark{en, fr}) }

// maxLabels is how many item labels the territory label spells out before
// summarising the rest: a list of 40 communes is no title.
const maxLabels = 4

// Resolve resolves every item and returns the union of their communes. It
// fails with a [*ResolveError] when an item cannot be resolved; when several
// items fail, the errors are joined so that a user fixing a list sees them
// all at once.
func (r *Resolver) Resolve(items ...string) (*Territory, error) {
	if len(items) == 0 {
		return nil, &ResolveError{Reason: "no territory given: name a commune, an INSEE code, epci:SIREN, dep:CODE, reg:CODE or cpts:NAME"}
	}
	t := &Territory{Items: slices.Clone(items)}
	var (
		errs     []error
		parts    []itemPart
		inSet    = map[string]bool{}
		warned   = map[string]bool{}
		partSeen = map[string]bool{}
	)
	for _, item := range items {
		p, err := r.resolveItem(item)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(p.communes) == 0 {
			// A département code such as 975 exists in the COG without
			// communes; an empty territory would only fail later, unclearly.
			errs = append(errs, &ResolveError{Item: item, Reason: "designates no current commune"})
			continue
		}
		for _, c := range p.communes {
			if !inSet[c] {
				inSet[c] = true
				t.Communes = append(t.Communes, c)
			}
		}
		for _, w := range p.warnings {
			if !warned[w.en] {
				warned[w.en] = true
				t.Warnings = append(t.Warnings, w.en)
				t.Remarks = append(t.Remarks, w.fr)
			}
		}
		if !partSeen[p.key] {
			partSeen[p.key] = true
			parts = append(parts, p)
		}
	}
	switch len(errs) {
	case 0:
	case 1:
		return nil, errs[0]
	default:
		return nil, errors.Join(errs...)
	}
	// An arrondissement adds nothing to its whole city.
	t.Communes = slices.DeleteFunc(t.Communes, func(code string) bool {
		j, ok := r.arrondissement[code]
		return ok && inSet[r.s.Arrondissements[j].Commune]
	})
	slices.Sort(t.Communes)
	t.Label = joinLabels(parts)
	return t, nil
}

// joinLabels joins the labels of the parts, telling homonyms apart ("Saint-Denis
// (93) + Saint-Denis (974)") and summarising long lists.
func joinLabels(parts []itemPart) string {
	count := map[string]int{}
	for _, p := range parts {
		count[p.label]++
	}
	labels := make([]string, 0, maxLabels)
	for i, p := range parts {
		if len(parts) > maxLabels && i == maxLabels-1 {
			labels = append(labels, fmt.Sprintf("%d autres", len(parts)-i))
			break
		}
		if count[p.label] > 1 && p.long != "" {
			labels = append(labels, p.long)
		} else {
			labels = append(labels, p.label)
		}
	}
	return strings.Join(labels, " + ")
}

// itemPrefixes maps the folded itemPrefixes of an item to its kind; the long forms
// are accepted because users write them.
var itemPrefixes = map[string]string{
	"epci": "epci", "dep": "dep", "departement": "dep",
	"reg": "reg", "region": "reg", "cpts": "cpts", "commune": "commune",
}

func (r *Resolver) resolveItem(item string) (itemPart, error) {
	s := trimQuotes(strings.TrimSpace(item))
	if s == "" {
		return itemPart{}, &ResolveError{Item: item, Reason: "empty territory item"}
	}
	if head, rest, ok := strings.Cut(s, ":"); ok && isWord(head) {
		kind, known := itemPrefixes[textnorm.Fold(head)]
		if !known {
			return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("unknown prefix %q: use epci:, dep:, reg: or cpts:", head+":")}
		}
		rest = trimQuotes(strings.TrimSpace(rest))
		if rest == "" {
			return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("nothing after %q", head+":")}
		}
		switch kind {
		case "epci":
			return r.resolveEPCI(item, rest)
		case "dep":
			return r.resolveDep(item, rest)
		case "reg":
			return r.resolveReg(item, rest)
		case "cpts":
			return r.resolveCPTS(item, rest)
		}
		s = rest // commune:
	}
	if code, ok := communeCode(s); ok {
		return r.resolveCode(item, code)
	}
	if isSiren(s) {
		if i, ok := r.epci[s]; ok {
			return r.epciPart(i), nil
		}
		return itemPart{}, &ResolveError{Item: item, Reason: "unknown EPCI SIREN"}
	}
	return r.resolveName(item, s)
}

// trimQuotes drops one pair of double quotes around s, as left by a list file
// copying the documented form cpts:"CPTS Aix Sainte Victoire".
func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// isWord reports whether s is made of letters only, so that "epci:…" is
// read as a prefix while a name holding a colon stays a name.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == 'é' || c == 'É') {
			return false
		}
	}
	return true
}

// communeCode reports whether s has the shape of an INSEE commune code and
// returns it in canonical form. Four digits are left-padded because
// spreadsheets drop the leading zero of Ain to Ardennes codes (1001 for 01001).
func communeCode(s string) (string, bool) { return textnorm.CommuneCode(s) }

func isSiren(s string) bool { return len(s) == 9 && digitsOnly(s) }

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// depCode returns s as a département code when it has the shape of one:
// "7" → "07", "2a" → "2A", "974".
func depCode(s string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	switch {
	case u == "2A" || u == "2B":
		return u, true
	case len(u) == 1 && digitsOnly(u):
		return "0" + u, true
	case (len(u) == 2 || len(u) == 3) && digitsOnly(u):
		return u, true
	}
	return "", false
}

// current follows a code to the current commune it designates, through
// old codes; a commune nouvelle may itself have merged again since, hence
// the loop, bounded against a cycle in a hand-edited local snapshot.
func (r *Resolver) current(code string) (int, *snapshot.OldCode, bool) {
	var first *snapshot.OldCode
	for range 8 {
		if i, ok := r.communeAt(code); ok {
			return i, first, true
		}
		j, ok := r.oldCode[code]
		if !ok {
			break
		}
		if first == nil {
			first = &r.s.OldCodes[j]
		}
		code = r.s.OldCodes[j].Current
	}
	return 0, first, false
}

func (r *Resolver) communePart(i int) itemPart {
	c := &r.s.Communes[i]
	return itemPart{key: "commune:" + c.Code, label: c.Name, long: c.Name + " (" + c.Dep + ")", communes: []string{c.Code}}
}

func (r *Resolver) resolveCode(item, code string) (itemPart, error) {
	if i, ok := r.communeAt(code); ok {
		return r.communePart(i), nil
	}
	if j, ok := r.arrondissement[code]; ok {
		return r.arrondissementPart(item, j)
	}
	i, old, ok := r.current(code)
	if old == nil {
		return itemPart{}, &ResolveError{Item: item, Reason: "unknown commune code (an INSEE code is expected, not a postal code)"}
	}
	if !ok {
		return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("old code now part of %s, which is not a current commune of the snapshot", old.Current)}
	}
	p := r.communePart(i)
	c := &r.s.Communes[i]
	what, quoi := "old code "+code, "L'ancien code "+code
	if old.Name != "" {
		what += fmt.Sprintf(" (%s, %s)", old.Name, oldKind(old.Kind))
		quoi += fmt.Sprintf(" (%s, %s)", old.Name, oldKindFR(old.Kind))
	}
	p.warn(fmt.Sprintf("%s is now part of %s (%s); %s is used", what, c.Name, c.Code, c.Code),
		fmt.Sprintf("%s fait aujourd'hui partie %s (%s), qui est retenue.", quoi, deName(c.Name), c.Code))
	return p, nil
}

// oldKind spells out the kinds of old codes of the snapshot.
func oldKind(kind string) string {
	switch kind {
	case "commune-deleguee":
		return "commune déléguée"
	case "commune-associee":
		return "commune associée"
	case "ancien-code":
		return "absorbed commune"
	}
	return kind
}

// deName is "de " before a place name, elided before a vowel and
// contracted with the article of the name: "de Toulon",
// "d'Aix-en-Provence", "du Havre", "des Mureaux", "de La Rochelle".
func deName(name string) string {
	if rest, ok := strings.CutPrefix(name, "Le "); ok {
		return "du " + rest
	}
	if rest, ok := strings.CutPrefix(name, "Les "); ok {
		return "des " + rest
	}
	r, _ := utf8.DecodeRuneInString(textnorm.Fold(name))
	if strings.ContainsRune("aeiouy", r) {
		return "d'" + name
	}
	return "de " + name
}

// oldKindFR is oldKind in French, for the report.
func oldKindFR(kind string) string {
	if kind == "ancien-code" {
		return "commune absorbée"
	}
	return oldKind(kind)
}

// arrondissementPart designates an arrondissement municipal of Paris, Lyon
// or Marseille: a place of its own, since the DREES publishes the APL by
// arrondissement and CPTS perimeters name them ("75056" or "Paris" is the
// whole city).
func (r *Resolver) arrondissementPart(item string, j int) (itemPart, error) {
	a := &r.s.Arrondissements[j]
	i, ok := r.communeAt(a.Commune)
	if !ok {
		return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("arrondissement of %s, which is not a current commune of the snapshot", a.Commune)}
	}
	c := &r.s.Communes[i]
	return itemPart{key: "commune:" + a.Code, label: a.Name, long: a.Name + " (" + c.Dep + ")", communes: []string{a.Code}}, nil
}

// depSuffix reads "Saint-Denis (93)", the form a user writes to tell
// homonyms apart.
var depSuffix = regexp.MustCompile(`^(.*\S)\s*\(\s*([0-9]{1,3}|2[aAbB])\s*\)$`)

func (r *Resolver) resolveName(item, s string) (itemPart, error) {
	r.indexNames()
	name, dep := s, ""
	if m := depSuffix.FindStringSubmatch(s); m != nil {
		name, dep = m[1], m[2]
		dep, _ = depCode(dep)
	}
	f := textnorm.FoldPlace(name)
	if f == "" {
		return itemPart{}, &ResolveError{Item: item, Reason: "not a commune name or code"}
	}
	idx := r.communesNamed(f)
	if dep != "" {
		if _, ok := r.dep[dep]; !ok {
			return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("unknown département %s", dep)}
		}
		var in []int
		for _, i := range idx {
			if r.s.Communes[i].Dep == dep {
				in = append(in, i)
			}
		}
		switch {
		case len(in) == 1:
			return r.communePart(in[0]), nil
		case len(in) > 1:
			return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("%d communes of département %s have this name; give the INSEE code", len(in), dep), Candidates: r.communeMatches(in)}
		case len(idx) > 0:
			return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("no commune of this name in département %s; communes of this name", dep), Candidates: r.communeMatches(idx)}
		}
		return itemPart{}, r.notFound(item, name)
	}
	epcis := r.exact(r.epciFolded, f)
	switch {
	case len(idx) == 1:
		p := r.communePart(idx[0])
		for _, j := range epcis {
			// The commune wins because a commune name is what people type
			// most; the warning keeps the EPCI one prefix away.
			siren := r.s.EPCIs[j].Siren
			p.warn(fmt.Sprintf("%q is also the name of an EPCI; the commune is used, write \"epci:%s\" for the EPCI", name, siren),
				fmt.Sprintf("« %s » est aussi le nom d'un EPCI : la commune est retenue (l'EPCI s'écrit « epci:%s »).", name, siren))
		}
		return p, nil
	case len(idx) > 1:
		ms := r.communeMatches(idx)
		return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("%d communes have this name; give the INSEE code or the département, e.g. \"%s (%s)\"", len(idx), ms[0].Name, ms[0].Dep), Candidates: ms}
	case len(epcis) == 1:
		return r.epciPart(epcis[0]), nil
	case len(epcis) > 1:
		return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("%d EPCI have this name; give the SIREN", len(epcis)), Candidates: r.epciMatches(epcis)}
	}
	if j, ok := r.arrByName[f]; ok {
		return r.arrondissementPart(item, j)
	}
	return itemPart{}, r.notFound(item, name)
}

// notFound builds the error for a name that matches nothing exactly. It
// does not guess: a wrong commune would silently give a wrong diagnostic.
// It points at the prefix a user probably forgot, or at the closest names.
func (r *Resolver) notFound(item, name string) error {
	f := textnorm.FoldPlace(name)
	if code, ok := depCode(name); ok {
		if _, ok := r.dep[code]; ok {
			return &ResolveError{Item: item, Reason: fmt.Sprintf("not a commune; for the département write \"dep:%s\"", code)}
		}
	}
	for _, k := range []struct {
		prefix string
		folded []string
	}{{"dep", r.depFolded}, {"reg", r.regFolded}, {"cpts", r.cptsFolded}} {
		if len(r.exact(k.folded, f)) > 0 {
			return &ResolveError{Item: item, Reason: fmt.Sprintf("no commune or EPCI has this name; write \"%s:%s\"", k.prefix, name)}
		}
	}
	e := &ResolveError{Item: item, Reason: "no commune or EPCI has this name"}
	if e.Candidates = r.suggest(name, "", 5); len(e.Candidates) > 0 {
		e.Reason += "; closest names"
	}
	return e
}

// suggest returns up to limit matches of kind ("" for any) for text: those
// containing all its words, or failing that, those containing its longest
// word, since a typo in one word should not hide the others.
func (r *Resolver) suggest(text, kind string, limit int) []Match {
	filter := func(ms []Match) []Match {
		if kind == "" {
			return ms
		}
		return slices.DeleteFunc(ms, func(m Match) bool { return m.Kind != kind })
	}
	if ms := filter(r.Search(text, 0)); len(ms) > 0 {
		return ms[:min(limit, len(ms))]
	}
	words := strings.Fields(textnorm.FoldPlace(text))
	slices.SortStableFunc(words, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, w := range words {
		if len(w) < 3 {
			break
		}
		if ms := filter(r.Search(w, 0)); len(ms) > 0 {
			return ms[:min(limit, len(ms))]
		}
	}
	return nil
}

// exact returns the indexes whose folded name is f.
func (r *Resolver) exact(folded []string, f string) []int {
	var idx []int
	for i, n := range folded {
		if n == f {
			idx = append(idx, i)
		}
	}
	return idx
}

// pick finds the entries named by text: the exact folded matches if any,
// else those whose folded name contains all the words of text, so that
// "epci:Pays de Nemours" finds "CC Pays de Nemours".
func (r *Resolver) pick(folded []string, text string) []int {
	f := textnorm.FoldPlace(text)
	if idx := r.exact(folded, f); len(idx) > 0 {
		return idx
	}
	words := strings.Fields(f)
	if len(words) == 0 {
		return nil
	}
	var idx []int
	for i, n := range folded {
		if hasAllWords(n, words) {
			idx = append(idx, i)
		}
	}
	return idx
}

func hasAllWords(name string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

func (r *Resolver) communeMatches(idx []int) []Match {
	ms := make([]Match, 0, len(idx))
	for _, i := range idx {
		ms = append(ms, r.communeMatch(i))
	}
	slices.SortStableFunc(ms, byPopulation)
	return ms
}

func (r *Resolver) epciMatches(idx []int) []Match {
	r.indexMatches()
	ms := make([]Match, 0, len(idx))
	for _, i := range idx {
		ms = append(ms, r.epciMatch[i])
	}
	slices.SortStableFunc(ms, byPopulation)
	return ms
}

// byPopulation orders candidates most populous first, the likeliest meant.
func byPopulation(a, b Match) int {
	return cmp.Or(cmp.Compare(b.Population, a.Population), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Name, b.Name))
}

func (r *Resolver) resolveEPCI(item, text string) (itemPart, error) {
	if isSiren(text) {
		if i, ok := r.epci[text]; ok {
			return r.epciPart(i), nil
		}
		return itemPart{}, &ResolveError{Item: item, Reason: "unknown EPCI SIREN"}
	}
	r.indexNames()
	idx := r.pick(r.epciFolded, text)
	switch {
	case len(idx) == 1:
		return r.epciPart(idx[0]), nil
	case len(idx) > 1:
		return itemPart{}, &ResolveError{Item: item, Reason: fmt.Sprintf("%d EPCI match; give more of the name or the SIREN", len(idx)), Candidates: r.epciMatches(idx)}
	}
	e := &ResolveError{Item: item, Reason: "no EPCI has this name"}
	if e.Candidates = r.suggest(text, "epci", 5); len(e.Candidates) > 0 {
		e.Reason += "; closest names"
	}
	return itemPart{}, e
}

func (r *Resolver) epciPart(i int) itemPart {
	e := &r.s.EPCIs[i]
	p := itemPart{key: "epci:" + e.Siren, label: e.Name}
	for _, code := range e.Members {
		j, old, ok := r.current(code)
		switch {
		case !ok:
			p.warn(fmt.Sprintf("EPCI %s lists %s, which is not a current commune; it is left out", e.Name, code),
				fmt.Sprintf("%s : le code %s de sa liste n'est pas une commune actuelle ; il est écarté.", e.Name, code))
			continue
		case old != nil:
			c := &r.s.Communes[j]
			p.warn(fmt.Sprintf("EPCI %s lists old code %s, now part of %s (%s); %s is used", e.Name, code, c.Name, c.Code, c.Code),
				fmt.Sprintf("%s : l'ancien code %s de sa liste fait aujourd'hui partie %s (%s), qui est retenue.", e.Name, code, deName(c.Name), c.Code))
		}
		p.communes = append(p.communes, r.s.Communes[j].Code)
	}
	return p
}

func (r *Resolver) resolveDep(item, text string) (itemPart, error) {
	r.indexNames()
	i, err := r.resolveArea(item, text, "dep", r.dep, r.depFolded, func(i int) Match {
		d := &r.s.Departements[i]
		return Match{Kind: "dep", Code: d.Code, Name: d.Name}
	})
	if err != nil {
		return itemPart{}, err
	}
	d := &r.s.Departements[i]
	r.indexAreas()
	return itemPart{key: "dep:" + d.Code, label: d.Name, communes: r.byDep[d.Code]}, nil
}

func (r *Resolver) resolveReg(item, text string) (itemPart, error) {
	r.indexNames()
	i, err := r.resolveArea(item, text, "reg", r.reg, r.regFolded, func(i int) Match {
		g := &r.s.Regions[i]
		return Match{Kind: "reg", Code: g.Code, Name: g.Name}
	})
	if err != nil {
		return itemPart{}, err
	}
	g := &r.s.Regions[i]
	r.indexAreas()
	return itemPart{key: "reg:" + g.Code, label: g.Name, communes: r.byReg[g.Code]}, nil
}

// resolveArea finds a département or région by code or by name.
func (r *Resolver) resolveArea(item, text, kind string, byCode map[string]int, folded []string, match func(int) Match) (int, error) {
	code := strings.ToUpper(text)
	if c, ok := depCode(text); ok && kind == "dep" {
		code = c
	}
	if i, ok := byCode[code]; ok {
		return i, nil
	}
	what := map[string]string{"dep": "département", "reg": "région"}[kind]
	if digitsOnly(code) || code == "2A" || code == "2B" {
		return 0, &ResolveError{Item: item, Reason: "unknown " + what + " code"}
	}
	idx := r.pick(folded, text)
	if len(idx) == 1 {
		return idx[0], nil
	}
	e := &ResolveError{Item: item, Reason: "no " + what + " has this name"}
	if len(idx) > 1 {
		e.Reason = fmt.Sprintf("%d %ss match; give the code", len(idx), what)
		for _, i := range idx {
			e.Candidates = append(e.Candidates, match(i))
		}
	}
	return 0, e
}

func (r *Resolver) resolveCPTS(item, text string) (itemPart, error) {
	r.indexNames()
	idx := r.pick(r.cptsFolded, text)
	switch {
	case len(idx) == 1:
		return r.cptsPart(&r.cpts[idx[0]]), nil
	case len(idx) > 1:
		e := &ResolveError{Item: item, Reason: fmt.Sprintf("%d CPTS match; give more of the name", len(idx))}
		r.indexMatches()
		for _, i := range idx {
			e.Candidates = append(e.Candidates, r.cpts[i].match)
		}
		return itemPart{}, e
	}
	e := &ResolveError{Item: item, Reason: "no CPTS has this name"}
	if e.Candidates = r.suggest(text, "cpts", 5); len(e.Candidates) > 0 {
		e.Reason += "; closest names"
	}
	return itemPart{}, e
}

// cptsPart takes the whole communes of a CPTS perimeter, the finest grain
// of the indicators, and warns where the perimeter is narrower: some
// arrondissements of Paris, Lyon or Marseille, or a commune shared with
// other CPTS.
func (r *Resolver) cptsPart(g *cptsGroup) itemPart {
	p := itemPart{key: "cpts:" + g.name, label: g.name}
	// A commune covered whole by one row stays whole even if another row
	// lists some of its arrondissements; nil means whole.
	arr := map[string][]string{}
	infra := map[string]string{} // folded name → name as given
	for _, m := range g.members {
		j, old, ok := r.current(m.Commune)
		if !ok {
			p.warn(fmt.Sprintf("%s lists %s, which is not a current commune; it is left out", g.name, m.Commune),
				fmt.Sprintf("%s : le code %s de son périmètre n'est pas une commune actuelle ; il est écarté.", g.name, m.Commune))
			continue
		}
		c := &r.s.Communes[j]
		if old != nil {
			p.warn(fmt.Sprintf("%s lists old code %s, now part of %s (%s); %s is used", g.name, m.Commune, c.Name, c.Code, c.Code),
				fmt.Sprintf("%s : l'ancien code %s de son périmètre fait aujourd'hui partie %s (%s), qui est retenue.", g.name, m.Commune, deName(c.Name), c.Code))
		}
		prev, seen := arr[c.Code]
		switch {
		case !seen:
			p.communes = append(p.communes, c.Code)
			arr[c.Code] = slices.Clone(m.Arrondissements)
		case prev != nil && len(m.Arrondissements) > 0:
			arr[c.Code] = append(prev, m.Arrondissements...)
		default:
			arr[c.Code] = nil
		}
		if m.InfraCommunal != "" {
			infra[textnorm.FoldPlace(m.InfraCommunal)] = m.InfraCommunal
		}
	}
	// A perimeter listing some arrondissements of Paris, Lyon or Marseille
	// covers those arrondissements, places of their own.
	var places []string
	for _, code := range p.communes {
		if a := arr[code]; len(a) > 0 {
			for _, x := range a {
				if j, ok := r.arrondissement[x]; ok && r.s.Arrondissements[j].Commune == code {
					places = append(places, x)
				} else {
					p.warn(fmt.Sprintf("%s lists %s, which is not an arrondissement of %s; it is left out", g.name, x, code),
						fmt.Sprintf("%s : le code %s de son périmètre n'est pas un arrondissement de %s ; il est écarté.", g.name, x, code))
				}
			}
			continue
		}
		places = append(places, code)
	}
	slices.Sort(places)
	p.communes = slices.Compact(places)
	if len(infra) > 0 {
		r.communeNames()
	}
	for _, code := range p.communes {
		i, ok := r.communeAt(code)
		if !ok || len(infra) == 0 {
			continue // an arrondissement, or no commune is shared
		}
		c := &r.s.Communes[i]
		if _, ok := infra[r.communeFolded[i]]; ok {
			delete(infra, r.communeFolded[i])
			p.warn(fmt.Sprintf("%s covers only part of %s (%s), shared with other CPTS; the whole commune is used", g.name, c.Name, c.Code),
				fmt.Sprintf("%s ne couvre qu'une partie %s (%s), partagée avec d'autres CPTS : toute la commune est comptée.", g.name, deName(c.Name), c.Code))
		}
	}
	// The source names the shared commune; one outside the member list is
	// still worth saying.
	for _, f := range slices.Sorted(maps.Keys(infra)) {
		p.warn(fmt.Sprintf("%s shares part of %s with other CPTS", g.name, infra[f]),
			fmt.Sprintf("%s partage une partie %s avec d'autres CPTS.", g.name, deName(infra[f])))
	}
	return p
}

// Search finds communes, EPCI and CPTS whose folded name contains all the
// folded words of text, best matches first: exact name, then name starting
// with text, then name containing the words; then by population,
// descending. It returns at most limit matches, all of them when limit is
// zero or less.
func (r *Resolver) Search(text string, limit int) []Match {
	r.indexMatches()
	r.communeNames()
	words := strings.Fields(textnorm.FoldPlace(text))
	if len(words) == 0 {
		return nil
	}
	q := strings.Join(words, " ")
	type scored struct {
		Match
		rank, kind int
	}
	var found []scored
	add := func(m Match, name string, kind int) {
		if !hasAllWords(name, words) {
			return
		}
		rank := 2
		switch {
		case name == q:
			rank = 0
		case strings.HasPrefix(name, q):
			rank = 1
		}
		found = append(found, scored{m, rank, kind})
	}
	for i, name := range r.communeFolded {
		// Filtered before building the Match, which costs a map lookup,
		// since most of the 35,000 communes do not match.
		if hasAllWords(name, words) {
			add(r.communeMatch(i), name, 0)
		}
	}
	for i, name := range r.epciFolded {
		add(r.epciMatch[i], name, 1)
	}
	for i, name := range r.cptsFolded {
		add(r.cpts[i].match, name, 2)
	}
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(b.Population, a.Population),
			cmp.Compare(a.kind, b.kind), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Code, b.Code))
	})
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	ms := make([]Match, len(found))
	for i, s := range found {
		ms[i] = s.Match
	}
	return ms
}
