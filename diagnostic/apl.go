package diagnostic

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// An APLRow is one row of the DREES APL workbook as published: a commune of
// the vintage's geography, or an arrondissement municipal of Paris, Lyon or
// Marseille.
type APLRow struct {
	Code            string  `json:"code"`
	Value           float64 `json:"apl"`
	Under65         float64 `json:"apl_under65"`
	PopStandardised float64 `json:"pop_standardised"`
	PopTotal        float64 `json:"pop_total"`
}

// An OfficialAPL is the DREES APL of a place (a current commune or an
// arrondissement municipal) for one vintage.
type OfficialAPL struct {
	// Value is the mean of the rows weighted by their standardised
	// population, as the DREES prescribes; exactly the published value when
	// the place has one row.
	Value float64
	// Under65 is the APL to GPs under 65, weighted the same way.
	Under65 float64
	// PopTotal and PopStandardised are the sums over the rows.
	PopTotal        float64
	PopStandardised float64
	// Rows are the published rows the place rolls up: one for most
	// communes; the arrondissements of Paris, Lyon and Marseille; the
	// former communes of a commune merged after the vintage. Shares of the
	// population by APL class classify each row with its own value.
	Rows []APLRow
}

// Parts is the number of published rows the value rolls up.
func (a OfficialAPL) Parts() int { return len(a.Rows) }

// APLIndex gives the official APL of places. The DREES publishes APL in the
// geography of its vintage, by arrondissement for Paris, Lyon and Marseille:
// an arrondissement keeps its own row; a city is the roll-up of its
// arrondissements; a row of a commune merged since belongs to the current
// commune, where it stays a row of its own for the population shares.
type APLIndex struct {
	byVintage map[int]map[string]OfficialAPL
}

// NewAPLIndex maps every APL row of the snapshot onto places.
func NewAPLIndex(s *snapshot.Snapshot) *APLIndex {
	return newAPLIndex(s, nil, func(string) bool { return true })
}

// NewAPLIndexOf is NewAPLIndex for the places of codes only: a command
// showing a few communes does not index all of France.
func NewAPLIndexOf(s *snapshot.Snapshot, codes []string) *APLIndex {
	want := make(map[string]bool, len(codes))
	for _, c := range codes {
		want[c] = true
	}
	return newAPLIndex(s, s.CodesDesignating(codes), func(place string) bool { return want[place] })
}

// newAPLIndex indexes the rows whose code is in rowCodes (every row when
// nil) onto the places keep accepts.
func newAPLIndex(s *snapshot.Snapshot, rowCodes map[string]bool, keep func(place string) bool) *APLIndex {
	// The rows of each place, in the order of the table: grouped by a sort
	// on (vintage, place) rather than appended to a map of slices, each
	// place's rows a slice of one array.
	type entry struct {
		vintage int
		place   string
		row     APLRow
	}
	entries := make([]entry, 0, len(s.APL)+len(s.APL)/16)
	perVintage := map[int]int{}
	for _, r := range s.APL {
		if rowCodes != nil && !rowCodes[r.Code] {
			continue
		}
		place := s.PlaceOf(r.Code)
		if place == "" {
			continue
		}
		row := APLRow{Code: r.Code, Value: r.Value, Under65: r.Under65, PopStandardised: r.PopStandardised, PopTotal: r.PopTotal}
		if keep(place) {
			entries = append(entries, entry{r.Vintage, place, row})
			perVintage[r.Vintage]++
		}
		// A city is the roll-up of its arrondissements.
		if city := s.CityOf(place); city != "" && keep(city) {
			entries = append(entries, entry{r.Vintage, city, row})
		}
	}
	// Sorted by index (4 bytes moved, not an entry), the index breaking
	// ties: the table's order within a place.
	order := make([]int32, len(entries))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		a, b := &entries[i], &entries[j]
		if c := cmp.Compare(a.vintage, b.vintage); c != 0 {
			return c
		}
		if c := strings.Compare(a.place, b.place); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	rows := make([]APLRow, len(entries))
	sorted := make([]entry, len(entries))
	for k, i := range order {
		rows[k], sorted[k] = entries[i].row, entries[i]
	}
	entries = sorted
	idx := &APLIndex{byVintage: map[int]map[string]OfficialAPL{}}
	for i := 0; i < len(entries); {
		e := entries[i]
		j := i + 1
		for j < len(entries) && entries[j].vintage == e.vintage && entries[j].place == e.place {
			j++
		}
		m := idx.byVintage[e.vintage]
		if m == nil {
			m = make(map[string]OfficialAPL, perVintage[e.vintage])
			idx.byVintage[e.vintage] = m
		}
		if a, ok := rollUp(rows[i:j:j]); ok {
			m[e.place] = a
		}
		i = j
	}
	return idx
}

