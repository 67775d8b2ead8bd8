package templates

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

var (
	noteItemRe = regexp.MustCompile(`<li id="note-([a-z]+)-(\d+)" value="(\d+)">([^<]*)</li>`)
	noteRefRe  = regexp.MustCompile(`<a href="#note-([a-z]+)-(\d+)" aria-label="note \d+">(\d+)</a>`)
	lvlRowRe   = regexp.MustCompile(`(?s)<tr class="lvl-[a-z]+">.*?</tr>`)
	naRe       = regexp.MustCompile(`n\.d\.(<sup class="fn">)?`)
)

// pageNotes checks the page's footnotes and returns them by number: one
// number per distinct reason, the same reason under the same number in
// every section, every reference pointing at a note of the page.
func pageNotes(t *testing.T, page string) map[int]string {
	t.Helper()
	byNum := map[int]string{}
	byText := map[string]int{}
	ids := map[string]bool{}
	for _, m := range noteItemRe.FindAllStringSubmatch(page, -1) {
		n, _ := strconv.Atoi(m[2])
		if m[2] != m[3] {
			t.Errorf("note %s-%s is shown as number %s", m[1], m[2], m[3])
		}
		text := html.UnescapeString(m[4])
		if prev, ok := byNum[n]; ok && prev != text {
			t.Errorf("note %d has two reasons: %q and %q", n, prev, text)
		}
		if prev, ok := byText[text]; ok && prev != n {
			t.Errorf("reason %q has two numbers: %d and %d", text, prev, n)
		}
		if ids["note-"+m[1]+"-"+m[2]] {
			t.Errorf("note %d listed twice in section %s", n, m[1])
		}
		byNum[n], byText[text], ids["note-"+m[1]+"-"+m[2]] = text, n, true
	}
	for n := 1; n <= len(byNum); n++ {
		if _, ok := byNum[n]; !ok {
			t.Errorf("notes are not numbered 1..%d: %d is missing", len(byNum), n)
		}
	}
	refs := noteRefRe.FindAllStringSubmatch(page, -1)
	if len(refs) == 0 {
		t.Fatal("no footnote reference in the page")
	}
	for _, m := range refs {
		if !ids["note-"+m[1]+"-"+m[2]] {
			t.Errorf("reference %s points at note-%s-%s, which the page does not list", m[3], m[1], m[2])
		}
	}
	return byNum
}

// allNAHaveNotes checks that every "n.d." of the comparison tables (rows of
// levels) carries a footnote, and returns how many there are.
func allNAHaveNotes(t *testing.T, page string) int {
	t.Helper()
	count := 0
	for _, row := range lvlRowRe.FindAllString(page, -1) {
		for _, m := range naRe.FindAllStringSubmatch(row, -1) {
			count++
			if m[1] == "" {
				t.Errorf("n.d. without a footnote in %s", row)
			}
		}
	}
	return count
}

func hasNote(notes map[int]string, sub string) bool {
	for _, n := range notes {
		if strings.Contains(n, sub) {
			return true
		}
	}
	return false
}

// noteNumber is the number of the page note with this text.
func noteNumber(t *testing.T, notes map[int]string, text string) string {
	t.Helper()
	for n, x := range notes {
		if x == text {
			return strconv.Itoa(n)
		}
	}
	t.Fatalf("no note %q", text)
	return ""
}

