package diagnostic

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/importer"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// dateOf returns the entries of a source key.
func dateOf(dates []SourceDate, key string) []SourceDate {
	var out []SourceDate
	for _, d := range dates {
		if d.Key == key {
			out = append(out, d)
		}
	}
	return out
}

// TestDataDatesEmbedded: the embedded snapshot's sources for Nemours (77),
// against a report of 1 December 2026: FINESS of 8 January 2021, BPE 2017,
// APL 2023, SAE 2020 are more than two years old; the COG 2026 is not.
func TestDataDatesEmbedded(t *testing.T) {
	r := buildReport(t, "epci:200023240")
	if r.ReportDate != "2026-12-01" {
		t.Errorf("report date %q", r.ReportDate)
	}
	want := []struct {
		key, source, date, text string
		stale                   bool
		update                  string
	}{
		{"finess", "FINESS 2021-01-08", "2021-01-08", "données au 08/01/2021", true, "diagsante datasets update --only finess"},
		{"bpe", "BPE 2017", "2017", "données 2017", true, "diagsante datasets update --only rpps"},
		{"apl", "APL 2023 (DREES)", "2023", "données 2023", true, "diagsante datasets update --only apl"},
		{"sae", "SAE 2020", "2020", "données 2020", true, ""},
		{"cnam", "effectifs au 31 décembre 2023", "2023-12-31", "données au 31/12/2023", true, ""},
		{"cog", "COG 2026, populations de référence en vigueur en 2026", "2026", "données 2026", false, ""},
		{"ages", "1er janvier 2023 (provisoire)", "2023-01-01", "données au 01/01/2023", true, ""},
		{"contours", "COG 2018 géométries, codes ramenés au COG 2026", "2018", "données 2018", true, ""},
		{"proximite", "ARS Île-de-France, label au 1er janvier 2022", "2022-01-01", "données au 01/01/2022", true, ""},
		{"sas", "ARS Île-de-France 2021-12", "2021-12", "données de décembre 2021", true, ""},
	}
	if len(r.DataDates) != len(want) {
		t.Fatalf("%d sources, want %d: %+v", len(r.DataDates), len(want), r.DataDates)
	}
	for i, w := range want {
		d := r.DataDates[i]
		if d.Key != w.key || d.Source != w.source || d.Date != w.date || d.Text != w.text || d.Stale != w.stale || d.Update != w.update || d.Area != "" {
			t.Errorf("source %d: %+v, want %+v", i, d, w)
		}
	}
	// No CPTS perimeters nor soins non programmés in Seine-et-Marne: not listed.
	if len(dateOf(r.DataDates, "cpts")) != 0 || len(dateOf(r.DataDates, "snp")) != 0 {
		t.Error("sources that do not cover the territory are listed")
	}
	for _, l := range []string{
		"Établissements FINESS : données au 08/01/2021, plus de deux ans avant ce rapport — « diagsante datasets update --only finess » les met à jour.",
		"Médecins généralistes par commune (BPE, INSEE) : données 2017, plus de deux ans avant ce rapport — « diagsante datasets update --only rpps » les remplace par l'Annuaire Santé (RPPS).",
		"Accessibilité potentielle localisée (APL, DREES) : données 2023, plus de deux ans avant ce rapport — « diagsante datasets update --only apl » la met à jour.",
		"Urgences et maternités (SAE, DREES) : données 2020, plus de deux ans avant ce rapport ; pas de mise à jour automatique ni d'import pour cette source.",
	} {
		if !slices.Contains(r.Limits, l) {
			t.Errorf("limits lack %q", l)
		}
	}
	if slices.ContainsFunc(r.Limits, func(l string) bool { return strings.HasPrefix(l, "Communes et populations") }) {
		t.Error("the COG 2026 is flagged")
	}
	// Lozère holds the FINESS Occitanie of March 2026: not flagged.
	l := buildReport(t, "dep:48")
	if f := dateOf(l.DataDates, "finess"); len(f) != 1 || f[0].Date != "2026-03" || f[0].Text != "données de mars 2026" || f[0].Stale {
		t.Errorf("Lozère FINESS %+v", f)
	}
	if slices.ContainsFunc(l.Limits, func(s string) bool { return strings.HasPrefix(s, "Établissements FINESS") }) {
		t.Error("Lozère's FINESS 2026 is flagged")
	}
}

// TestDataDatesWholeSnapshot: without départements, every département of
// the snapshot: the FINESS has two dates, named by their area.
func TestDataDatesWholeSnapshot(t *testing.T) {
	dates := SourceDates(realEngine(t).Snap, nil, testDate)
	f := dateOf(dates, "finess")
	if len(f) != 2 || f[0].Source != "FINESS 2021-01-08" || !f[0].Stale || len(f[0].Departements) != 89 ||
		f[1].Source != "FINESS Occitanie 2026" || f[1].Stale || f[1].Area != "Occitanie" || len(f[1].Departements) != 13 {
		t.Errorf("FINESS %+v", f)
	}
	if c := dateOf(dates, "cpts"); len(c) != 1 || c[0].Date != "2026-01" || c[0].Stale {
		t.Errorf("CPTS %+v", c)
	}
}

