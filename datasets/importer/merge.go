package importer

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// An imported file covers the départements it has rows in. Its table
// replaces, in the table in use (the local snapshot over the embedded one),
// the rows of those départements only, and keeps the others: a Lozère
// FINESS or RPPS extraction leaves the rest of France as it was. The
// table's Coverage then says, per département, which source and vintage it
// holds. With Importer.ReplaceNational the file's rows replace the whole
// table and its Coverage is the file's alone: elsewhere the figures are
// unknown, not zero.
//
// A converter returns its rows in table.rows (the FINESS converter may
// return only a write function: its output is decoded back) and, when it
// knows better than its kept rows which départements the file describes
// (an RPPS extraction covers the départements of all its lines, GPs or
// not), the file's coverage in table.info.Coverage.

// rowKind tells the generic merge how to handle the rows of one table file.
type rowKind[T any] struct {
	get   func(*snapshot.Snapshot) []T
	dep   func(im *Importer, row *T) string
	order func(a, b *T) int
	write func(io.Writer, []T) (int, error)
	// same, when set, is a comparable value of a whole row: it lets the
	// merge recognise a converter that already merged (see legacyCoverage).
	same func(*T) any
}

// depOfCode is the département of a commune, old commune or arrondissement
// code of the COG 2026; "" when unknown.
func (im *Importer) depOfCode(code string) string {
	cur, _, ok := im.codes.Current(code)
	if !ok {
		return ""
	}
	return im.codes.Dep(cur)
}

// finessDep is the département a FINESS number belongs to, for
// establishments without commune: its first two characters (2A, 2B
// included), overseas 970d → 97d, 975…978 and 98x as such.
func finessDep(n string) string {
	switch {
	case len(n) >= 4 && n[:3] == "970" && n[3] >= '1' && n[3] <= '6':
		return "97" + n[3:4]
	case len(n) >= 3 && (n[:2] == "97" || n[:2] == "98"):
		return n[:3]
	case len(n) >= 2:
		return n[:2]
	}
	return ""
}

var (
	establishmentRows = rowKind[snapshot.Establishment]{
		get: func(s *snapshot.Snapshot) []snapshot.Establishment { return s.Establishments },
		dep: func(im *Importer, e *snapshot.Establishment) string {
			if e.Commune != "" {
				if d := im.depOfCode(e.Commune); d != "" {
					return d
				}
			}
			return finessDep(e.Finess)
		},
		order: func(a, b *snapshot.Establishment) int { return cmp.Compare(a.Finess, b.Finess) },
		write: snapshot.WriteEstablishments,
		same:  func(e *snapshot.Establishment) any { return *e },
	}
	aplRows = rowKind[snapshot.APL]{
		get: func(s *snapshot.Snapshot) []snapshot.APL { return s.APL },
		dep: func(im *Importer, a *snapshot.APL) string { return im.depOfCode(a.Code) },
		order: func(a, b *snapshot.APL) int {
			return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Vintage, b.Vintage))
		},
		write: snapshot.WriteAPL,
	}
	gpRows = rowKind[snapshot.GPCount]{
		get:   func(s *snapshot.Snapshot) []snapshot.GPCount { return s.GPs },
		dep:   func(im *Importer, g *snapshot.GPCount) string { return im.depOfCode(g.Code) },
		order: func(a, b *snapshot.GPCount) int { return cmp.Compare(a.Code, b.Code) },
		write: snapshot.WriteGPs,
	}
	professionalRows = rowKind[snapshot.ProfessionalCount]{
		get: func(s *snapshot.Snapshot) []snapshot.ProfessionalCount { return s.Professionals },
		dep: func(im *Importer, p *snapshot.ProfessionalCount) string { return im.depOfCode(p.Code) },
		order: func(a, b *snapshot.ProfessionalCount) int {
			return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Profession, b.Profession))
		},
		write: snapshot.WriteProfessionals,
	}
	gpSiteRows = rowKind[snapshot.GPSite]{
		get: func(s *snapshot.Snapshot) []snapshot.GPSite { return s.GPSites },
		dep: func(im *Importer, g *snapshot.GPSite) string { return im.depOfCode(g.Code) },
		order: func(a, b *snapshot.GPSite) int {
			return cmp.Or(cmp.Compare(a.Person, b.Person), cmp.Compare(a.Code, b.Code))
		},
		write: snapshot.WriteGPSites,
	}
	cptsRows = rowKind[snapshot.CPTSMember]{
		get: func(s *snapshot.Snapshot) []snapshot.CPTSMember { return s.CPTS },
		dep: func(im *Importer, c *snapshot.CPTSMember) string { return im.depOfCode(c.Commune) },
		order: func(a, b *snapshot.CPTSMember) int {
			return cmp.Or(cmp.Compare(a.CPTS, b.CPTS), cmp.Compare(a.Commune, b.Commune))
		},
		write: snapshot.WriteCPTS,
	}
)

