package diagnostic

import (
	"math"
	"testing"
)

// TestFormat: the one French formatter of every figure a report prints.
func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{29583, 0, "29\u00a0583"},
		{123456, 0, "123\u00a0456"}, // no separator before the first group
		{1234567.891, 2, "1\u00a0234\u00a0567,89"},
		{2.6666, 2, "2,67"},
		{-1.5, 1, "−1,5"},
		{-0.04, 1, "0,0"}, // no "−0,0"
		{0, 0, "0"},
		{math.NaN(), 1, NA},
		{math.Inf(1), 1, NA},
		{math.Inf(-1), 0, NA},
	} {
		if got := FormatNum(tc.v, tc.prec); got != tc.want {
			t.Errorf("FormatNum(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
	if got := FormatPct(0.352, 1); got != "35,2\u00a0%" {
		t.Errorf("FormatPct = %q", got)
	}
	if got := FormatPct(math.Inf(1), 1); got != NA {
		t.Errorf("FormatPct(+Inf) = %q", got)
	}
	if got := FormatInt(68350798); got != "68\u00a0350\u00a0798" {
		t.Errorf("FormatInt = %q", got)
	}
}

// TestRoundDecimal: figures round half away from zero on their decimal
// form, as Excel and the browser do, and Round agrees with FormatNum.
func TestRoundDecimal(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{2.505, 2, "2,51"}, // strconv would give 2,50 (binary 2.50499…)
		{2.5049, 2, "2,50"},
		{2.945, 2, "2,95"},
		{-2.505, 2, "−2,51"},
		{9.995, 2, "10,00"},
		{999.96, 1, "1\u00a0000,0"},
		{14.5, 0, "15"},
		{0.125, 2, "0,13"},
		{3, 2, "3,00"},
		{1e-7, 2, "0,00"},
	} {
		if got := FormatNum(tc.v, tc.prec); got != tc.want {
			t.Errorf("FormatNum(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
		if r := Round(tc.v, tc.prec); FormatNum(r, tc.prec) != FormatNum(tc.v, tc.prec) {
			t.Errorf("Round(%v, %d) = %v, shown %q", tc.v, tc.prec, r, FormatNum(r, tc.prec))
		}
	}
	if Round(2.503, APLDecimals) != 2.5 || DefaultThresholds.Class(2.503) != "middle" || DefaultThresholds.Show(2.503) != "2,503" {
		t.Errorf("an APL of 2,503 is above 2,5 and shown so: Class %s, shown %s", DefaultThresholds.Class(2.503), DefaultThresholds.Show(2.503))
	}
}

// TestPluralAndNames: counts agree with their noun, place names take the
// article their COG TNCC gives.
func TestPluralAndNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Plural(0, "commune", "communes"), "0 commune"},
		{Plural(1, "commune", "communes"), "1 commune"},
		{Plural(2, "commune", "communes"), "2 communes"},
		{Plural(1234, "commune", "communes"), "1\u00a0234 communes"},
		{Agree(1, "touche", "touchent"), "touche"},
		// Boulancourt (77046), APL 2023 1.952: "1,95 consultation" with
		// two decimals, "2,0 consultations" with one (plural from 2 as shown).
		{UnitAgree(ptr(1.952), 2, "consultation", "consultations"), "consultation"},
		{UnitAgree(ptr(1.952), 1, "consultation", "consultations"), "consultations"},
		{UnitAgree(ptr(2.0), 1, "consultation", "consultations"), "consultations"},
		{UnitAgree(nil, 1, "consultation", "consultations"), "consultations"},
		{NameOf("Var", 2), "du Var"},
		{NameOf("Lozère", 3), "de la Lozère"},
		{NameOf("Bouches-du-Rhône", 4), "des Bouches-du-Rhône"},
		{NameOf("Ain", 5), "de l'Ain"},
		{NameOf("Eure-et-Loir", 1), "d'Eure-et-Loir"},
		{NameOf("Paris", 0), "de Paris"},
		{NameOf("La Réunion", 0), "de La Réunion"},
		// TNCC 0 in the COG 2026 (989): "de", as the COG says, although
		// the name starts with a vowel (the TNCC is followed, not guessed).
		{NameOf("Île de Clipperton", 0), "de Île de Clipperton"},
		{NameOf("Ain", -1), "d'Ain"},
		{NameOf("Var", -1), "de Var"},
		{NameOf("Le Havre", -1), "du Havre"},
		{NameOf("Les Ulis", -1), "des Ulis"},
		{NameOf("La Rochelle", -1), "de La Rochelle"},
		{NameOf("Arles", -1), "d'Arles"},
		{NameArticle("Var", 2), "le Var"},
		{NameArticle("Ain", 5), "l'Ain"},
		{NameArticle("Hauts-de-France", 4), "les Hauts-de-France"},
		{NameArticle("Normandie", 0), "Normandie"},
		{Elide("que", "Occitanie"), "qu'Occitanie"},
		{Elide("que", "le Var"), "que le Var"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestCleanAddress(t *testing.T) {
	for in, want := range map[string]string{
		"16 R DOCTEUR BERGUGNAT | .": "16 R DOCTEUR BERGUGNAT",
		"573 GR .":                   "573 GR",
		"2  AV  DE  LA GARE | BP 12": "2 AV DE LA GARE | BP 12",
		"ZA - LES PINS":              "ZA - LES PINS",
		" . | , ":                    "",
		"1 R J.-B. CLEMENT":          "1 R J.-B. CLEMENT",
	} {
		if got := CleanAddress(in); got != want {
			t.Errorf("CleanAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
