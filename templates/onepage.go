package templates

import (
	"sort"
	"strings"

	"github.com/diagsante/diagsante/diagnostic"
	"github.com/diagsante/diagsante/diagnostic/access"
)

// The first printed page is the synthèse an élu takes to a council
// meeting: the territory, its key figures with their comparisons, the map,
// the points of attention and the levers by their titles, the data dates.
// The details follow as annexes.

// maxKeyCards bounds the key figures of the first page.
const maxKeyCards = 7

// splitCards keeps the key figures for the first page and moves the others
// (the need index, a context figure that section 2 details) to the details.
func splitCards(cs []card) (key, more []card) {
	for _, c := range cs {
		if strings.HasPrefix(c.Label, "Indice de besoin") || len(key) == maxKeyCards {
			more = append(more, c)
			continue
		}
		key = append(key, c)
	}
	return key, more
}

// checksCount is "1 question" or "3 questions".
func checksCount(n int) string { return CountOf(n, "question", "questions") }

// maxStructureList is the longest list of structures the page shows by
// name: beyond it, a table counts them by commune and type, and the list
// is in the workbook (feuille « Structures »). An EPCI has a few dozen;
// Seine-Saint-Denis has 746, 20 printed pages. On paper the table
// replaces a list longer than maxPrintedList.
const (
	maxStructureList = 60
	maxPrintedList   = 12
)

// A structTable counts the structures of a territory by commune (rows)
// and type (columns).
type structTable struct {
	Kinds []string
	Rows  []structCountRow
	Total structCountRow
	N     string
}

type structCountRow struct {
	Commune string
	Counts  []string
	n       int
}

// structureTable returns the count table of a long list, nil for a short
// one. Types keep the order of the list (by type); communes come by
// number of structures, then name.
func structureTable(list []structRow) *structTable {
	if len(list) <= maxPrintedList {
		return nil
	}
	t := &structTable{N: Int(len(list))}
	col := map[string]int{}
	byCommune := map[string][]int{}
	var communes []string
	for _, s := range list {
		if _, ok := col[s.Kind]; !ok {
			col[s.Kind] = len(t.Kinds)
			t.Kinds = append(t.Kinds, s.Kind)
		}
	}
	totals := make([]int, len(t.Kinds))
	for _, s := range list {
		c, ok := byCommune[s.Commune]
		if !ok {
			c = make([]int, len(t.Kinds))
			communes = append(communes, s.Commune)
		}
		c[col[s.Kind]]++
		byCommune[s.Commune] = c
		totals[col[s.Kind]]++
	}
	row := func(name string, counts []int) structCountRow {
		r := structCountRow{Commune: name}
		for _, n := range counts {
			r.n += n
			cell := ""
			if n > 0 {
				cell = Int(n)
			}
			r.Counts = append(r.Counts, cell)
		}
		return r
	}
	for _, c := range communes {
		t.Rows = append(t.Rows, row(c, byCommune[c]))
	}
	sort.SliceStable(t.Rows, func(i, j int) bool {
		if t.Rows[i].n != t.Rows[j].n {
			return t.Rows[i].n > t.Rows[j].n
		}
		return t.Rows[i].Commune < t.Rows[j].Commune
	})
	t.Total = row("Total", totals)
	return t
}

// glossaryAnchors link the kinds of structures to their glossary entry.
var glossaryAnchors = map[string]string{"msp": "gl-msp", "cds": "gl-cds", "cpts": "gl-cpts", "had": "gl-had", "proximity": "gl-hdp"}

// glossaryAnchor is the glossary entry of a kind of structure, "" when it
// has none.
func glossaryAnchor(kind string) string { return glossaryAnchors[kind] }

// timesErrorNote reminds, on the first page, that times come from a model
// whose measured error section 4 states; empty when the times come from a
// matrix the user gave for every pair.
func timesErrorNote(r *diagnostic.Report) string {
	if r.TravelTimeError == "" {
		return ""
	}
	m := access.MeasuredError
	return " ; temps estimés par un modèle, écart moyen mesuré de " + Num(m.MAE, 1) + nbsp + "min (section 4)"
}