// cardOf returns the HTML of the card with the given label.
func cardOf(t *testing.T, page, label string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<p class="card-label">` + regexp.QuoteMeta(label) + `</p>.*?</div>`).FindString(page)
	if m == "" {
		t.Fatalf("no card %q", label)
	}
	return m
}

// Nemours: CPTS perimeters are not known in Île-de-France, so the CPTS
// figures are n.d. with the reason, never "0 %" or "aucune"; France's,
// which could only be PACA's (7.6 % of France, under
// diagnostic.MinCoverage), are n.d. too. A partial comparison value (France's
// GPs, counted for 93.7 % of its population) carries its note in the cards.
func TestHTMLNotesNemours(t *testing.T) {
	rep, contours := testReport(t, "epci:200023240")
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	notes := pageNotes(t, page)
	// The territory's 75+ share, and the CPTS population and commune
	// shares of the territory, Seine-et-Marne, Île-de-France and France.
	if n := allNAHaveNotes(t, page); n != 9 {
		t.Errorf("%d n.d. in the comparison tables, want 9", n)
	}
	const cptsReason = "Non disponible pour Seine-et-Marne (77) (périmètres de CPTS) : la source ne couvre que Provence-Alpes-Côte d'Azur : ARS PACA 2026-01."
	if !hasNote(notes, cptsReason) {
		t.Errorf("no note says the CPTS perimeters are not known; notes: %v", notes)
	}
	card := cardOf(t, page, "CPTS")
	if !strings.Contains(card, `<p class="card-value">n.d.<sup class="fn">`) || strings.Contains(card, "0\u00a0%") || strings.Contains(card, "aucune") {
		t.Errorf("CPTS card = %s", card)
	}
	// France: not 98,1 % (PACA's share, the 7,6 % of France whose
	// perimeters are known) but n.d., in the table and in the card, with
	// the note that says why.
	const frCPTS = "Non disponible (périmètres de CPTS) : données connues pour 7,6\u00a0% de la population seulement, sous le seuil de 50\u00a0% ; non disponibles pour 95 départements."
	if !regexp.MustCompile(`<tr class="lvl-france"><th scope="row">France</th><td>n\.d\.<sup class="fn">`).MatchString(page) || !hasNote(notes, frCPTS) {
		t.Error("France's CPTS coverage is not n.d. with the note that it is known for PACA only")
	}
	if strings.Contains(page, "98,1\u00a0%") || strings.Contains(page, "98\u00a0%") {
		t.Error("the page shows PACA's CPTS coverage (98 %) for France")
	}
	if n := noteNumber(t, notes, frCPTS); !strings.Contains(card, `<li>France : n.d.<sup class="fn"><a href="#note-synthese-`+n+`"`) {
		t.Errorf("the CPTS card's France value is not n.d. with note %s: %s", n, card)
	}
	// The GP card: France's density, computed over the 93,7 % of its
	// population the BPE covers, is shown with the note that says so.
	gpReason := "Calculé sur la partie couverte seulement (93,7\u00a0% de la population) : donnée non disponible pour Paris (75), la Guadeloupe (971), la Martinique (972), la Guyane (973), La Réunion (974) et Mayotte (976) (effectifs de médecins généralistes)."
	if n, gp := noteNumber(t, notes, gpReason), cardOf(t, page, "Médecins généralistes pour 10 000 habitants"); !strings.Contains(gp, `<li>France : 9,1<sup class="fn"><a href="#note-synthese-`+n+`"`) {
		t.Errorf("the GP card's France value lacks partial note %s: %s", n, gp)
	}
	if strings.Contains(page, "Aucune CPTS n'est connue") {
		t.Error("the page says no CPTS is known although perimeters are unknown")
	}

	// The CPTS lever is a question to check, apart from the levers.
	checks := regexp.MustCompile(`(?s)<ul class="checks">.*?</ul>`).FindString(page)
	if !strings.Contains(checks, `<span class="badge badge-check">À vérifier</span> <strong>Communauté professionnelle territoriale de santé (CPTS)</strong>`) {
		t.Errorf("CPTS lever not shown as a question to check: %q", checks)
	}
	if levers := regexp.MustCompile(`(?s)<ol class="levers">.*?</ol>`).FindString(page); strings.Contains(levers, "CPTS") {
		t.Error("the CPTS lever is listed among the levers suggested by findings")
	}

	// Exercice coordonné: 1 MSP + 0 centre de santé médical ou polyvalent;
	// Seine-et-Marne 16 + 15.
	card = html.UnescapeString(cardOf(t, page, "Exercice coordonné : MSP et centres de santé médicaux ou polyvalents"))
	for _, want := range []string{`<p class="card-value">1 <span`, "1 MSP + 0 CDS médicaux ou polyvalents", "Seine-et-Marne (77) : 31 (16 MSP + 15 CDS médicaux ou polyvalents)"} {
		if !strings.Contains(card, want) {
			t.Errorf("exercice coordonné card lacks %q: %s", want, card)
		}
	}

	// Centres de santé by type, each its own row; hôpital de proximité:
	// CH Nemours (ARS Île-de-France list), 2 in Seine-et-Marne.
	for _, want := range []string{
		`<tr><th scope="row"><a class="gl" href="#gl-cds">Centres de santé médicaux ou polyvalents</a></th><td>0</td><td>0,00</td><td>15</td>`,
		`<tr class="sub"><th scope="row">Centres de santé dentaires</th><td>0</td><td>0,00</td><td>12</td>`,
		`<tr class="sub"><th scope="row">Centres de soins infirmiers</th><td>0</td><td>0,00</td><td>1</td>`,
		`<tr><th scope="row"><a class="gl" href="#gl-hdp">Hôpitaux de proximité (labellisés)</a></th><td>1</td><td>0,34</td><td>2</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("structures table lacks %q", want)
		}
	}

	// One GP density per level, with its source; the Assurance Maladie row
	// says what it counts and why it differs.
	if !strings.Contains(page, `<tr class="lvl-territory"><th scope="row">Territoire</th><td>20</td><td>6,8</td><td class="txt">BPE 2017</td></tr>`) {
		t.Error("GP table: territory row without its source")
	}
	if !strings.Contains(page, `<th scope="row">Médecins généralistes libéraux (Assurance Maladie 2023)<sup class="fn">`) ||
		!hasNote(notes, "diffère de celui de la Base permanente des équipements (BPE 2017 de l'INSEE : tous les omnipraticiens exerçant en cabinet en 2017, salariés compris)") {
		t.Error("the professions table does not say how its GP count differs from the BPE 2017")
	}

	// Sources by level: France mixes FINESS 2021 and FINESS Occitanie 2026.
	france := html.UnescapeString(regexp.MustCompile(`(?s)<tr class="mixed"><th scope="row">France.*?</tr>`).FindString(page))
	if !strings.Contains(france, "FINESS 2021-01-08 + FINESS Occitanie 2026 — <strong class=\"mix\">mélange de millésimes : comparer avec prudence</strong>") {
		t.Errorf("France's sources do not flag the mix of vintages: %q", france)
	}
	if regexp.MustCompile(`<tr class="mixed"><th scope="row">Seine-et-Marne`).MatchString(page) {
		t.Error("Seine-et-Marne flagged as mixing vintages")
	}
	// SAS of Seine-et-Marne (ARS Île-de-France, end of 2021).
	if !strings.Contains(page, "<tr><th scope=\"row\">77</th><td>SAS 77</td><td>amorçage prévu 2022</td>") {
		t.Error("the SAS status of Seine-et-Marne is not shown")
	}
}

