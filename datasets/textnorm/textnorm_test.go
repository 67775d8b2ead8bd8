package textnorm

import (
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Saint-Étienne-du-Rouvray": "saint etienne du rouvray",
		"  L'Haÿ-les-Roses ":       "l hay les roses",
		"Œuilly":                   "oeuilly",
		"Code commune INSEE":       "code commune insee",
		"Prénom d'exercice":        "prenom d exercice",
		"":                         "",
		"---":                      "",
		"CŒUR":                     "coeur",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldPlace(t *testing.T) {
	for in, want := range map[string]string{
		"ST DENIS":        "saint denis",
		"STE MAXIME":      "sainte maxime",
		"Saint-Denis":     "saint denis",
		"STAINS":          "stains",
		"LES STES MARIES": "les saintes maries",
	} {
		if got := FoldPlace(in); got != want {
			t.Errorf("FoldPlace(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Saint-Étienne", "Œ", "\xff\xfe", "a--b", "L'Haÿ-les-Roses", "CŒUR  DE « LOZÈRE »", "Île\u00a0de\u00a0Sein",
		"e\u0301cole", "É\u0300", "ST-ÉTIENNE-DE-ST-GEOIRS", " ste marie ", "Straße", "İzmir", "Ǆ", "l'ŒUVRE", "Évry-Courcouronnes 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if Fold(out) != out {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, out, Fold(out))
		}
		// The fast path for Latin text gives what decomposition gives.
		if want := foldNFD(s); out != want {
			t.Fatalf("Fold(%q) = %q, by decomposition %q", s, out, want)
		}
		words := strings.Fields(foldNFD(s))
		for i, w := range words {
			if full, ok := abbreviations[w]; ok {
				words[i] = full
			}
		}
		if got, want := FoldPlace(s), strings.Join(words, " "); got != want {
			t.Fatalf("FoldPlace(%q) = %q, want %q", s, got, want)
		}
	})
}

// TestFoldLatinTakesFrenchNames: the names of places fold without
// decomposition (the fast path), and text it does not know goes to the
// slow one.
func TestFoldLatinTakesFrenchNames(t *testing.T) {
	for _, s := range []string{"Saint-Étienne-du-Rouvray", "L'Haÿ-les-Roses", "CŒUR DE LOZÈRE", "Île-d'Yeu", "Ça", "«\u00a0Aÿ\u00a0»"} {
		if _, ok := foldLatin(s); !ok {
			t.Errorf("%q: not folded by the Latin path", s)
		}
	}
	for _, s := range []string{"e\u0301cole", "Straße", "\xff", "İ\u0307"} {
		if _, ok := foldLatin(s); ok {
			t.Errorf("%q: folded by the Latin path", s)
		}
	}
	if got := Fold("«\u00a0Aÿ\u00a0»"); got != "ay" {
		t.Errorf("Fold(« Aÿ ») = %q", got)
	}
}
