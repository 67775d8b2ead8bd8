package importer

import (
	"slices"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/taxonomy"
)

// TestImportFINESSParity imports an excerpt of the national FINESS file the
// embedded snapshot is built from (testdata/finess_etablissements_20210108_flat_excerpt.csv:
// the header and 28 rows of raw/finess-fhir-2021/finess_etablissements_20210108_flat.csv.gz
// copied unchanged: overseas CEDEX sites without point, Paris, Lyon and
// Marseille sites with and without CEDEX postcodes, the ARS Île-de-France
// hôpitaux de proximité of Nemours and Forcilles, hospital units without
// beds, typed centres de santé, sites the generator placed by postcode, and
// one row of a category that is not kept) and checks that `datasets
// import` keeps, classifies and places them as the generator did.
func TestImportFINESSParity(t *testing.T) {
	_, s := importInto(t, t.TempDir(), Sources{FINESS: fixture("finess_etablissements_20210108_flat_excerpt.csv")})
	emb := embedded(t)
	embBy := map[string]snapshot.Establishment{}
	for _, e := range emb.Establishments {
		embBy[e.Finess] = e
	}
	n := 0
	for _, got := range s.Establishments {
		if got.Source == "finess-2021" || got.Source == "finess-occitanie-2026" {
			continue // kept from the embedded snapshot
		}
		n++
		want, ok := embBy[got.Finess]
		if !ok {
			t.Errorf("%s %s: imported, not in the embedded snapshot", got.Finess, got.Name)
			continue
		}
		if got.Commune != want.Commune || got.Arrondissement != want.Arrondissement {
			t.Errorf("%s %s: placed in %s/%s (%s), the generator %s/%s (%s)", got.Finess, got.Name,
				got.Commune, got.Arrondissement, got.Placement, want.Commune, want.Arrondissement, want.Placement)
		}
		if g, w := taxonomy.Classify(&got), taxonomy.Classify(&want); !slices.Equal(g, w) {
			t.Errorf("%s %s: kinds %v, the generator %v", got.Finess, got.Name, g, w)
		}
		if got.ProximityHospital != want.ProximityHospital || got.ProximitySource != want.ProximitySource {
			t.Errorf("%s: proximity %v %q, the generator %v %q", got.Finess, got.ProximityHospital, got.ProximitySource, want.ProximityHospital, want.ProximitySource)
		}
		if got.Lat != want.Lat || got.Lon != want.Lon || got.Name != want.Name || got.Category != want.Category {
			t.Errorf("%s: row %+v, the generator %+v", got.Finess, got, want)
		}
	}
	if n != 27 {
		t.Errorf("%d establishments imported, want the 27 of kept categories (the 28th, category 292, is dropped)", n)
	}
	// Pinned values, whatever the generator says.
	for finess, w := range map[string]string{
		"970400024": "97411  [hospital]",           // CHU Félix Guyon, ST DENIS CEDEX, no point
		"970462107": "97411  []",                   // Clinique Sainte-Clotilde (365, a SAE maternity): Sainte-Clotilde is in Saint-Denis
		"770000214": "77333  [hospital proximity]", // CH de Nemours, ARS Île-de-France label
		"770020477": "77180  [proximity]",          // Forcilles, category 129, kept for its label
		"770001253": "77284  []",                   // HDJ psychiatrie: no beds
		"750000481": "75056 75111 [hospital]",      // CHNO des Quinze-Vingts, 75571 PARIS CEDEX 12: nearest arrondissement point
		"930010319": "93032  [cds]",                // CDS médical et dentaire: polyvalent
		"030781280": "03310  [cds_infirmier]",      // centre de soins infirmiers
		"130008188": "13055 13204 [pharmacy]",      // Marseille 4e by postcode
		"690003777": "69123 69389 [ehpad]",         // Lyon 9e by postcode
	} {
		e, ok := find(s.Establishments, func(e snapshot.Establishment) bool { return e.Finess == finess })
		if !ok {
			t.Errorf("%s missing", finess)
			continue
		}
		if got := e.Commune + " " + e.Arrondissement + " " + fmtKinds(taxonomy.Classify(&e)); got != w {
			t.Errorf("%s %s: %q, want %q", finess, e.Name, got, w)
		}
	}
}

func fmtKinds(k []string) string {
	out := "["
	for i, x := range k {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}