// Marseille 16e: the BPE counts Marseille's GPs for the whole city, so the
// arrondissement's GP figures are n.d. with that reason.
func TestHTMLNotesMarseille16(t *testing.T) {
	rep, contours := testReport(t, "13216")
	if rep.Levels[0].GPs != nil {
		t.Fatalf("Marseille 16e has %d GPs, want unknown", *rep.Levels[0].GPs)
	}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	notes := pageNotes(t, page)
	allNAHaveNotes(t, page)
	if !hasNote(notes, "La source compte les médecins de Paris, Lyon et Marseille pour la ville entière, pas par arrondissement.") {
		t.Errorf("no note explains the arrondissement's missing GPs; notes: %v", notes)
	}
	if !regexp.MustCompile(`<tr class="lvl-territory"><th scope="row">Territoire</th><td>n\.d\.<sup class="fn">.*?</sup></td><td>n\.d\.<sup class="fn">.*?</sup></td><td class="txt">—</td></tr>`).MatchString(page) {
		t.Error("GP table: the territory row is not n.d. with notes")
	}
	if card := cardOf(t, page, "Médecins généralistes pour 10 000 habitants"); !strings.Contains(card, `<p class="card-value">n.d.<sup class="fn">`) {
		t.Errorf("GP card = %s", card)
	}
	// The perimeter of CPTS Actes Santé lists the 16e: covered, 100 %.
	if !regexp.MustCompile(`<tr class="lvl-territory"><th scope="row">Territoire</th><td>100,0\x{a0}%</td>`).MatchString(page) {
		t.Error("the CPTS coverage of Marseille 16e is not 100 %")
	}
}