// merge puts the file's rows of t in the table in use (see above), and
// fills t.info's Rows, Coverage, Vintage and notes. It returns a line for
// the terminal. Tables the converter finished itself (t.whole) are left as
// they are.
func (im *Importer) merge(t *table) (string, error) {
	if t.whole {
		return "", nil
	}
	switch t.file {
	case snapshot.EstablishmentsFile:
		return mergeRows(im, t, establishmentRows)
	case snapshot.APLFile:
		return mergeRows(im, t, aplRows)
	case snapshot.GPFile:
		return mergeRows(im, t, gpRows)
	case snapshot.ProfessionalsFile:
		return mergeRows(im, t, professionalRows)
	case snapshot.GPSitesFile:
		return mergeRows(im, t, gpSiteRows)
	case snapshot.CPTSFile:
		return mergeRows(im, t, cptsRows)
	}
	return "", fmt.Errorf("importer: no merge rule for table file %s", t.file)
}

func mergeRows[T any](im *Importer, t *table, k rowKind[T]) (string, error) {
	var rows []T
	switch r := t.rows.(type) {
	case []T:
		rows = r
	case nil:
		// The converter gave only its written form: read it back.
		var buf bytes.Buffer
		if _, err := t.write(&buf); err != nil {
			return "", fmt.Errorf("converting %s: %w", t.file, err)
		}
		s, err := snapshot.DecodeTable(t.file, buf.Bytes())
		if err != nil {
			return "", fmt.Errorf("converting %s: %w", t.file, err)
		}
		rows = k.get(s)
	default:
		return "", fmt.Errorf("importer: table %s has rows of type %T", t.file, t.rows)
	}

	// The file's coverage: given by the converter, else the départements
	// of its rows, labelled with the file's vintage.
	fileCov := t.info.Coverage
	converterMerged := false
	if fileCov == nil && t.rows == nil && k.same != nil {
		fileCov = legacyCoverage(im, t, k, rows)
		converterMerged = fileCov != nil
	}
	if fileCov == nil {
		deps := map[string]bool{}
		for i := range rows {
			if d := k.dep(im, &rows[i]); d != "" {
				deps[d] = true
			}
		}
		src := cmp.Or(t.info.Vintage, t.info.Source)
		for _, d := range sortedDeps(deps) {
			fileCov = append(fileCov, snapshot.Coverage{Dep: d, Source: src, Vintage: vintageOf(src)})
		}
	}
	covered := map[string]bool{}
	for _, c := range fileCov {
		covered[c.Dep] = true
	}
	if len(covered) == 0 {
		return "", &InputError{Path: t.info.Origin, Err: fmt.Errorf("no row in a known département: nothing to import into table %s (the file is empty or all its codes are unknown to COG 2026)", t.info.Name)}
	}

	merged, kept := rows, 0
	var prevCov []snapshot.Coverage
	prev := im.Current.Manifest.Table(t.info.Name)
	switch {
	case converterMerged && im.ReplaceNational:
		merged = fileRowsIn(im, k, rows, covered)
	case converterMerged:
		kept = len(rows) - len(fileRowsIn(im, k, rows, covered))
		if prev != nil {
			prevCov = prev.Coverage
			if prevCov == nil {
				prevCov = im.nationalCoverage(prev)
			}
		}
	case !im.ReplaceNational:
		unplacedInFile := false
		for i := range rows {
			if k.dep(im, &rows[i]) == "" {
				unplacedInFile = true
				break
			}
		}
		cur := k.get(im.Current)
		merged = make([]T, 0, len(rows)+len(cur))
		merged = append(merged, rows...)
		for i := range cur {
			d := k.dep(im, &cur[i])
			if covered[d] || d == "" && unplacedInFile {
				continue
			}
			merged = append(merged, cur[i])
			kept++
		}
		// A national file keeps no row of the table in use: its rows,
		// sorted, need no sort (a stable sort of sorted rows is the same).
		if !slices.IsSortedFunc(merged, func(a, b T) int { return k.order(&a, &b) }) {
			slices.SortStableFunc(merged, func(a, b T) int { return k.order(&a, &b) })
		}
		if prev != nil {
			prevCov = prev.Coverage
			if prevCov == nil && len(cur) > 0 {
				prevCov = im.nationalCoverage(prev)
			}
		}
	}
	shrinkNote, err := shrinkCheck(im, k, t.info.Name, k.get(im.Current), merged, covered, im.ReplaceNational)
	if err != nil {
		return "", &InputError{Path: t.info.Origin, Err: err}
	}
	var cov []snapshot.Coverage
	for _, c := range prevCov {
		if !covered[c.Dep] {
			cov = append(cov, c)
		}
	}
	cov = append(cov, fileCov...)
	slices.SortStableFunc(cov, func(a, b snapshot.Coverage) int { return cmp.Compare(a.Dep, b.Dep) })

	deps := make([]string, 0, len(fileCov))
	for _, c := range fileCov {
		deps = append(deps, c.Dep)
	}
	t.rows = merged
	t.write = func(w io.Writer) (int, error) { return k.write(w, merged) }
	t.info.Rows = len(merged)
	t.info.Coverage = cov
	var line string
	if im.ReplaceNational {
		line = fmt.Sprintf("--replace-national: the file's %s replace the whole table; it now covers only %s", plural(len(rows), "row", "rows"), depList(deps, 12))
		t.info.Notes = append(t.info.Notes, fmt.Sprintf("table nationale remplacée par le fichier (--replace-national) : départements couverts %s, ailleurs inconnu", depList(deps, 12)))
	} else {
		from := "the table in use"
		if prev != nil && (prev.Origin == "" || prev.Origin == "embedded") {
			from = "the embedded snapshot"
		}
		line = fmt.Sprintf("replaces the rows of %s %s; %s of other départements kept from %s",
			map[bool]string{true: "département", false: "départements"}[len(deps) == 1], depList(deps, 12), plural(kept, "row", "rows"), from)
		t.info.Notes = append(t.info.Notes, fmt.Sprintf("fichier importé pour les départements %s ; lignes des autres départements conservées : %d", depList(deps, 12), kept))
	}
	if shrinkNote != "" {
		line += "; " + shrinkNote
	}
	// A table that now mixes sources says so in its vintage: the file's
	// with its départements, then the others.
	var others []string
	for _, g := range GroupCoverage(cov) {
		if !covered[g.Departements[0]] {
			others = append(others, g.Source)
		}
	}
	if len(others) > 0 {
		t.info.Vintage = fmt.Sprintf("%s (%s) ; ailleurs %s", t.info.Vintage, depList(deps, 12), strings.Join(others, ", "))
	}
	return line, nil
}

