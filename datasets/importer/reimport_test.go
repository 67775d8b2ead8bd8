package importer

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Re-importing each source of the embedded snapshot gives the embedded
// table back (the raw files are in the shared folder; skipped without,
// failing when DIAGSANTE_REQUIRE_RAW is set).
func TestReimportEmbeddedSources(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the national raw files")
	}
	emb := embedded(t)
	reimport := func(t *testing.T, src Sources) *snapshot.Snapshot {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "local")
		im := &Importer{Embedded: emb, Current: emb, Now: func() time.Time { return importTime }, contours: contours(t)}
		if _, err := im.Import(t.Context(), dir, src); err != nil {
			t.Fatal(err)
		}
		s, _, err := snapshot.LoadWithLocal(dir)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	estKeys := func(rows []snapshot.Establishment, keep func(string) bool) []string {
		var out []string
		for _, e := range rows {
			if keep == nil || keep(e.Finess) {
				out = append(out, fmt.Sprintf("%s %s %s", e.Finess, e.Commune, e.Category))
			}
		}
		return out
	}
	t.Run("FINESS 2021 flat", func(t *testing.T) {
		s := reimport(t, Sources{FINESS: rawdata.Path(t, "finess-fhir-2021/finess_etablissements_20210108_flat.csv.gz")})
		// The embedded Occitanie rows come from the Occitanie file: compare
		// the other départements.
		occitanie := map[string]bool{"09": true, "11": true, "12": true, "30": true, "31": true, "32": true, "34": true, "46": true, "48": true, "65": true, "66": true, "81": true, "82": true}
		notOcc := func(f string) bool { return !occitanie[finessDep(f)] }
		diffKeys(t, "establishments outside Occitanie", estKeys(s.Establishments, notOcc), estKeys(emb.Establishments, notOcc))
	})
	t.Run("FINESS Occitanie", func(t *testing.T) {
		s := reimport(t, Sources{FINESS: rawdata.Path(t, "finess-occitanie/etablissements_occitanie.csv")})
		// Polyclinique Kennedy (Nîmes, maternity) and Clinique Saint-Jean
		// (Montpellier, emergency department) are named by the SAE tables
		// but not by the 2026 file: kept from the table in use, as the
		// generator keeps them from FINESS 2021.
		diffKeys(t, "establishments", estKeys(s.Establishments, nil), estKeys(emb.Establishments, nil))
	})
	t.Run("APL workbook", func(t *testing.T) {
		s := reimport(t, Sources{APL: rawdata.Path(t, "drees-apl/apl_medecins_generalistes_2022_2023.xlsx")})
		key := func(rows []snapshot.APL) []string {
			out := make([]string, len(rows))
			for i, a := range rows {
				out[i] = fmt.Sprintf("%s %d %g %g %g %g", a.Code, a.Vintage, a.Value, a.Under65, a.PopStandardised, a.PopTotal)
			}
			return out
		}
		diffKeys(t, "apl", key(s.APL), key(emb.APL))
	})
	t.Run("CPTS PACA", func(t *testing.T) {
		s := reimport(t, Sources{CPTS: rawdata.Path(t, "cpts-paca/cpts_paca_2026-01_communes.csv")})
		key := func(rows []snapshot.CPTSMember) []string {
			out := make([]string, len(rows))
			for i, c := range rows {
				out[i] = fmt.Sprintf("%s %s %v", c.CPTS, c.Commune, c.Arrondissements)
			}
			return out
		}
		diffKeys(t, "cpts", key(s.CPTS), key(emb.CPTS))
	})
}

// diffKeys compares two lists of row keys as multisets and fails on any
// row missing or extra, with examples.
func diffKeys(t *testing.T, what string, got, want []string) {
	t.Helper()
	got, want = slices.Clone(got), slices.Clone(want)
	slices.Sort(got)
	slices.Sort(want)
	var missing, extra []string
	i, j := 0, 0
	for i < len(got) || j < len(want) {
		switch {
		case j == len(want) || i < len(got) && got[i] < want[j]:
			extra = append(extra, got[i])
			i++
		case i == len(got) || want[j] < got[i]:
			missing = append(missing, want[j])
			j++
		default:
			i++
			j++
		}
	}
	if len(missing)+len(extra) > 0 {
		t.Errorf("%s: %d rows, embedded %d; missing %d (e.g. %q), extra %d (e.g. %q)", what, len(got), len(want),
			len(missing), missing[:min(5, len(missing))], len(extra), extra[:min(5, len(extra))])
	}
}