// The workbook: unknown cells hold "n.d." (text) with a comment giving the
// reason, partial values stay numbers with a comment, each row's note
// numbers are in its Notes column and each sheet lists its notes.
func TestXLSXNotes(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, rep); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments := map[string]string{}
	list, err := f.GetComments(SheetSynthese)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		var text string
		for _, p := range c.Paragraph {
			text += p.Text
		}
		comments[c.Cell] = text + c.Text
	}
	row := findRow(t, f, SheetSynthese, "Population couverte par une CPTS (%)")
	if v, _ := f.GetCellValue(SheetSynthese, cell(2, row)); v != "n.d." {
		t.Errorf("territory CPTS coverage = %q, want n.d.", v)
	}
	c := comments[cell(2, row)]
	if !strings.HasPrefix(c, "Note ") || !strings.Contains(c, "(périmètres de CPTS) : la source ne couvre que Provence-Alpes-Côte d'Azur") {
		t.Errorf("comment of the territory CPTS cell = %q", c)
	}
	n := strings.TrimPrefix(strings.SplitN(c, " :", 2)[0], "Note ")
	notesCol := len(rep.Levels) + 2
	if v, _ := f.GetCellValue(SheetSynthese, cell(notesCol, row)); !strings.Contains(", "+v+",", " "+n+",") {
		t.Errorf("Notes column of the CPTS row = %q, want it to list note %s", v, n)
	}
	// France's CPTS coverage, known for 7,6 % of its population (under
	// diagnostic.MinCoverage), is n.d. with its note, not PACA's 0.98063.
	if v, _ := f.GetCellValue(SheetSynthese, cell(5, row)); v != "n.d." {
		t.Errorf("France's CPTS coverage = %q, want n.d.", v)
	}
	if c := comments[cell(5, row)]; !strings.Contains(c, "(périmètres de CPTS) : données connues pour 7,6\u00a0% de la population seulement") {
		t.Errorf("comment of France's CPTS cell = %q", c)
	}
	// France's GP density is a number (partial: 93,7 % of France) with its
	// note.
	gpRow := findRow(t, f, SheetSynthese, "Densité de médecins généralistes, BPE 2017 (pour 10 000 hab.)")
	if v, _ := f.GetCellValue(SheetSynthese, cell(5, gpRow), excelize.Options{RawCellValue: true}); !strings.HasPrefix(v, "9.059") {
		t.Errorf("France's GP density = %q, want 9.059…", v)
	}
	if c := comments[cell(5, gpRow)]; !strings.Contains(c, "Calculé sur la partie couverte seulement (93,7") {
		t.Errorf("comment of France's GP density cell = %q", c)
	}
	// The Notes block lists the note under its number.
	rows, _ := f.GetRows(SheetSynthese)
	found := false
	for _, r := range rows {
		if len(r) > 1 && r[0] == "Note "+n && strings.Contains(r[1], "(périmètres de CPTS)") {
			found = true
		}
	}
	if !found {
		t.Errorf("the Notes block of Synthèse does not list note %s", n)
	}

	// Communes: counts are numbers (Nemours has 1 MSP), unknown kinds n.d.
	header, _ := f.GetRows(SheetCommunes)
	col := func(name string) int {
		for i, h := range header[0] {
			if h == name {
				return i + 1
			}
		}
		t.Fatalf("no column %q", name)
		return 0
	}
	nemours := findRow(t, f, SheetCommunes, "77333")
	assertNumber(t, f, SheetCommunes, cell(col("Maisons de santé pluriprofessionnelles (MSP) (nb)"), nemours), "1", 3, "")
	for _, name := range []string{"Soins non programmés et SAS (nb)", "CPTS (périmètre)"} {
		if v, _ := f.GetCellValue(SheetCommunes, cell(col(name), nemours)); v != "n.d." {
			t.Errorf("Nemours %s = %q, want n.d.", name, v)
		}
	}
	// The professions sheet labels the Assurance Maladie GPs.
	findRow(t, f, SheetProfessionals, "Médecins généralistes libéraux (Assurance Maladie 2023)")
}

