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
	s := roundDecimal(v, prec)
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

// roundDecimal writes v with prec decimals, rounded half away from zero on
// its shortest decimal representation: 2.505 gives "2.51", as a reader,
// Excel's number formats and the browser's Intl.NumberFormat round it,
// where strconv's exact binary rounding would give "2.50" (2.505 is stored
// as 2.50499999…). The HTML, the workbook and the charts thus show the same
// digits.
func roundDecimal(v float64, prec int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	up := len(frac) > prec && frac[prec] >= '5'
	if len(frac) > prec {
		frac = frac[:prec]
	} else {
		frac += strings.Repeat("0", prec-len(frac))
	}
	digits := []byte(intPart + frac)
	if up {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		} else {
			digits[i]++
		}
	}
	out := string(digits)
	if prec > 0 {
		out = out[:len(out)-prec] + "." + out[len(out)-prec:]
	}
	if v < 0 {
		out = "-" + out
	}
	return out
}

// Round returns v rounded as FormatNum shows it with prec decimals: a
// value is counted or drawn by the figure the reader sees (minutes shown
// "15,0" are not beyond 15). NaN and ±Inf are returned unchanged.
func Round(v float64, prec int) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	f, _ := strconv.ParseFloat(roundDecimal(v, prec), 64)
	return f
}

// APLDecimals is the number of decimals an APL is shown with (tables,
// charts, findings), unless its class needs more ([Thresholds.Decimals]).
const APLDecimals = 2

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

// Plural writes a count and its noun in agreement, the French way: singular
// below 2 ("0 commune", "1 commune", "2 communes"). The count is formatted
// with FormatInt ("1 234 communes").
func Plural(n int, singular, plural string) string {
	return FormatInt(n) + " " + Agree(n, singular, plural)
}

// Agree returns the word that agrees with the count n: singular below 2
// (French: "0 commune", "1 commune"), else plural. It serves verbs and
// adjectives too: Agree(n, "touche", "touchent").
func Agree(n int, singular, plural string) string {
	if n > -2 && n < 2 {
		return singular
	}
	return plural
}

// The COG type de nom en clair (TNCC, "typeLiaison" of the etalab files)
// says which article a place name takes and how "de" joins it.
var liaisons = [...]struct{ article, of string }{
	0: {"", "de "},       // Paris, de Paris; Seine-et-Marne, de Seine-et-Marne
	1: {"", "d'"},        // Eure-et-Loir, d'Eure-et-Loir; Île-de-France
	2: {"le ", "du "},    // le Var, du Var
	3: {"la ", "de la "}, // la Lozère, de la Lozère
	4: {"les ", "des "},  // les Bouches-du-Rhône, des Bouches-du-Rhône
	5: {"l'", "de l'"},   // l'Ain, de l'Ain
	6: {"aux ", "des "},
	7: {"las ", "de las "},
	8: {"los ", "de los "},
}

// NameOf joins "de" to a place name by its COG TNCC: "du Var", "de la
// Lozère", "des Bouches-du-Rhône", "de l'Ain", "d'Eure-et-Loir", "de Paris",
// "de La Réunion" (whose article belongs to the name). With an unknown
// TNCC (negative), as for commune names, the name's own article is
// contracted and a vowel elides: "du Havre" (Le Havre), "des Ulis" (Les
// Ulis), "de La Rochelle", "d'Arles", "de Nemours".
func NameOf(name string, tncc int) string {
	if tncc >= 0 && tncc < len(liaisons) {
		return liaisons[tncc].of + name
	}
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[len("Le "):]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[len("Les "):]
	}
	return Elide("de", name)
}

// NameArticle returns a place name with its article by its COG TNCC: "le
// Var", "la Lozère", "les Bouches-du-Rhône", "l'Ain", "Paris"; the bare
// name when the TNCC is unknown.
func NameArticle(name string, tncc int) string {
	if tncc >= 0 && tncc < len(liaisons) {
		return liaisons[tncc].article + name
	}
	return name
}

// Elide joins a short word that elides ("de", "que", "le", "la") to the
// next word: "d'Ain", "qu'Occitanie", "de Var".
func Elide(word, next string) string {
	if startsWithVowel(next) {
		switch word {
		case "le", "la":
			return "l'" + next
		case "de", "que", "ne", "se", "je", "me", "te":
			return word[:len(word)-1] + "'" + next
		case "De", "Que", "Le", "La":
			return word[:1] + "'" + next
		}
	}
	return word + " " + next
}

// startsWithVowel reports whether s starts with a vowel, accented or not
// (an h, mute or aspirated, is left to the TNCC: "de l'Hérault", "de la
// Haute-Loire").
func startsWithVowel(s string) bool {
	for _, r := range s {
		return strings.ContainsRune("aeiouyàâäéèêëîïôöùûüAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜ", r)
	}
	return false
}

// SpaceNorm collapses runs of whitespace to one space: source names such
// as FINESS raisons sociales sometimes double them ("CENTRE HOSPITALIER
// BRESSE").
func SpaceNorm(s string) string { return strings.Join(strings.Fields(s), " ") }

// CleanAddress writes a FINESS address for reading: spaces collapsed, and
// the stray punctuation of the extraction dropped — a word that is only
// dots or commas ("573 GR .") and a part that holds nothing else
// ("16 R DOCTEUR BERGUGNAT | ."), which would read as a space before a
// full stop.
func CleanAddress(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "|") {
		var words []string
		for _, w := range strings.Fields(p) {
			if strings.Trim(w, ".,;:") != "" {
				words = append(words, w)
			}
		}
		if len(words) > 0 {
			parts = append(parts, strings.Join(words, " "))
		}
	}
	return strings.Join(parts, " | ")
}

// UnitAgree returns the singular or plural of a unit after a figure shown
// with prec decimals: singular below 2 ("1,80 consultation"), else plural;
// plural when the figure is missing.
func UnitAgree(v *float64, prec int, singular, plural string) string {
	if v != nil && math.Abs(Round(*v, prec)) < 2 {
		return singular
	}
	return plural
}
