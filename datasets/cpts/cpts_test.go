package cpts

import (
	"errors"
	"fmt"
	"github.com/diagsante/diagsante/datasets/internal/rawdata"
	"os"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/internal/golden"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// TestGolden reads every fixture and compares members and error with the
// golden file; fixtures named err_* must fail with a positioned error.
func TestGolden(t *testing.T) {
	golden.Each(t, "*.csv", func(t *testing.T, path string) string {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b strings.Builder
		err = Read(f, path, func(m Member) error {
			fmt.Fprintln(&b, m)
			return nil
		})
		if strings.Contains(path, "err_") {
			if _, ok := parseerr.As(err); !ok {
				t.Fatalf("want a *parseerr.Error, got %v", err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		if err != nil {
			fmt.Fprintln(&b, "error:", err)
		}
		return b.String()
	})
}

func TestSimple(t *testing.T) {
	f, err := os.Open("testdata/simple_bom_crlf.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := ReadAll(f, "simple.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{
		{CPTS: "CPTS du Pays de Nemours", Commune: "77333", Status: "en fonctionnement", Line: 2},
		{CPTS: "CPTS Sud; Seine-et-Marne", Commune: "01001", Status: "en projet", Line: 3},
		{CPTS: "CPTS Ajaccio", Commune: "2A004", Line: 4},
		{CPTS: `CPTS "Les Sources"`, Commune: "77001", Line: 6},
	}
	if fmt.Sprint(ms) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", ms, want)
	}
}

func TestPACA(t *testing.T) {
	ms, err := ReadAll(strings.NewReader("cpts_nom;code_commune_insee;arrondissements_municipaux;perimetre_infra_communal\n"+
		"CPTS Actes Santé;13055;13214|13215|13216;\nCPTS Nice Nord;06088;;Nice\n"), "paca.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || strings.Join(ms[0].Arrondissements, ",") != "13214,13215,13216" || ms[1].InfraCommunal != "Nice" || ms[1].Arrondissements != nil {
		t.Fatalf("got %v", ms)
	}
}

func TestCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Read(strings.NewReader("cpts_nom;code_commune_insee\nA;77333\nB;77001\n"), "x.csv", func(Member) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("err = %v after %d calls", err, n)
	}
}

// TestRealPACA reads the ARS PACA listing: 912 rows, 70 CPTS, 902 distinct
// communes (SOURCES.md §5); the Marseille CPTS cover 15 of the 16 arrondissements.
func TestRealPACA(t *testing.T) {
	f, err := os.Open(rawdata.Path(t, "cpts-paca/cpts_paca_2026-01_communes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ms, err := ReadAll(f, "cpts_paca_2026-01_communes.csv")
	if err != nil {
		t.Fatal(err)
	}
	cpts, communes, marseille := map[string]bool{}, map[string]bool{}, 0
	for _, m := range ms {
		cpts[m.CPTS] = true
		communes[m.Commune] = true
		if m.Commune == "13055" {
			marseille += len(m.Arrondissements)
		}
	}
	if len(ms) != 912 || len(cpts) != 70 || len(communes) != 902 || marseille != 15 {
		t.Errorf("%d rows, %d CPTS, %d communes, %d Marseille arrondissements", len(ms), len(cpts), len(communes), marseille)
	}
}
