package diagnostic

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

// goldenRaw is testdata/golden_raw.json, written by
// testdata/recompute_golden.py: an independent recomputation, in python from
// the raw DREES and COG files, of the APL figures as the DREES prescribes
// (means weighted by the standardised population, each published row
// classified with its own value).
type goldenRaw struct {
	Territories map[string]struct {
		Population int `json:"population"`
		Communes   int `json:"communes"`
		APL        map[string]struct {
			Mean       float64            `json:"apl_mean"`
			MeanU65    float64            `json:"apl_u65_mean"`
			Shares     map[string]float64 `json:"pop_shares"`
			SharesU65  map[string]float64 `json:"pop_shares_u65"`
			Rows       int                `json:"rows"`
			PopStd     float64            `json:"pop_standardisee_sum"`
			PopTot     float64            `json:"pop_totale_sum"`
			From65Plus float64            `json:"share_from_gps_65_plus"`
		} `json:"apl"`
	} `json:"territories"`
}

// TestGoldenRawAPL compares the engine's figures with the independent
// recomputation for every territory of golden_raw.json: population, APL
// means (all GPs and under 65), class shares, both vintages.
func TestGoldenRawAPL(t *testing.T) {
	b, err := os.ReadFile("testdata/golden_raw.json")
	if err != nil {
		t.Fatal(err)
	}
	var g goldenRaw
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	e := realEngine(t)
	res := NewResolver(e.Snap)
	if len(g.Territories) < 15 {
		t.Fatalf("golden file has %d territories", len(g.Territories))
	}
	for key, want := range g.Territories {
		var f Figures
		if key == "france" {
			f = e.LevelFigures("france", "")
		} else {
			kind, code, _ := strings.Cut(key, ":")
			item := code
			switch kind {
			case "dep", "reg", "epci", "cpts":
				item = kind + ":" + code
			}
			terr, err := res.Resolve(item)
			if err != nil {
				t.Errorf("%s: %v", key, err)
				continue
			}
			f = e.Figures(terr.Communes)
			if f.Communes != want.Communes && kind != "cpts" {
				t.Errorf("%s: %d places, want %d", key, f.Communes, want.Communes)
			}
		}
		if f.Population != want.Population {
			t.Errorf("%s: population %d, want %d", key, f.Population, want.Population)
		}
		check := func(name string, got *float64, w float64) {
			t.Helper()
			if got == nil || math.Abs(*got-w) > 2e-6 {
				t.Errorf("%s: %s = %v, want %.6f", key, name, deref(got), w)
			}
		}
		a23, a22 := want.APL["2023"], want.APL["2022"]
		check("APL 2023", f.APL2023, a23.Mean)
		check("APL under 65 2023", f.APLUnder65_2023, a23.MeanU65)
		check("share from GPs 65+", f.ShareFrom65Plus, a23.From65Plus)
		check("share ≤ 2.5", f.ShareLow, a23.Shares["le_2_5"])
		check("share 2.5–4", f.ShareMiddle, a23.Shares["2_5_to_4"])
		check("share > 4", f.ShareHigh, a23.Shares["gt_4"])
		check("share ≤ 2.5 under 65", f.ShareLowUnder65, a23.SharesU65["le_2_5"])
		check("share 2.5–4 under 65", f.ShareMiddleUnder65, a23.SharesU65["2_5_to_4"])
		check("share > 4 under 65", f.ShareHighUnder65, a23.SharesU65["gt_4"])
		check("need index", f.NeedIndex, a23.PopStd/a23.PopTot)
		check("APL 2022", f.APL2022, a22.Mean)
		check("APL under 65 2022", f.APLUnder65_2022, a22.MeanU65)
		check("share ≤ 2.5 2022", f.ShareLow2022, a22.Shares["le_2_5"])
		check("share ≤ 2.5 under 65 2022", f.ShareLowUnder65_2022, a22.SharesU65["le_2_5"])
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