func rollUp(rs []APLRow) (OfficialAPL, bool) {
	a := OfficialAPL{Rows: rs}
	var w, w65 float64
	for _, r := range rs {
		a.PopTotal += r.PopTotal
		a.PopStandardised += r.PopStandardised
		w += r.Value * r.PopStandardised
		w65 += r.Under65 * r.PopStandardised
	}
	switch {
	case len(rs) == 1:
		a.Value, a.Under65 = rs[0].Value, rs[0].Under65
	case a.PopStandardised > 0:
		a.Value, a.Under65 = w/a.PopStandardised, w65/a.PopStandardised
	default:
		return OfficialAPL{}, false
	}
	return a, true
}

// Get returns the official APL of a place for a vintage.
func (x *APLIndex) Get(code string, vintage int) (OfficialAPL, bool) {
	a, ok := x.byVintage[vintage][code]
	return a, ok
}

// aplSums accumulates published rows over a set of places: the means are
// weighted by the standardised population, the shares of the population
// by class count each row's total population under its own value.
type aplSums struct {
	w, w65, std, tot float64
	cls, cls65       [3]float64 // low, middle, high
	rows             int
	first            APLRow
}

func (s *aplSums) add(rs []APLRow, t Thresholds) {
	for _, r := range rs {
		s.w += r.Value * r.PopStandardised
		s.w65 += r.Under65 * r.PopStandardised
		s.std += r.PopStandardised
		s.tot += r.PopTotal
		s.cls[t.classIndex(r.Value)] += r.PopTotal
		s.cls65[t.classIndex(r.Under65)] += r.PopTotal
		if s.rows == 0 {
			s.first = r
		}
		s.rows++
	}
}

// APLFigures are the official APL figures of a set of places for one
// vintage.
type APLFigures struct {
	Mean, MeanUnder65 *float64
	// Shares of the population by class (low, middle, high), all GPs and
	// GPs under 65.
	Shares, SharesUnder65 [3]*float64
	NeedIndex             *float64
}

func (s *aplSums) figures() APLFigures {
	var f APLFigures
	switch {
	case s.rows == 1:
		// Exactly the published value, even for a row of population 0.
		f.Mean, f.MeanUnder65 = ptr(s.first.Value), ptr(s.first.Under65)
	case s.std > 0:
		f.Mean, f.MeanUnder65 = ptr(s.w/s.std), ptr(s.w65/s.std)
	}
	if s.tot > 0 {
		for i := range 3 {
			f.Shares[i], f.SharesUnder65[i] = ptr(s.cls[i]/s.tot), ptr(s.cls65[i]/s.tot)
		}
		f.NeedIndex = ptr(s.std / s.tot)
	}
	return f
}

// classIndex returns 0 for low (≤ Low), 1 for middle (≤ Middle), 2 for
// high, on the value itself: each published row is classified with its
// own value (METHOD.md), as DREES publishes it with three decimals. A row
// of 2,501 is above 2,5, although two decimals would show it "2,50": the
// report shows such values with the decimals their class needs
// ([Thresholds.Decimals]), so that the figure and its class agree.
func (t Thresholds) classIndex(apl float64) int {
	switch {
	case apl <= t.Low:
		return 0
	case apl <= t.Middle:
		return 1
	default:
		return 2
	}
}