// CSV and GeoJSON: unknown counts are empty cells and nulls, known ones
// numbers, in the order of diagnostic.Kinds.
func TestExportUnknowns(t *testing.T) {
	rep, contours := testReport(t, "epci:200023240")
	var b bytes.Buffer
	if err := WriteCSV(&b, rep, CSVFrench); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&b)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	idx := map[string]int{}
	for i, h := range head {
		idx[h] = i
	}
	var kinds []string
	for _, h := range head {
		if k, ok := strings.CutPrefix(h, "structures_"); ok {
			kinds = append(kinds, k)
		}
	}
	var want []string
	for _, k := range diagnostic.Kinds {
		want = append(want, k.Key)
	}
	if strings.Join(kinds, ",") != strings.Join(want, ",") {
		t.Errorf("structure columns %v, want diagnostic.Kinds %v", kinds, want)
	}
	var nemours []string
	for _, rec := range recs[1:] {
		if rec[0] == "77333" {
			nemours = rec
		}
	}
	for col, v := range map[string]string{"structures_msp": "1", "structures_proximity": "1", "structures_pharmacy": "5",
		"structures_snp": "", "cpts": "", "gps": "12", "gp_source": "BPE 2017"} {
		if got := nemours[idx[col]]; got != v {
			t.Errorf("Nemours %s = %q, want %q", col, got, v)
		}
	}

	var g bytes.Buffer
	if err := WriteGeoJSON(&g, rep, contours); err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			ID         string         `json:"id"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(g.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	for _, ft := range fc.Features {
		if ft.ID != "77333" {
			continue
		}
		if ft.Properties["structures_msp"] != 1.0 || ft.Properties["structures_snp"] != nil || ft.Properties["cpts"] != nil {
			t.Errorf("Nemours properties: msp %v, snp %v, cpts %v", ft.Properties["structures_msp"], ft.Properties["structures_snp"], ft.Properties["cpts"])
		}
	}

	// Marseille 16e: GPs unknown, an empty cell.
	rep, _ = testReport(t, "13216")
	b.Reset()
	if err := WriteCSV(&b, rep, CSVFrench); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	cells := strings.Split(lines[1], ";")
	if cells[0] != "13216" || cells[idx["gps"]] != "" || cells[idx["gp_density_per_10000"]] != "" {
		t.Errorf("Marseille 16e CSV row: code %s, gps %q, density %q", cells[0], cells[idx["gps"]], cells[idx["gp_density_per_10000"]])
	}
}

// Every territory kind: a département, Paris (arrondissements rolled up),
// Mayotte (no FINESS, SAE, APL), a CPTS of arrondissements. Notes stay
// consistent and every n.d. of the comparison tables has its note.
func TestHTMLNotesTerritories(t *testing.T) {
	for _, items := range [][]string{{"dep:48"}, {"75056"}, {"dep:976"}, {`cpts:CPTS Actes Santé`}} {
		t.Run(items[0], func(t *testing.T) {
			rep, contours := testReport(t, items...)
			var buf bytes.Buffer
			if err := WriteHTML(&buf, rep, contours); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			pageNotes(t, page)
			allNAHaveNotes(t, page)
		})
	}
}
