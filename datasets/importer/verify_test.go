package importer

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func checkNamed(t *testing.T, checks []Check, prefix string) Check {
	t.Helper()
	for _, c := range checks {
		if strings.HasPrefix(c.Check, prefix) {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", prefix, checks)
	return Check{}
}

func TestVerifyEmbedded(t *testing.T) {
	checks := verify(embedded(t), contours(t))
	for _, c := range checks {
		if c.Status == StatusFail {
			t.Errorf("embedded snapshot: %+v", c)
		}
	}
	// Known gaps of the embedded sources, pinned so a regression shows.
	for prefix, want := range map[string]int{
		"establishments without commune":              0, // the 28 overseas CEDEX sites are placed
		"communes without point":                      100,
		"communes without contour":                    101,
		"communes without population":                 6,
		"establishments more than 1 km outside":       0,
		"apl: codes unknown":                          0,
		"GPs per département: gp_bpe":                 6, // BPE 2017 has no Paris and no overseas département
		"establishments: FINESS numbers listed twice": 0,
		"cpts: communes not current":                  0,
		"establishments: communes not current":        0,
		"gp_bpe: codes not current":                   0,
	} {
		if c := checkNamed(t, checks, prefix); c.Count != want {
			t.Errorf("%s: count %d, want %d (%s)", c.Check, c.Count, want, c.Detail)
		}
	}
	gp := checkNamed(t, checks, "GPs per département: gp_bpe")
	if gp.Status != StatusWarn || !strings.Contains(gp.Detail, "58034/48575 = 1.19") || !strings.Contains(gp.Detail, "75 971") {
		t.Errorf("GP check %+v", gp)
	}
}

func TestVerifyImported(t *testing.T) {
	dir := t.TempDir()
	_, s := importInto(t, dir, Sources{
		FINESS: fixture("etalab-cs1100507-stock-20260504-0336.csv"),
		RPPS:   fixture("PS_LibreAcces_Personne_activite_202401151030.txt"),
	})
	checks := verify(s, contours(t))
	// The MSP of Nemours has a point in the Pyrénées-Orientales.
	out := checkNamed(t, checks, "establishments more than 1 km outside")
	if out.Status != StatusWarn || out.Count != 1 || !strings.Contains(out.Detail, "770000099 in 77333: 6") {
		t.Errorf("outside check %+v", out)
	}
	// The file replaced the establishments of its départements only: the
	// embedded ones without commune elsewhere (overseas) remain.
	if c, e := checkNamed(t, checks, "establishments without commune"), checkNamed(t, verify(embedded(t), contours(t)), "establishments without commune"); c.Count < e.Count {
		t.Errorf("%+v, embedded %+v", c, e)
	}
	// Four libéral GPs in four départements against thousands: flagged.
	if c := checkNamed(t, checks, "GPs per département: professionals"); c.Status != StatusWarn || !strings.Contains(c.Detail, "ratio 4/") {
		t.Errorf("%+v", c)
	}
	if c := checkNamed(t, checks, "professionals: codes not current"); c.Status != StatusOK {
		t.Errorf("%+v", c)
	}
	// gp_rpps keeps Paris 1er (75101) as a place: not flagged.
	if c := checkNamed(t, checks, "gp_rpps: places"); c.Status != StatusOK || c.Count != 0 {
		t.Errorf("%+v", c)
	}
}

func TestVerifyFails(t *testing.T) {
	// A local layer whose GP table names a commune the COG does not know.
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, snapshot.GPFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.WriteGPs(f, []snapshot.GPCount{{Code: "77333", Count: 3, Vintage: 2025}, {Code: "01091", Count: 1, Vintage: 2025}, {Code: "99999", Count: 2, Vintage: 2025}}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	m, _ := json.Marshal(snapshot.Manifest{Tables: []snapshot.TableInfo{{Name: "gp_bpe", Rows: 3, Origin: "test"}}})
	os.WriteFile(filepath.Join(dir, snapshot.ManifestFile), m, 0o644)
	s, _, err := snapshot.LoadWithLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	c := checkNamed(t, verify(s, contours(t)), "gp_bpe: codes not current")
	if c.Status != StatusFail || c.Count != 2 || !strings.Contains(c.Detail, "1 unknown: 99999") || !strings.Contains(c.Detail, "1 old codes") {
		t.Errorf("%+v", c)
	}
}

func TestContours(t *testing.T) {
	ci := contours(t)
	// A point in the centre of Nemours.
	if code := ci.Locate(48.2670, 2.7085); code != "77333" {
		t.Errorf("Locate(Nemours) = %q", code)
	}
	if km, ok := ci.DistanceKm("77333", 48.2670, 2.7085); !ok || km != 0 {
		t.Errorf("inside: %v %v", km, ok)
	}
	// Mende lies some 410 km south of Nemours, as the crow flies.
	km, ok := ci.DistanceKm("77333", 44.5180, 3.5005)
	if !ok || km < 380 || km > 440 {
		t.Errorf("Mende to Nemours contour: %.1f km", km)
	}
	if _, ok := ci.DistanceKm("99999", 0, 0); ok {
		t.Error("contour of an unknown commune")
	}
	if d := segmentDistance(-1, 1, 1, 1); math.Abs(d-1) > 1e-12 {
		t.Errorf("segmentDistance %v", d)
	}
	if d := segmentDistance(3, 4, 6, 8); math.Abs(d-5) > 1e-12 {
		t.Errorf("segmentDistance to an end %v", d)
	}
}
