// Package textnorm folds French place names and column headers to a
// comparable form: lower case, no accents, punctuation as single spaces.
// "Saint-Étienne-du-Rouvray", "ST ETIENNE DU ROUVRAY" and
// "saint etienne du rouvray" all fold to "saint etienne du rouvray".
package textnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s lower-cased, without diacritics, with every run of
// non-alphanumeric characters replaced by one space and trimmed. Ligatures
// œ and æ are spelled out, as the postal and INSEE files do.
func Fold(s string) string {
	// Decompose, then drop the combining marks inside the loop below:
	// cheaper than a transform chain, which allocates per call.
	out := s
	if !isASCII(s) {
		// Invalid bytes would stop the decomposition of what follows them
		// (found by FuzzFold): drop them first.
		out = norm.NFD.String(strings.ToValidUTF8(s, ""))
	}
	var b strings.Builder
	b.Grow(len(out))
	space := false
	for _, r := range out {
		switch {
		case r == 'œ' || r == 'Œ':
			b.WriteString(spaceIf(&space, b.Len()) + "oe")
		case r == 'æ' || r == 'Æ':
			b.WriteString(spaceIf(&space, b.Len()) + "ae")
		case unicode.Is(unicode.Mn, r):
			// combining accent of the decomposed letter before it
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteString(spaceIf(&space, b.Len()))
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func spaceIf(pending *bool, n int) string {
	if *pending && n > 0 {
		*pending = false
		return " "
	}
	*pending = false
	return ""
}

// abbreviations used by La Poste and FINESS in upper-case place names.
var abbreviations = map[string]string{"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}

// FoldPlace is Fold plus the expansion of the abbreviations of place names
// (ST, STE) so that "ST DENIS" matches "Saint-Denis".
func FoldPlace(s string) string {
	words := strings.Fields(Fold(s))
	for i, w := range words {
		if full, ok := abbreviations[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}