// legacyCoverage tells the coverage of a converter that returned neither
// rows nor coverage, only its written table, and may have merged with the
// table in use itself (the FINESS converter did for the Occitanie file,
// before it returned rows and coverage). When its output holds rows of the
// table in use unchanged, it merged: the file covers the départements of
// its other rows, and those whose rows all disappeared (the file had rows
// there, none kept). Otherwise it returns nil: the file covers the
// départements of its rows.
func legacyCoverage[T any](im *Importer, t *table, k rowKind[T], rows []T) []snapshot.Coverage {
	cur := k.get(im.Current)
	curRows := make(map[any]bool, len(cur))
	curDeps := map[string]bool{}
	for i := range cur {
		curRows[k.same(&cur[i])] = true
		curDeps[k.dep(im, &cur[i])] = true
	}
	unchanged := 0
	outDeps, newDeps := map[string]bool{}, map[string]bool{}
	for i := range rows {
		d := k.dep(im, &rows[i])
		outDeps[d] = true
		if curRows[k.same(&rows[i])] {
			unchanged++
		} else {
			newDeps[d] = true
		}
	}
	if unchanged == 0 {
		return nil
	}
	for d := range curDeps {
		if !outDeps[d] {
			newDeps[d] = true
		}
	}
	src := cmp.Or(t.info.Vintage, t.info.Source)
	return fileCoverage(newDeps, src, vintageOf(src))
}

