package templates

import (
	"bytes"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestCPTSSectionSaysWhetherPerimetersAreKnown: the CPTS perimeters are
// published for Provence-Alpes-Côte d'Azur only. Marseille 14e lists its
// CPTS (CPTS Actes Santé) without the "périmètres non connus" warning;
// Nemours (Seine-et-Marne) gets the warning and never the sentence that no
// CPTS covers it.
func TestCPTSSectionSaysWhetherPerimetersAreKnown(t *testing.T) {
	const unknown = "Les périmètres des CPTS ne sont pas connus pour ce territoire"
	r, contours := testReport(t, "13214")
	v, err := newView(r, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !v.CPTSKnown || v.CPTSNote.Text != "" {
		t.Errorf("Marseille 14e: CPTS known %v, note %q", v.CPTSKnown, v.CPTSNote.Text)
	}
	if len(v.CPTS) == 0 || v.CPTS[0].Name != "CPTS Actes Santé" {
		t.Errorf("Marseille 14e CPTS rows %+v, want CPTS Actes Santé first", v.CPTS)
	}
	page, _ := renderHTML(t, "13214")
	if strings.Contains(page, unknown) {
		t.Error("Marseille 14e page says the CPTS perimeters are unknown")
	}

	r, contours = testReport(t, "epci:200023240")
	v, err = newView(r, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v.CPTSKnown || v.CPTSNote.Text != NA {
		t.Errorf("Nemours: CPTS known %v, note %q, want unknown and %s", v.CPTSKnown, v.CPTSNote.Text, NA)
	}
	page, _ = renderHTML(t, "epci:200023240")
	if !strings.Contains(page, unknown) || strings.Contains(page, "Aucune CPTS ne couvre le territoire") {
		t.Error("Nemours page does not say that the CPTS perimeters of Seine-et-Marne are unknown")
	}
}

// TestSummaryFormCountsStructuresByDepartement: the summary form of
// Auvergne-Rhône-Alpes has one column per kind of structure and, in each
// département row and the total, the engine's count for that kind.
func TestSummaryFormCountsStructuresByDepartement(t *testing.T) {
	full, _ := testReport(t, "reg:84")
	parts := DepartementParts(full, testEngine)
	v, err := newView(summaryReport(full), nil, full, parts)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.PartKinds) != len(diagnostic.Kinds) || v.PartKinds[0] != shortLabel(diagnostic.Kinds[0].Key) {
		t.Fatalf("structure columns %q, want one per kind", v.PartKinds)
	}
	msp := -1
	for i, k := range diagnostic.Kinds {
		if k.Key == "msp" {
			msp = i
		}
	}
	if msp < 0 {
		t.Fatal("no msp kind")
	}
	total := 0
	for i, p := range parts {
		row := v.Parts[i]
		if len(row.Structures) != len(diagnostic.Kinds) {
			t.Fatalf("%s: %d structure cells", p.Name, len(row.Structures))
		}
		n := p.Figures.Structures["msp"]
		if n == nil {
			t.Fatalf("%s: MSP count unknown", p.Name)
		}
		if got := row.Structures[msp].Text; got != Int(*n) {
			t.Errorf("%s: MSP cell %q, want %s", p.Name, got, Int(*n))
		}
		total += *n
	}
	if got := v.PartTotal.Structures[msp].Text; got != Int(total) || total < 100 {
		t.Errorf("total MSP cell %q, want the sum of the départements %s", got, Int(total))
	}
}

// TestStructureListUpToSixty: the page lists the structures by name up
// to maxStructureList (60) and, beyond it, only counts them by commune.
func TestStructureListUpToSixty(t *testing.T) {
	r, contours := testReport(t, "epci:200023240")
	if len(r.Structures) == 0 {
		t.Fatal("Nemours has no structure")
	}
	for _, tc := range []struct {
		n    int
		long bool
	}{{maxStructureList, false}, {maxStructureList + 1, true}} {
		r2 := *r
		r2.Structures = nil
		for len(r2.Structures) < tc.n {
			r2.Structures = append(r2.Structures, r.Structures[len(r2.Structures)%len(r.Structures)])
		}
		v, err := newView(&r2, contours, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if v.LongStructures != tc.long || v.StructTable == nil || v.StructTable.N != Int(tc.n) {
			t.Errorf("%d structures: long %v (want %v), table %+v", tc.n, v.LongStructures, tc.long, v.StructTable)
		}
		var buf bytes.Buffer
		if err := writePage(&buf, v); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "<h3>Liste des structures</h3>"); got == tc.long {
			t.Errorf("%d structures: list by name shown %v", tc.n, got)
		}
	}
}

// TestNoProfessionsNoChart: a report without the Assurance Maladie
// professions table has no professions chart and no profession rows.
func TestNoProfessionsNoChart(t *testing.T) {
	r, contours := testReport(t, "epci:200023240")
	v, err := newView(r, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Charts["professions"]; !ok || len(v.Profs) == 0 {
		t.Fatalf("Nemours: professions chart %v, %d rows", ok, len(v.Profs))
	}
	r2 := *r
	r2.Professions = nil
	v, err = newView(&r2, contours, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Charts["professions"]; ok || len(v.Profs) != 0 || len(v.ProfLevels) != 0 {
		t.Errorf("without professions: chart %v, %d rows, levels %q", ok, len(v.Profs), v.ProfLevels)
	}
}

// TestGPSourceLabelNamesEachSource: the GP labels name every source the
// levels use, once each in level order, skipping levels without one; with
// no level source the report's own source is named.
func TestGPSourceLabelNamesEachSource(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	src := r.Levels[0].GPSource
	if src == "" || len(r.Levels) < 4 {
		t.Fatalf("Nemours: GP source %q, %d levels", src, len(r.Levels))
	}
	for _, l := range r.Levels {
		if l.GPSource != src {
			t.Fatalf("Nemours levels have several GP sources: %q, %q", src, l.GPSource)
		}
	}
	if got := gpSourceLabel(r); got != src {
		t.Errorf("one source: %q, want %q", got, src)
	}
	r2 := *r
	r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
	r2.Levels[1].GPSource = ""
	r2.Levels[2].GPSource = "RPPS 2026-11-20"
	r2.Levels[3].GPSource = src
	if got, want := gpSourceLabel(&r2), src+" / RPPS 2026-11-20"; got != want {
		t.Errorf("two sources: %q, want %q", got, want)
	}
	for i := range r2.Levels {
		r2.Levels[i].GPSource = ""
	}
	r2.GPSource = "RPPS"
	if got := gpSourceLabel(&r2); got != "RPPS" {
		t.Errorf("no level source: %q, want the report's", got)
	}
}

// TestPlacesSentence: the header names the one département, or lists up
// to 12 (Auvergne-Rhône-Alpes), or counts them beyond (Occitanie's 13);
// it lists up to 6 EPCI and counts them beyond.
func TestPlacesSentence(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	if got := placesSentence(r); got != "Département : Seine-et-Marne (77) — région Île-de-France — EPCI : CC Pays de Nemours" {
		t.Errorf("Nemours: %q", got)
	}
	ara, _ := testReport(t, "reg:84")
	if n := len(ara.Territory.Departements); n != 12 {
		t.Fatalf("Auvergne-Rhône-Alpes: %d départements", n)
	}
	if got := placesSentence(ara); !strings.HasPrefix(got, "Départements : Ain (01), Allier (03), ") || !strings.Contains(got, ", Haute-Savoie (74) — région Auvergne-Rhône-Alpes — ") {
		t.Errorf("Auvergne-Rhône-Alpes: %q", got)
	}
	occ, _ := testReport(t, "reg:76")
	if got := placesSentence(occ); !strings.HasPrefix(got, "13 départements — région Occitanie — ") {
		t.Errorf("Occitanie: %q", got)
	}
	// EPCI: the six first of Lozère listed, seven counted.
	lz, _ := testReport(t, "dep:48")
	if len(lz.Territory.EPCIs) < 7 {
		t.Fatalf("Lozère: %d EPCI", len(lz.Territory.EPCIs))
	}
	r2 := *lz
	r2.Territory.EPCIs = lz.Territory.EPCIs[:6]
	var names []string
	for _, e := range r2.Territory.EPCIs {
		names = append(names, e.Name)
	}
	if got, want := placesSentence(&r2), "Département : Lozère (48) — région Occitanie — EPCI : "+strings.Join(names, ", "); got != want {
		t.Errorf("six EPCI: %q, want %q", got, want)
	}
	r2.Territory.EPCIs = lz.Territory.EPCIs[:7]
	if got := placesSentence(&r2); got != "Département : Lozère (48) — région Occitanie — 7 EPCI" {
		t.Errorf("seven EPCI: %q", got)
	}
	// Two départements in two régions.
	two, _ := testReport(t, "77333", "13214")
	if got := placesSentence(two); got != "Départements : Bouches-du-Rhône (13), Seine-et-Marne (77) — régions Île-de-France, Provence-Alpes-Côte d'Azur — EPCI : CC Pays de Nemours, Métropole d'Aix-Marseille-Provence" {
		t.Errorf("two départements: %q", got)
	}
}

// TestLowShareCardTone: the "APL ≤ 2,5" card turns red from 20 % of the
// population in such communes, and gives the 2,5–4 share in its note.
func TestLowShareCardTone(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	for _, tc := range []struct {
		low  float64
		tone string
	}{{0.2, "low"}, {0.199, ""}, {0.352, "low"}} {
		r2 := *r
		r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
		low, mid := tc.low, 0.113
		r2.Levels[0].Figures.ShareLow, r2.Levels[0].Figures.ShareMiddle = &low, &mid
		c := cards(&r2, newNotebook())[2]
		if !strings.HasPrefix(c.Label, "Population dans une commune d'APL ≤ 2,5") || c.Tone != tc.tone || c.Note != "entre 2,5 et 4 : 11\u00a0%" {
			t.Errorf("share %v: card %q tone %q note %q, want tone %q", tc.low, c.Label, c.Tone, c.Note, tc.tone)
		}
	}
}

// TestGPCardNamesOtherSources: the GP density card names its source and,
// next to a comparison level, that level's source where it differs.
func TestGPCardNamesOtherSources(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	r2 := *r
	r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
	r2.Levels[3].GPSource = "RPPS 2026-11-20"
	c := cards(&r2, newNotebook())[3]
	if c.Unit != "(BPE 2017)" || c.Note != "20 médecins généralistes (BPE 2017)" || len(c.Compare) != 3 {
		t.Fatalf("GP card unit %q note %q, %d comparisons", c.Unit, c.Note, len(c.Compare))
	}
	if c.Compare[0].Text != "Seine-et-Marne (77) : 7,0" {
		t.Errorf("Seine-et-Marne comparison %q", c.Compare[0].Text)
	}
	if !strings.HasPrefix(c.Compare[2].Text, "France : 9,1") || !strings.HasSuffix(c.Compare[2].Text, " (RPPS 2026-11-20)") {
		t.Errorf("France comparison %q, want its RPPS source named", c.Compare[2].Text)
	}
}

// TestNeedNoteReadsTheRoundedIndex: the need index note reads the value as
// shown (two decimals): 1,05 and above "au-dessus", 0,95 and below
// "au-dessous", between them "proche"; no index, the scale.
func TestNeedNoteReadsTheRoundedIndex(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		v    *float64
		want string
	}{
		{f(1.05), "au-dessus de 1"}, {f(1.0449), "proche de 1"}, {f(1.2), "au-dessus de 1"},
		{f(0.95), "au-dessous de 1"}, {f(0.9551), "proche de 1"}, {f(0.8), "au-dessous de 1"},
		{nil, "1 = besoins moyens de la France"},
	} {
		if got := needNote(tc.v); !strings.HasPrefix(got, tc.want) {
			t.Errorf("needNote(%v) = %q, want %q…", tc.v, got, tc.want)
		}
	}
}

// TestCoordinatedCardUnit: "structure" up to one, "structures" from two
// (Nemours: 1 MSP + 0 centre de santé).
func TestCoordinatedCardUnit(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	c := coordinatedCard(r, newNotebook())
	if c.Value.Text != "1" || c.Unit != "structure" || c.Note != "1 MSP + 0 CDS médicaux ou polyvalents" {
		t.Errorf("Nemours: %q %q, note %q", c.Value.Text, c.Unit, c.Note)
	}
	r2 := *r
	r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
	f := r2.Levels[0].Figures
	f.Structures = map[string]*int{}
	for k, v := range r.Levels[0].Figures.Structures {
		f.Structures[k] = v
	}
	two := 2
	f.Structures["msp"] = &two
	r2.Levels[0].Figures = f
	if c := coordinatedCard(&r2, newNotebook()); c.Value.Text != "2" || c.Unit != "structures" {
		t.Errorf("two MSP: %q %q", c.Value.Text, c.Unit)
	}
}

// TestCPTSCardNote: the CPTS card counts the CPTS touching the territory
// where perimeters are known (Marseille 14e: 1), says none when none
// does, and otherwise says the perimeters are unknown, with the FINESS
// seats in the territory when there are some (Seine-Saint-Denis: 2).
func TestCPTSCardNote(t *testing.T) {
	m, _ := testReport(t, "13214")
	if got := cptsCard(m, newNotebook()).Note; got != "1 CPTS touche le territoire (périmètres ARS)" {
		t.Errorf("Marseille 14e: %q", got)
	}
	m2 := *m
	m2.CPTS = nil
	if got := cptsCard(&m2, newNotebook()).Note; got != "aucune CPTS ne touche le territoire (périmètres ARS)" {
		t.Errorf("no CPTS: %q", got)
	}
	n, _ := testReport(t, "epci:200023240")
	if got := cptsCard(n, newNotebook()).Note; got != "périmètres non connus : à vérifier auprès de l'ARS" {
		t.Errorf("Nemours: %q", got)
	}
	// Seine-Saint-Denis: perimeters unknown, two CPTS seats in the FINESS.
	d, _ := testReport(t, "dep:93")
	if got := cptsCard(d, newNotebook()).Note; got != "périmètres non connus ; 2 sièges de CPTS enregistrés au FINESS dans le territoire : à vérifier auprès de l'ARS" {
		t.Errorf("Seine-Saint-Denis: %q", got)
	}
}

// TestStructureSummaryAgrees: the communes table names each commune's
// structures in taxonomy order, singular for one and plural beyond, and
// leaves out the kinds it has none of (Nemours: 1 MSP, 1 hôpital, …, 5
// pharmacies, 2 EHPAD; Amponville none).
func TestStructureSummaryAgrees(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	nemours := communeOf(t, r, "77333")
	if got := structureSummary(nemours.Structures); got != "1 MSP, 1 hôpital, 1 hôpital de proximité, 1 service d'urgences, 5 pharmacies, 2 EHPAD" {
		t.Errorf("Nemours structures %q", got)
	}
	if got := structureSummary(communeOf(t, r, "77003").Structures); got != "" {
		t.Errorf("Amponville structures %q, want none", got)
	}
}

// TestNearestTableCells: the page's nearest-structure table has a column
// per kind present (taxonomy order, then others by key) and, per commune,
// the time and distance with their units, or n.d. where none is known.
func TestNearestTableCells(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	r2 := *r
	r2.Communes = append([]diagnostic.CommuneFigures(nil), r.Communes...)
	withoutAccess(&r2)
	if kinds, rows := nearestTable(&r2); kinds != nil || rows != nil {
		t.Errorf("without times: %q, %d rows", kinds, len(rows))
	}
	withAccess(&r2)
	r2.Communes[0].Nearest = map[string]diagnostic.NearestFacility{"zz": {Name: "X", Minutes: 3, Km: 2}}
	labels, rows := nearestTable(&r2)
	if strings.Join(labels, " | ") != "Services d'urgences | zz" || len(rows) != len(r2.Communes) {
		t.Fatalf("labels %q, %d rows", labels, len(rows))
	}
	if c := rows[1].Cells[0]; c.Time != "16,4\u00a0min" || c.Km != "12,3\u00a0km" || c.Name != "CH DE NEMOURS" {
		t.Errorf("%s emergency cell %+v", rows[1].Code, c)
	}
	if c := rows[0].Cells[0]; c.Time != NA || c.Km != "" {
		t.Errorf("%s without emergency: %+v", rows[0].Code, c)
	}
	if c := rows[1].Cells[1]; c.Time != NA {
		t.Errorf("%s without zz: %+v", rows[1].Code, c)
	}
}

// TestMemoizedSectionsFollowTheirData: pages written one after the other
// with the memo of the sections that repeat (sources, notes, limits…) are
// byte for byte the pages written with an empty memo, whether their
// sections repeat (two communes of one département) or not (another
// département, an EPCI); and a section whose data repeats is made once.
func TestMemoizedSectionsFollowTheirData(t *testing.T) {
	shared := parsePage(reportTmpl)
	var pages []*view
	for _, item := range []string{"13004", "13005", "48095", "13004", "epci:200023240", "13005"} {
		r, contours := testReport(t, item)
		v, err := newView(r, contours, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, v)
		var got, want bytes.Buffer
		if err := shared.write(&got, v); err != nil {
			t.Fatal(err)
		}
		if err := parsePage(reportTmpl).write(&want, v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%s after %d pages: the page differs from the page of an empty memo", item, len(pages)-1)
		}
	}
	// Six pages, three départements: one professions table each.
	if n := len(shared.memos.last["profs"]); n != 3 {
		t.Errorf("%d professions tables made for 3 départements", n)
	}
	if n := len(shared.memos.last["notes"]); n > memoSize {
		t.Errorf("%d notes kept, more than %d", n, memoSize)
	}
}
