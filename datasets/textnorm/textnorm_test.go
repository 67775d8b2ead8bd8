package textnorm

import "testing"

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
	for _, s := range []string{"Saint-Étienne", "Œ", "\xff\xfe", "a--b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if Fold(out) != out {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, out, Fold(out))
		}
	})
}
