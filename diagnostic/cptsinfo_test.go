package diagnostic

import "testing"

// TestCPTSInfoCountsPlacesOnce: the ARS PACA list gives CPTS Guil Durance
// 32 rows, two of them Abriès-Ristolas (05001) and Ristolas (05120), merged into it; the
// territory has 31 communes and the CPTS section says 31 of 31, as the
// territory section does (counted in python from cpts-paca and the COG).
func TestCPTSInfoCountsPlacesOnce(t *testing.T) {
	r := buildReport(t, "cpts:CPTS Guil Durance")
	if n := r.Levels[0].Communes; n != 31 {
		t.Errorf("territory: %d communes, want 31", n)
	}
	if len(r.CPTS) != 1 || r.CPTS[0].InTerritory != 31 || r.CPTS[0].Total != 31 {
		t.Errorf("CPTS section %+v, want Guil Durance 31 of 31", r.CPTS)
	}
}
