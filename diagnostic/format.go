package diagnostic

import (
	"math"
	"strconv"
	"strings"
)

// French number formatting, the one formatter of every figure a report
// prints: the findings' sentences here, the HTML, Excel and terminal
// renderers in templates.

// NA is what a report shows where the data cannot give a value
// ("non disponible"): never a zero, which would read as a real figure.
const NA = "n.d."

// nbsp separates thousands and units in French ("29 583", "35 %"); it is
// non-breaking so that a figure never wraps across two lines.
const nbsp = "\u00a0"

// FormatNum formats v the French way with prec decimals: decimal comma and
// thousands separated by a non-breaking space ("29 583", "2,67"); NA for
// NaN and ±Inf.
func FormatNum(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NA
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg && strings.Trim(s, "0.") != "" {
		b.WriteString("−")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(nbsp)
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteString(",")
		b.WriteString(frac)
	}
	return b.String()
}

// FormatInt formats an integer with French thousands separators.
func FormatInt(n int) string { return FormatNum(float64(n), 0) }

// FormatPct formats a share (0–1) as a French percentage with prec
// decimals ("35,2 %").
func FormatPct(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NA
	}
	return FormatNum(100*v, prec) + nbsp + "%"
}
