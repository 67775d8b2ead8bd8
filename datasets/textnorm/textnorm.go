// Package textnorm folds French place names and column headers to a
// comparable form: lower case, no accents, punctuation as single spaces.
// "Saint-Étienne-du-Rouvray", "ST ETIENNE DU ROUVRAY" and
// "saint etienne du rouvray" all fold to "saint etienne du rouvray".
package textnorm

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s lower-cased, without diacritics, with every run of
// non-alphanumeric characters replaced by one space and trimmed. Ligatures
// œ and æ are spelled out, as the postal and INSEE files do.
func Fold(s string) string {
	if out, ok := foldLatin(s); ok {
		return out
	}
	return foldNFD(s)
}

// foldNFD is Fold by Unicode decomposition, for any text.
func foldNFD(s string) string {
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

// latinFolds are the folds of the precomposed letters of Latin-1 and
// Latin Extended-A whose fold is ASCII ("é" → "e", "Œ" → "oe"; "" for a
// separator such as "«"), taken from foldNFD itself, so that foldLatin
// gives the same result for them.
var latinFolds = sync.OnceValue(func() map[rune]string {
	m := map[rune]string{}
	for r := rune(0xA0); r <= 0x17F; r++ {
		f := foldNFD(string(r))
		if isASCII(f) && !strings.Contains(f, " ") && (f != "" || !unicode.Is(unicode.Mn, r)) {
			m[r] = f
		}
	}
	return m
})

// foldLatin is Fold without decomposition for text of ASCII and the
// precomposed letters of latinFolds, which place names are: a tenth of the
// time. It reports false for any other text.
func foldLatin(s string) (string, bool) {
	var folds map[rune]string
	b := make([]byte, 0, len(s))
	space := false
	emit := func(f string) {
		if f == "" {
			space = true
			return
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		b = append(b, f...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
			i++
		case c >= 'A' && c <= 'Z':
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c+'a'-'A')
			i++
		case c < utf8.RuneSelf:
			space = true
			i++
		default:
			if folds == nil {
				folds = latinFolds()
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			f, ok := folds[r]
			if !ok {
				return "", false
			}
			emit(f)
			i += size
		}
	}
	return string(b), true
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
	f := Fold(s)
	// Fold's words are already separated by single spaces: without an
	// abbreviation, that is the result.
	abbreviated := false
	for w := range strings.SplitSeq(f, " ") {
		if _, ok := abbreviations[w]; ok {
			abbreviated = true
			break
		}
	}
	if !abbreviated {
		return f
	}
	words := strings.Fields(f)
	for i, w := range words {
		if full, ok := abbreviations[w]; ok {
			words[i] = full
		}
	}
	return strings.Join(words, " ")
}

// CommuneCode normalises an INSEE commune code: it trims spaces, undoes a
// spreadsheet's numeric conversion ("1001", "1001.0" → "01001": files
// that went through Excel or pandas lose the leading zero of départements
// 01–09) and checks the shape: five characters, digits, or 2A/2B followed
// by three digits for Corsica. It reports false for anything else,
// including the empty string.
func CommuneCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, ".0")
	if len(s) == 4 && allDigits(s) {
		s = "0" + s
	}
	if len(s) != 5 {
		return s, false
	}
	if allDigits(s) {
		return s, true
	}
	if (s[:2] == "2A" || s[:2] == "2B" || s[:2] == "2a" || s[:2] == "2b") && allDigits(s[2:]) {
		return strings.ToUpper(s[:2]) + s[2:], true
	}
	return s, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
