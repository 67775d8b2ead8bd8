package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/diagnostic/access"
)

func loadSnapshot(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReadPAAS reads the real Chaire PAAS file: 500 IRIS rows over 163
// communes, 1,213.5 activity-weighted GPs (raw/SOURCES.md §15), of which
// 424.67 in Nice and 92.5 in Cagnes-sur-Mer (sums checked with python3's
// csv module on the same file).
func TestReadPAAS(t *testing.T) {
	s := loadSnapshot(t)
	gps, total, err := readPAAS(s, rawdata.Path(t, paasFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(gps) != 163 || math.Abs(total-1213.5) > 1e-9 {
		t.Errorf("%d communes, %v GPs; want 163 and 1213.5", len(gps), total)
	}
	for code, want := range map[string]float64{"06088": 424.666667, "06029": 92.5} {
		if got := gps[code]; math.Abs(got-want) > 1e-6 {
			t.Errorf("%s: %v GPs, want %v", code, got, want)
		}
	}
}

func TestReadPAASErrors(t *testing.T) {
	s := loadSnapshot(t)
	head := "year,specialite,iris,iris_string,type_iris,nb,apl,ap,accessibilite_weight,R,wpop,swpop,pop_gp,iris_label,dept,code_commune,commune_label\n"
	ok := "2021,10,60010000,060010000,C,1.5,0,0,1,0,1,1,1,Aiglun,6,06001,Aiglun\n"
	for _, c := range []struct{ name, body, want string }{
		{"negative", head + ok + "2021,10,60020000,060020000,C,-1,0,0,1,0,1,1,1,Amirat,6,06002,Amirat\n", `:3:30: nb "-1" is not a count`},
		{"text", head + ok + "2021,10,60020000,060020000,C,x,0,0,1,0,1,1,1,Amirat,6,06002,Amirat\n", `:3:30: nb "x" is not a count`},
		{"commune", head + "2021,10,60010000,060010000,C,1,0,0,1,0,1,1,1,Aiglun,6,99999,Aiglun\n", `:2:55: "99999" is not a commune`},
		{"header", "iris,NB\n1,2\n", `:1: header "iris,NB" lacks code_commune or nb`},
		{"empty", "", "EOF"},
	} {
		name := filepath.Join(t.TempDir(), "paas.csv")
		if err := os.WriteFile(name, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := readPAAS(s, name)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want the file name and %q", c.name, err, c.want)
		}
	}
}

// TestRoads06: a listed pair takes its road time both ways, an unlisted
// pair of two 06 communes is over 30 minutes, any other pair is the model,
// and the reach covers the listed pairs so that pruning keeps them.
func TestRoads06(t *testing.T) {
	m := access.DefaultModel()
	r := &roads06{min: map[[2]string]float64{{"06004", "06029"}: 16, {"06029", "06004"}: 16}, model: m, maxKm: 9.091}
	a, b := access.Point{Lon: 7.0, Lat: 43.6}, access.Point{Lon: 7.1, Lat: 43.7}
	if got := r.Minutes("06004", "06029", a, b); got != 16 {
		t.Errorf("listed pair: %v minutes, want 16", got)
	}
	if got := r.Minutes("06029", "06004", b, a); got != 16 {
		t.Errorf("listed pair reversed: %v minutes, want 16", got)
	}
	if got := r.Minutes("06004", "06088", a, b); !math.IsInf(got, 1) {
		t.Errorf("unlisted 06 pair: %v minutes, want +Inf", got)
	}
	if got := r.Minutes("06004", "06004", a, b); got != 0 {
		t.Errorf("same commune: %v minutes, want 0", got)
	}
	if got, want := r.Minutes("06004", "83001", a, b), m.Minutes("06004", "83001", a, b); got != want {
		t.Errorf("06 to 83: %v minutes, want the model's %v", got, want)
	}
	if r.ReachKm(20) < 9.091 || r.ReachKm(20) < m.ReachKm(20) {
		t.Errorf("reach %v km below the listed 9.091 km or the model's %v", r.ReachKm(20), m.ReachKm(20))
	}
}