// Decimals returns the number of decimals to show an APL with: APLDecimals,
// or more when the value so rounded would fall in another class than the
// value (2,501 shows "2,501", not "2,50", which reads as at the 2,5
// threshold; 4,0004 shows "4,0004"), at most maxAPLDecimals.
func (t Thresholds) Decimals(apl float64) int {
	d := APLDecimals
	// Rounding moves a value by half a unit of its last decimal at most:
	// a value farther than that from both thresholds keeps its class.
	if unit := math.Pow10(-d) / 2; math.Abs(apl-t.Low) > unit && math.Abs(apl-t.Middle) > unit || math.IsNaN(apl) || math.IsInf(apl, 0) {
		return d
	}
	for c := t.classIndex(apl); d < maxAPLDecimals && t.classIndex(Round(apl, d)) != c; d++ {
	}
	return d
}

// DecimalsOf is Decimals of a value that may be missing (APLDecimals then).
func (t Thresholds) DecimalsOf(apl *float64) int {
	if apl == nil {
		return APLDecimals
	}
	return t.Decimals(*apl)
}

// maxAPLDecimals bounds [Thresholds.Decimals]: published APLs have three
// decimals; a mean closer than that to a threshold shows six at most.
const maxAPLDecimals = 6

// APLNotes says, for the APL table in use, what was done with the rows
// that do not fit today's communes, one English sentence per case, for
// `datasets info`: rows published with a population of 0 (communes that
// left a commune nouvelle: their inhabitants are in the row of the commune
// they left; the value is shown for the commune but weighs nothing),
// current communes without a row (created or restored after the vintage:
// their APL is unknown), rows of old codes rolled up into today's commune,
// and rows whose code maps to nothing.
func APLNotes(s *snapshot.Snapshot) []string {
	type vin struct {
		zero, old, unknown []string
		rows               map[string]bool
	}
	by := map[int]*vin{}
	var vintages []int
	for _, r := range s.APL {
		v := by[r.Vintage]
		if v == nil {
			v = &vin{rows: map[string]bool{}}
			by[r.Vintage] = v
			vintages = append(vintages, r.Vintage)
		}
		place := s.PlaceOf(r.Code)
		switch {
		case place == "":
			v.unknown = append(v.unknown, r.Code)
		case place != r.Code:
			v.old = append(v.old, r.Code+"→"+place)
		}
		if r.PopTotal == 0 {
			v.zero = append(v.zero, r.Code)
		}
		v.rows[place] = true
	}
	sort.Ints(vintages)
	covered := map[string]bool{}
	for _, r := range s.APL {
		if c := s.Place(s.PlaceOf(r.Code)); c != nil {
			covered[c.Dep] = true
		}
	}
	var out []string
	for _, y := range vintages {
		v := by[y]
		var none, empty []string
		for _, c := range s.Communes {
			if covered[c.Dep] && !v.rows[c.Code] && len(s.ArrondissementsOf(c.Code)) == 0 {
				if c.Population == 0 {
					empty = append(empty, c.Code)
				} else {
					none = append(none, c.Code)
				}
			}
		}
		if len(empty) > 0 {
			out = append(out, fmt.Sprintf("APL %d: %d current communes without inhabitants have no row (%s): APL unknown (n.d.)", y, len(empty), strings.Join(firstN(empty, 12), " ")))
		}
		if len(v.zero) > 0 {
			out = append(out, fmt.Sprintf("APL %d: %d rows with population 0 (%s): communes that left a commune nouvelle, their inhabitants counted in the row of the commune they left; the value is shown for the commune and weighs nothing in means and shares", y, len(v.zero), strings.Join(v.zero, " ")))
		}
		if len(none) > 0 {
			out = append(out, fmt.Sprintf("APL %d: %d current communes without a row (%s): created or restored after the vintage, APL unknown (n.d.)", y, len(none), strings.Join(firstN(none, 12), " ")))
		}
		if len(v.old) > 0 {
			out = append(out, fmt.Sprintf("APL %d: %d rows of old codes rolled up into today's commune, each kept as a row of its own for the population shares (e.g. %s)", y, len(v.old), strings.Join(firstN(v.old, 4), ", ")))
		}
		if len(v.unknown) > 0 {
			out = append(out, fmt.Sprintf("APL %d: %d rows whose code maps to no current commune, left out (%s)", y, len(v.unknown), strings.Join(firstN(v.unknown, 12), " ")))
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… %d more", len(s)-n))
}
