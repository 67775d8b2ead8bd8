package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// copyAs copies a fixture into dir under the name a user's download has
// (the vintage comes from the stock header or the file name).
func copyAs(t *testing.T, src, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// equivFiness are the establishments of the equivalence fixtures of
// datasets/finess (stock_equiv.csv, plus_schema.json, plus_real.json.gz):
// real sites of the embedded snapshot in Lozère, Nemours and Guadeloupe,
// of categories 106 (with "(HOP PROXIMITE)"), 355, 604, 124, 603, 620 and
// 365.
var equivFiness = []string{"480000074", "480000017", "480004076", "480780717", "770022341", "770009843", "970100012"}

// TestImportFINESSPlusEquivalence imports the same establishments as an
// etalab stock file and as FiNESS+ files (the schema's layout, named
// finess-structures-20260504.json; the published layout, gzipped, dated
// by its generatedAt) and wants the same snapshot rows: commune,
// placement, point, names, category, label, proximity and its source.
func TestImportFINESSPlusEquivalence(t *testing.T) {
	tmp := t.TempDir()
	imports := map[string]string{
		"stock":       copyAs(t, "../finess/testdata/stock_equiv.csv", tmp, "etalab-cs1100507-stock-20260504-0336.csv"),
		"plus schema": copyAs(t, "../finess/testdata/plus_schema.json", tmp, "finess-structures-20260504.json"),
		"plus real":   copyAs(t, "../finess/testdata/plus_real.json.gz", tmp, "finess-structures-journalier.json.gz"),
	}
	rows := map[string]map[string]snapshot.Establishment{}
	for what, path := range imports {
		res, s := importInto(t, filepath.Join(tmp, strings.ReplaceAll(what, " ", "-")), Sources{FINESS: path})
		if r := res[0]; r.Vintage != "FINESS 2026-05-04" || r.Unmatched != 0 {
			t.Errorf("%s: result %+v", what, r)
		}
		rows[what] = map[string]snapshot.Establishment{}
		for _, e := range s.Establishments {
			rows[what][e.Finess] = e
		}
	}
	for _, fin := range equivFiness {
		want, ok := rows["stock"][fin]
		if !ok || want.Source != "finess-2026-05-04" || want.Commune == "" {
			t.Fatalf("stock: %s: %+v", fin, want)
		}
		for _, what := range []string{"plus schema", "plus real"} {
			if got := rows[what][fin]; got != want {
				t.Errorf("%s: %s:\n got %+v\nwant %+v", what, fin, got, want)
			}
		}
	}
	// Pinned values, whatever the readers say.
	for fin, w := range map[string]string{
		"480000074": "48080 insee true FINESS 2026-05-04 (mention dans la raison sociale)",
		"480780717": "48095 insee false ",
		"770009843": "77333 insee false ",
		"970100012": "97101 insee false ",
	} {
		e := rows["plus real"][fin]
		if got := e.Commune + " " + e.Placement + " " + map[bool]string{true: "true", false: "false"}[e.ProximityHospital] + " " + e.ProximitySource; got != w {
			t.Errorf("%s: %q, want %q", fin, got, w)
		}
	}
	if e := rows["plus real"]["970409272"]; e.Commune != "97411" || !e.HasPoint {
		t.Errorf("Réunion site of the FiNESS+ file only: %+v", e)
	}
}

// TestImportFINESSPlusPositions checks points against the commune their
// FiNESS+ record claims: the CDS of Mende whose Lambert-93 pair points to
// Langogne takes its WGS84 pair, which lies in Mende; the MSP of Nemours
// with the point of Mende keeps its commune and its point and is reported;
// the pharmacy, in Nemours, passes.
func TestImportFINESSPlusPositions(t *testing.T) {
	res, s := importInto(t, t.TempDir(), Sources{FINESS: fixture("finess-structures-20260504-positions.json")})
	r := res[0]
	if r.Vintage != "FINESS 2026-05-04" || r.Read != 3 {
		t.Errorf("result %+v", r)
	}
	note := ""
	for _, n := range r.Notes {
		if strings.Contains(n, "checked against the contour") {
			note = n
		}
	}
	if !strings.HasPrefix(note, "3 points checked against the contour of the commune they claim: 1 more than 2 km outside it (commune kept from the file, point kept): 770022341 (77333, ") ||
		!strings.HasSuffix(note, " km); 1 point replaced by the other reading of their coordinates, which lies in it") {
		t.Errorf("note %q", note)
	}
	by := map[string]snapshot.Establishment{}
	for _, e := range s.Establishments {
		by[e.Finess] = e
	}
	if e := by["480780717"]; e.Commune != "48095" || e.Lat != 44.518099 || e.Lon != 3.496474 {
		t.Errorf("CDS of Mende: %+v", e)
	}
	if e := by["770022341"]; e.Commune != "77333" || e.Placement != "insee" || e.Lat != 44.518099 || e.Lon != 3.496474 {
		t.Errorf("MSP of Nemours with the point of Mende: %+v", e)
	}
	if e := by["770009843"]; e.Commune != "77333" || e.Lat != 48.267306 {
		t.Errorf("pharmacy of Nemours: %+v", e)
	}
}
