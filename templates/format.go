package templates

import "github.com/diagsante/diagsante/diagnostic"

// The renderers format numbers with diagnostic's one French formatter; these
// short names read better in templates.

// nbsp separates thousands and units in French; non-breaking so that a
// figure never wraps across two lines.
const nbsp = "\u00a0"

// NA is what a report shows where the data cannot give a value.
const NA = diagnostic.NA

// Num formats v the French way with prec decimals ("29 583", "2,67").
func Num(v float64, prec int) string { return diagnostic.FormatNum(v, prec) }

// aplDec is the number of decimals an APL is shown with: those its class
// against th needs ("2,501", not "2,50", for a value above 2,5).
func aplDec(th diagnostic.Thresholds, v *float64) int { return th.DecimalsOf(v) }

// Int formats an integer with French thousands separators.
func Int(n int) string { return diagnostic.FormatInt(n) }

// NumP formats a value that may be missing: NA when nil.
func NumP(v *float64, prec int) string {
	if v == nil {
		return NA
	}
	return Num(*v, prec)
}

// IntP formats a count that may be missing: NA when nil.
func IntP(n *int) string {
	if n == nil {
		return NA
	}
	return Int(*n)
}

// Pct formats a share (0–1) as a French percentage with prec decimals ("35,2 %").
func Pct(v float64, prec int) string { return diagnostic.FormatPct(v, prec) }

// PctP formats a share that may be missing: NA when nil.
func PctP(v *float64, prec int) string {
	if v == nil {
		return NA
	}
	return Pct(*v, prec)
}

// CountOf writes a count and its noun in agreement: "1 commune", "2
// communes", "1 234 communes" (diagnostic.Plural, the report's one plural
// helper).
func CountOf(n int, singular, plural string) string { return diagnostic.Plural(n, singular, plural) }

// Agree returns the word that agrees with the count n: singular below 2
// (diagnostic.Agree).
func Agree(n int, singular, plural string) string { return diagnostic.Agree(n, singular, plural) }