// TestDataDatesAfterImport: a FINESS extraction of 20 November 2026
// imported for Seine-et-Marne only. A territory of Nemours (77) and
// Montargis (45) shows the new date for 77, not flagged, and the embedded
// FINESS 2021 for the Loiret, flagged.
func TestDataDatesAfterImport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "etalab-cs1100507-stock-20261120-0300.csv")
	const stock = "finess;etalab;93;2026-11-20\n" +
		"structureet;770000099;770000098;MSP LES SOURCES NEMOURS;MAISON DE SANTE PLURIPROFESSIONNELLE DE NEMOURS;;;12;R;DE PARIS;B;;333;77;SEINE ET MARNE;77140 NEMOURS;0164000000;;603;Maison de santé (L.6223-3);1102;Centres Hospitaliers;;8610Z;03;ARS;1;Etablissement public de santé;2019-05-01;2019-05-01;2026-01-01;\n" +
		"geolocalisation;770000099;678369.6;6796335.8;1,ATLASANTE,96,BAN,EPSG:2154;2026-11-20\n"
	if err := os.WriteFile(file, []byte(stock), 0o644); err != nil {
		t.Fatal(err)
	}
	emb, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	im := &importer.Importer{Embedded: emb, Current: emb, AllowShrink: true, Now: func() time.Time { return testDate }}
	if _, err := im.Import(t.Context(), dir, importer.Sources{FINESS: file}); err != nil {
		t.Fatal(err)
	}
	s, local, err := snapshot.LoadWithLocal(dir)
	if err != nil || !local {
		t.Fatalf("local snapshot: %v (%v)", err, local)
	}
	e := NewEngine(s)
	e.Date = testDate
	terr, err := NewResolver(s).Resolve("77333", "Montargis")
	if err != nil {
		t.Fatal(err)
	}
	r := e.Build(terr, "")
	f := dateOf(r.DataDates, "finess")
	if len(f) != 2 {
		t.Fatalf("FINESS dates %+v, want the import for 77 and the embedded file for 45", f)
	}
	// As many départements each: the older first.
	if f[0].Date != "2021-01-08" || !f[0].Stale || f[0].Area != "Loiret (45)" {
		t.Errorf("embedded FINESS %+v", f[0])
	}
	if f[1].Date != "2026-11-20" || f[1].Text != "données au 20/11/2026" || f[1].Stale || f[1].Area != "Seine-et-Marne (77)" || !slices.Equal(f[1].Departements, []string{"77"}) {
		t.Errorf("imported FINESS %+v", f[1])
	}
	var finessLimits []string
	for _, l := range r.Limits {
		if strings.HasPrefix(l, "Établissements FINESS") {
			finessLimits = append(finessLimits, l)
		}
	}
	if want := "Établissements FINESS, Loiret (45) : données au 08/01/2021, plus de deux ans avant ce rapport — « diagsante datasets update --only finess » les met à jour."; len(finessLimits) != 1 || finessLimits[0] != want {
		t.Errorf("FINESS limits %q, want only %q", finessLimits, want)
	}
	// The whole snapshot, as `version` lists it: the import names 77.
	all := dateOf(SourceDates(s, nil, testDate), "finess")
	if !slices.ContainsFunc(all, func(d SourceDate) bool {
		return d.Source == "FINESS 2026-11-20" && !d.Stale && slices.Equal(d.Departements, []string{"77"})
	}) {
		t.Errorf("whole snapshot FINESS %+v", all)
	}
}

// TestVintageDates: the dates read from vintage labels, their French text
// and the two-year flag at its bounds.
func TestVintageDates(t *testing.T) {
	for _, tc := range []struct {
		label string
		first bool
		want  string
	}{
		{"effectifs au 31 décembre 2023", false, "2023-12-31"},
		{"1er janvier 2023 (provisoire)", false, "2023-01-01"},
		{"EPCI au 1er janvier 2026", false, "2026-01-01"},
		{"Occitanie mars 2026", false, "2026-03"},
		{"FINESS 2021-01-08", false, "2021-01-08"},
		{"APL 2022 (populations 2020) et APL 2023 (populations 2021)", false, "2023"},
		{"COG 2018 géométries, codes ramenés au COG 2026", true, "2018"},
		{"fin 2021", false, "2021"},
		{"liste du jour", false, ""},
		{"31 février 2023", false, "2023-02"}, // no such day: the month
		// Two-digit days and months stay two digits.
		{"extraction du 10 octobre 2025", false, "2025-10-10"},
		{"Occitanie octobre 2025", false, "2025-10"},
		{"9 septembre 2025", false, "2025-09-09"},
	} {
		if got := vintageDate(tc.label, tc.first); got != tc.want {
			t.Errorf("vintageDate(%q) = %q, want %q", tc.label, got, tc.want)
		}
	}
	for date, want := range map[string]string{
		"2026-01-15": "données au 15/01/2026", "2017": "données 2017", "2026-03": "données de mars 2026",
		"2026-04": "données d'avril 2026", "2025-08": "données d'août 2025", "2025-10": "données d'octobre 2025", "": "date inconnue",
	} {
		if got := DateText(date); got != want {
			t.Errorf("DateText(%q) = %q, want %q", date, got, want)
		}
	}
	ref := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for date, want := range map[string]bool{
		"2024-12-01": false, // exactly two years
		"2024-11-30": true,
		"2024-11":    true,  // ends 30 November 2024
		"2024-12":    false, // ends 31 December 2024
		"2024":       false,
		"2023":       true,
		"":           false,
		"2024-13":    false,
	} {
		if got := IsStale(date, ref); got != want {
			t.Errorf("IsStale(%q) = %v, want %v", date, got, want)
		}
	}
	if IsStale("2017", time.Time{}) {
		t.Error("a zero reference date flags data")
	}
}