// fileRowsIn returns the rows in the covered départements.
func fileRowsIn[T any](im *Importer, k rowKind[T], rows []T, covered map[string]bool) []T {
	var out []T
	for i := range rows {
		if covered[k.dep(im, &rows[i])] {
			out = append(out, rows[i])
		}
	}
	return out
}

// nationalCoverage spells out the coverage of a table that has none (a
// national table): every département of the snapshot, with the table's
// vintage.
func (im *Importer) nationalCoverage(info *snapshot.TableInfo) []snapshot.Coverage {
	src := cmp.Or(info.Vintage, info.Source)
	out := make([]snapshot.Coverage, 0, len(im.Embedded.Departements))
	for _, d := range im.Embedded.Departements {
		out = append(out, snapshot.Coverage{Dep: d.Code, Source: src, Vintage: vintageOf(src)})
	}
	return out
}

var vintageRE = regexp.MustCompile(`(?:19|20)\d{2}(?:-\d{2}(?:-\d{2})?)?`)

// vintageOf is the first date (YYYY, YYYY-MM or YYYY-MM-DD) a label
// carries, or "".
func vintageOf(label string) string { return vintageRE.FindString(label) }

// fileCoverage is the coverage of a file with rows in deps: every
// département with the same source and vintage.
func fileCoverage(deps map[string]bool, source, vintage string) []snapshot.Coverage {
	out := make([]snapshot.Coverage, 0, len(deps))
	for _, d := range sortedDeps(deps) {
		out = append(out, snapshot.Coverage{Dep: d, Source: source, Vintage: vintage})
	}
	return out
}

func sortedDeps(deps map[string]bool) []string {
	out := make([]string, 0, len(deps))
	for d := range deps {
		if d != "" {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// depList lists département codes, or says how many when there are more
// than max.
func depList(deps []string, max int) string {
	if len(deps) > max {
		return fmt.Sprintf("%d départements", len(deps))
	}
	return strings.Join(deps, " ")
}

// A CoverageGroup is one source and vintage of a table with the
// départements it applies to.
type CoverageGroup struct {
	Source       string   `json:"source"`
	Vintage      string   `json:"vintage"`
	Departements []string `json:"departements"`
}

// GroupCoverage groups a coverage list by source and vintage, the largest
// group first (then by source).
func GroupCoverage(cov []snapshot.Coverage) []CoverageGroup {
	var out []CoverageGroup
	idx := map[[2]string]int{}
	for _, c := range cov {
		k := [2]string{c.Source, c.Vintage}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, CoverageGroup{Source: c.Source, Vintage: c.Vintage})
		}
		out[i].Departements = append(out[i].Departements, c.Dep)
	}
	for i := range out {
		slices.Sort(out[i].Departements)
	}
	slices.SortStableFunc(out, func(a, b CoverageGroup) int {
		return cmp.Or(cmp.Compare(len(b.Departements), len(a.Departements)), cmp.Compare(a.Source, b.Source), cmp.Compare(a.Vintage, b.Vintage))
	})
	return out
}

// CoverageSummary describes a coverage list compactly, one string per
// source and vintage: "FINESS 2021-01-08: 88 départements", "FINESS
// Occitanie 2026: 09 11 12 …" (départements listed up to max). The vintage
// is added when the source label does not name its year.
func CoverageSummary(cov []snapshot.Coverage, max int) []string {
	var out []string
	for _, g := range GroupCoverage(cov) {
		label := g.Source
		if g.Vintage != "" && !strings.Contains(label, g.Vintage[:min(4, len(g.Vintage))]) {
			label += " " + g.Vintage
		}
		out = append(out, label+": "+depList(g.Departements, max))
	}
	return out
}
