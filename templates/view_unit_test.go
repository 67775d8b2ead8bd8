package templates

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestViewOfNemours checks the page's view model where the page shows
// counts and choices: the France share of APL from GPs of 65 and over,
// communes without APL or contour counted for the notes, the EPCI column
// only for several EPCI, the CPTS cell (n.d. where unknown, else the
// names or "aucune"), the
// professions' level heads (the département with its code), and the
// structures rows (centre types under "cds", counts per 10,000).
func TestViewOfNemours(t *testing.T) {
	r, contours := testReport(t, "epci:200023240")
	v, err := newView(r, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	fr := levelKind(r, "france")
	if fr == nil || fr.ShareFrom65Plus == nil || v.France65 != Pct(*fr.ShareFrom65Plus, 0) || v.France65 == "" {
		t.Errorf("France65 %q", v.France65)
	}
	if v.NoAPL != 0 || v.MapMissing != 0 || v.MultiEPCI {
		t.Errorf("Nemours: %d without APL, %d without contour, multi-EPCI %v", v.NoAPL, v.MapMissing, v.MultiEPCI)
	}
	if got := strings.Join(v.ProfLevels, " | "); got != "Seine-et-Marne (77) | Île-de-France | France" {
		t.Errorf("profession levels %q", got)
	}
	// The CPTS perimeters of Seine-et-Marne are unknown: n.d., not "aucune".
	for i, c := range r.Communes {
		if cell := v.Communes[i].CPTS.Text; cell != NA {
			t.Errorf("%s: CPTS cell %q, want %s", c.Code, cell, NA)
		}
	}
	t0 := r.Levels[0].Figures
	for _, k := range v.Kinds {
		if want := k.Key != "cds" && strings.HasPrefix(k.Key, "cds"); k.Sub != want {
			t.Errorf("%s: under cds %v", k.Key, k.Sub)
		}
		if n := t0.Structures[k.Key]; n != nil && t0.Population > 0 {
			if want := Num(float64(*n)/float64(t0.Population)*10000, 2); k.Per10k.Text != want {
				t.Errorf("%s: %q per 10,000, want %q", k.Key, k.Per10k.Text, want)
			}
		}
	}

	// A commune without APL, one without contour, two EPCI.
	r2 := *r
	r2.Communes = append([]diagnostic.CommuneFigures(nil), r.Communes...)
	r2.Communes[0].APL2023 = nil
	r2.Communes[1].EPCI = "other"
	// Two communes where the CPTS are known: one in two CPTS, one in none.
	r2.Communes[3].Gaps, r2.Communes[3].CPTS = nil, []string{"CPTS A", "CPTS B"}
	r2.Communes[4].Gaps, r2.Communes[4].CPTS = nil, nil
	c2 := map[string]json.RawMessage{}
	for k, g := range contours {
		if k != r2.Communes[2].Code {
			c2[k] = g
		}
	}
	v, err = newView(&r2, c2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.NoAPL != 1 || v.MapMissing != 1 || !v.MultiEPCI {
		t.Errorf("changed: %d without APL, %d without contour, multi-EPCI %v", v.NoAPL, v.MapMissing, v.MultiEPCI)
	}
	if a, b := v.Communes[3].CPTS.Text, v.Communes[4].CPTS.Text; a != "CPTS A, CPTS B" || b != "aucune" {
		t.Errorf("known CPTS cells %q, %q", a, b)
	}
}

// TestCommuneStructuresHeadNotes: the "Structures" head of the communes
// table carries a note for each kind of structure no source covers in the
// territory's communes: the soins non programmés (SNP) for the CC Pays de
// Nemours, also the hôpitaux de proximité for the Alpes-Maritimes, none
// for Lozère; the note gives the reason of the communes' gap.
func TestCommuneStructuresHeadNotes(t *testing.T) {
	for _, tc := range []struct {
		item  string
		kinds []string
	}{{"epci:200023240", []string{"snp"}}, {"dep:06", []string{"proximity", "snp"}}, {"dep:48", nil}} {
		r, _ := testReport(t, tc.item)
		v, err := newView(r, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		head := v.CommStruct
		if head.Text != "Structures" || len(head.Notes) != len(tc.kinds) {
			t.Errorf("%s: head %q with notes %v, want %d", tc.item, head.Text, head.Notes, len(tc.kinds))
			continue
		}
		for i, k := range tc.kinds {
			g := gapOf(r.Communes[0].Gaps, "structures."+k)
			if g == nil || g.Status != diagnostic.GapUnknown {
				t.Fatalf("%s: first commune's %s gap %+v", tc.item, k, g)
			}
			found := false
			for _, n := range v.Notes[secTerritoire] {
				found = found || n.N == head.Notes[i] && n.Text == g.Reason
			}
			if !found {
				t.Errorf("%s: note %d of the head is not the %s reason %q", tc.item, head.Notes[i], k, g.Reason)
			}
		}
	}
}

// TestLevelSourcesNemours: the sources by level of the CC Pays de Nemours
// list each level's tables in the order of the sources table, under their
// titles; France alone mixes two FINESS extracts (2021-01-08 and Occitanie
// 2026), flagged, and its structures head carries the note that says so.
// France lists no source for the figures it leaves n.d. because they are
// known for under half its population (diagnostic.MinCoverage): the CPTS
// perimeters, the hôpitaux de proximité and the soins non programmés.
// A table missing from the sources table comes last, under its name.
func TestLevelSourcesNemours(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	order := map[string]int{}
	titles := map[string]string{}
	for i, s := range r.Sources {
		order[s.Title] = i
		titles[s.Name] = s.Title
	}
	rows := levelSources(r)
	if len(rows) != 4 {
		t.Fatalf("%d levels", len(rows))
	}
	for i, row := range rows {
		if row.Mixed != (i == 3) || len(row.Items) < 4 {
			t.Errorf("%s: mixed %v, %d tables; want mixed for France only", row.Name, row.Mixed, len(row.Items))
		}
		if i == 3 {
			for _, it := range row.Items {
				if it.Title == titles["cpts"] || it.Title == titles["hopitaux_proximite"] || it.Title == titles["soins_non_programmes"] {
					t.Errorf("France lists %q, the source of a figure it does not give", it.Title)
				}
			}
		}
		for j, it := range row.Items {
			if _, ok := order[it.Title]; !ok {
				t.Errorf("%s: table %q is not a source title", row.Name, it.Title)
			} else if j > 0 && order[it.Title] < order[row.Items[j-1].Title] {
				t.Errorf("%s: %q before %q, against the sources table", row.Name, row.Items[j-1].Title, it.Title)
			}
		}
	}
	fin := rows[3].Items[1]
	if fin.Title != titles["establishments"] || fin.Sources != "FINESS 2021-01-08 + FINESS Occitanie 2026" || !fin.Mixed {
		t.Errorf("France FINESS row %+v", fin)
	}
	if rows[0].Items[0].Title != titles["gp_bpe"] || rows[0].Items[0].Mixed {
		t.Errorf("territory's first table %+v, want the BPE GPs", rows[0].Items[0])
	}
	// Tables outside the sources table: last, by name, under their name.
	r2 := *r
	r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
	r2.Levels[0].Sources = map[string][]string{"zz_local": {"ARS 2025"}, "gp_bpe": {"BPE 2017"}, "aa_local": {"ARS 2024"}}
	var got []string
	for _, it := range levelSources(&r2)[0].Items {
		got = append(got, it.Title)
	}
	if want := []string{titles["gp_bpe"], "aa_local", "zz_local"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tables %q, want %q", got, want)
	}

	v, err := newView(r, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range v.KindLevels {
		if (len(h.Notes) == 1) != (h.Text == "France") || len(h.Notes) > 1 {
			t.Errorf("structures head %d %q has notes %v, want one for France only", i, h.Text, h.Notes)
		}
	}
}

// TestStructuresPer10kNoPopulation: Beaumont-en-Verdunois (55039), a
// village destroyed in 1916 with no inhabitants, has no structures per
// 10,000 inhabitants: n.d. with its note, not a division by zero.
func TestStructuresPer10kNoPopulation(t *testing.T) {
	r, _ := testReport(t, "55039")
	if r.Levels[0].Population != 0 {
		t.Fatalf("Beaumont-en-Verdunois has %d inhabitants", r.Levels[0].Population)
	}
	v, err := newView(r, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range v.Kinds {
		if k.Per10k.Text != NA || len(k.Per10k.Notes) != 1 {
			t.Errorf("%s: %q per 10,000 with notes %v, want %s with its note", k.Key, k.Per10k.Text, k.Per10k.Notes, NA)
		}
	}
	if len(v.Kinds) != len(diagnostic.Kinds) {
		t.Errorf("%d kind rows", len(v.Kinds))
	}
}

// TestVintageLineNemours: the page header of the CC Pays de Nemours gives
// the vintages of its main figures, in this order: communes, APL, GPs of
// the BPE, liberal professionals, FINESS establishments.
func TestVintageLineNemours(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	vintage := map[string]string{}
	for _, s := range r.Sources {
		vintage[s.Name] = s.Vintage
	}
	var want []string
	for _, n := range []string{"communes", "apl", "gp_bpe", "liberaux", "establishments"} {
		if vintage[n] == "" {
			t.Fatalf("no vintage for %s", n)
		}
		want = append(want, vintage[n])
	}
	if got := vintageLine(r); got != strings.Join(want, " · ") || strings.Count(got, " · ") != 4 {
		t.Errorf("vintage line %q, want %q", got, strings.Join(want, " · "))
	}
}
