package templates

import (
	"encoding/json"
	"testing"
)

// TestLevelBarsLegendAndLabels: a bar chart across the levels shows a
// legend only when it has several series, and its value labels on the
// last series only (the APL chart: 2022 unlabelled, 2023 labelled; the
// density chart: one labelled series, no legend).
func TestLevelBarsLegendAndLabels(t *testing.T) {
	page, _ := renderHTML(t, "epci:200023240")
	_, charts := pageData(t, page)
	type option struct {
		Legend struct {
			Show *bool `json:"show"`
		} `json:"legend"`
		Series []struct {
			Name  string `json:"name"`
			Label struct {
				Show *bool `json:"show"`
			} `json:"label"`
		} `json:"series"`
	}
	got := map[string]option{}
	for _, c := range charts {
		b, _ := json.Marshal(c.Option)
		var o option
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		got[c.ID] = o
	}
	show := func(b *bool) bool { return b != nil && *b }
	for id, want := range map[string]struct {
		legend bool
		labels []bool
	}{
		"apl-niveaux": {true, []bool{false, true}},
		"densite-mg":  {false, []bool{true}},
	} {
		o, ok := got[id]
		if !ok {
			t.Errorf("no chart %s", id)
			continue
		}
		if show(o.Legend.Show) != want.legend {
			t.Errorf("%s: legend shown %v, want %v", id, show(o.Legend.Show), want.legend)
		}
		if len(o.Series) != len(want.labels) {
			t.Errorf("%s: %d series, want %d", id, len(o.Series), len(want.labels))
			continue
		}
		for i, s := range o.Series {
			if show(s.Label.Show) != want.labels[i] {
				t.Errorf("%s: series %q labelled %v, want %v", id, s.Name, show(s.Label.Show), want.labels[i])
			}
		}
	}
}
