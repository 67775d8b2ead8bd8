package importer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// ShrinkLimit is the share of the rows of the départements a file replaces
// that an import may remove without --allow-shrink (Importer.AllowShrink):
// a truncated file, a header-only one or one whose codes are all unknown
// must not silently empty a table.
const ShrinkLimit = 0.10

// A ShrinkError is an import refused because it would remove too many rows.
type ShrinkError struct {
	Table         string
	Before, After int // rows in the départements replaced
	Deps          []DepShrink
	National      bool // --replace-national: every département replaced
}

// DepShrink is one département's rows before and after the import.
type DepShrink struct {
	Dep           string
	Before, After int
}

func (e *ShrinkError) Error() string {
	scope := "in the départements it replaces"
	if e.National {
		scope = "(--replace-national replaces the whole table)"
	}
	pct := 100.0
	if e.Before > 0 {
		pct = 100 * float64(e.Before-e.After) / float64(e.Before)
	}
	return fmt.Sprintf("the import would shrink table %s from %d to %d rows %s (-%.1f %%, more than %.0f %%); rows removed by département: %s. Check that the file is complete, or give --allow-shrink to import it anyway",
		e.Table, e.Before, e.After, scope, pct, 100*ShrinkLimit, e.removedList(12))
}

// removedList lists the départements that lose rows, most first: "13
// -300 (300 → 3), 06 -200 (200 → 0)", up to max then "… and N others".
func (e *ShrinkError) removedList(max int) string {
	var parts []string
	for i, d := range e.Deps {
		if i == max {
			parts = append(parts, fmt.Sprintf("… and %d other départements", len(e.Deps)-max))
			break
		}
		parts = append(parts, fmt.Sprintf("%s -%d (%d → %d)", d.Dep, d.Before-d.After, d.Before, d.After))
	}
	return strings.Join(parts, ", ")
}

// shrinkCheck compares the rows per département of the table in use and of
// the merged table, over the départements the file replaces (every one
// with national): more than ShrinkLimit removed, or all of them, is
// refused unless allowed. It returns a note for the terminal when rows are
// removed and allowed.
func shrinkCheck[T any](im *Importer, k rowKind[T], name string, cur, merged []T, covered map[string]bool, national bool) (string, error) {
	before, after := map[string]int{}, map[string]int{}
	for i := range cur {
		if d := k.dep(im, &cur[i]); d != "" && (national || covered[d]) {
			before[d]++
		}
	}
	for i := range merged {
		if d := k.dep(im, &merged[i]); d != "" && (national || covered[d]) {
			after[d]++
		}
	}
	e := &ShrinkError{Table: name, National: national}
	for d, b := range before {
		e.Before += b
		if a := after[d]; a < b {
			e.Deps = append(e.Deps, DepShrink{Dep: d, Before: b, After: a})
		}
	}
	for _, a := range after {
		e.After += a
	}
	if len(e.Deps) == 0 || e.Before == 0 {
		return "", nil
	}
	slices.SortFunc(e.Deps, func(a, b DepShrink) int {
		return cmp.Or(cmp.Compare(b.Before-b.After, a.Before-a.After), cmp.Compare(a.Dep, b.Dep))
	})
	removed := e.Before - e.After
	if removed <= 0 || float64(removed) <= ShrinkLimit*float64(e.Before) && e.After > 0 {
		return "", nil
	}
	if !im.AllowShrink {
		return "", e
	}
	return fmt.Sprintf("--allow-shrink: %d rows removed (%d → %d); by département: %s", removed, e.Before, e.After, e.removedList(12)), nil
}
