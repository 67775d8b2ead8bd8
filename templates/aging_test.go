package templates

import (
	"bytes"
	"encoding/csv"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/diagsante/diagsante/diagnostic"
)

// The figures below are those of the independent recomputation from the
// raw DREES workbook (diagnostic/testdata/golden_raw.json, issue 15):
// CC Pays de Nemours APL 2023 2.667, under 65 1.972, share from GPs 65+
// 26.0 %, share ≤ 2.5 35.2 % → 88.7 % without them; Lozère 2.900 / 2.447 /
// 15.6 %; Seine-Saint-Denis 3.272 / 2.765 / 15.5 %; France 3.745 / 3.295 /
// 12.0 %, ≤ 2.5 16.6 % → 27.5 %.

// agingSection returns the "Vieillissement de l'offre" block of a page.
func agingSection(t *testing.T, page string) string {
	t.Helper()
	i := strings.Index(page, `<div class="aging" id="vieillissement">`)
	j := strings.Index(page, "<h3>Points d'attention en détail</h3>")
	if i < 0 || j < i {
		t.Fatal("no \"Vieillissement de l'offre\" block before the points of attention")
	}
	return page[i:j]
}

// renderedText renders a territory's page with its character references
// resolved (html/template writes ' as &#39; and + as &#43;), as a reader
// sees the text.
func renderedText(t *testing.T, items ...string) string {
	t.Helper()
	page, _ := renderHTML(t, items...)
	return html.UnescapeString(page)
}

// fn matches the footnote a figure may carry.
const fn = `(?:<sup class="fn">.*?</sup>)?`

func TestAgingBlockNemours(t *testing.T) {
	page := renderedText(t, "epci:200023240")
	block := agingSection(t, page)
	for _, re := range []string{
		// Key figure: 26 % of the territory's APL from GPs 65+, France 12 %.
		`<p class="card-value">26\x{a0}% <span class="card-unit">de l'accessibilité</span></p>`,
		`2022 : 16\x{a0}% \(\+9,7\x{a0}points en un an\)`,
		`<li>Seine-et-Marne \(77\) : 15\x{a0}%</li><li>Île-de-France : 16\x{a0}%</li><li>France : 12\x{a0}%` + fn + `</li>`,
		// APL without them 1,97 (with them 2,67); France 3,29 (3,74).
		`<p class="card-value">1,97 <span class="card-unit">consultation par an et par habitant</span></p>`, // below 2: singular
		`avec eux \(APL 2023 tous âges\) : 2,67`,
		`France : 3,29 \(avec eux : 3,74\)`,
		// Population at or below 2.5: 35 % today, 89 % without them.
		`<p class="card-value">89\x{a0}% <span class="card-unit">de la population</span></p>`,
		`aujourd'hui : 35\x{a0}%`,
		`France : 28\x{a0}% \(aujourd'hui : 17\x{a0}%\)`,
		// The scenario table, territory then France: APL, APL without the
		// 65+, ≤ 2.5 today and without, 2.5–4 and > 4 without.
		`(?s)<tr class="lvl-territory"><th scope="row">Territoire</th><td>2,67</td><td>1,97</td><td>35,2\x{a0}%</td><td>88,7\x{a0}%</td><td>11,3\x{a0}%</td><td>0,0\x{a0}%</td></tr>`,
		`(?s)<tr class="lvl-france"><th scope="row">France</th><td>3,74` + fn + `</td><td>3,29` + fn + `</td><td>16,6\x{a0}%` + fn + `</td><td>27,5\x{a0}%` + fn + `</td><td>45,7\x{a0}%` + fn + `</td><td>26,8\x{a0}%` + fn + `</td></tr>`,
		// The trend: 16,3 % in 2022, 26,0 % in 2023.
		`<tr class="lvl-territory"><th scope="row">Territoire</th><td>16,3\x{a0}%</td><td>26,0\x{a0}%</td><td>\+9,7\x{a0}points</td></tr>`,
		`<th scope="row">France</th><td>11,8\x{a0}%` + fn + `</td><td>12,0\x{a0}%` + fn + `</td><td>\+0,2\x{a0}points` + fn + `</td></tr>`,
	} {
		if !regexp.MustCompile(re).MatchString(block) {
			t.Errorf("block lacks %s", re)
		}
	}
	// France's figures cover the part of France the DREES publishes (no
	// Mayotte): their footnote says so, in the synthèse's notes.
	m := regexp.MustCompile(`France : 12\x{a0}%<sup class="fn"><a href="#note-synthese-(\d+)"`).FindStringSubmatch(block)
	if m == nil {
		t.Fatal("France's share carries no footnote")
	}
	if !regexp.MustCompile(`<li id="note-synthese-` + m[1] + `" value="` + m[1] + `">Calculé sur [^<]*Mayotte`).MatchString(page) {
		t.Error("France's footnote does not say that Mayotte is left out")
	}
}

func TestAgingBlockComparisons(t *testing.T) {
	for _, tc := range []struct {
		items             []string
		share, apl, aplU  string // card (share 0 decimals) and table (APL)
		share1, low, lowU string // trend table 2023, scenario table
	}{
		{[]string{"dep:48"}, "16", "2,90", "2,45", "15,6", "42,2", "48,6"},
		{[]string{"dep:93"}, "16", "3,27", "2,76", "15,5", "12,6", "29,4"},
	} {
		t.Run(tc.items[0], func(t *testing.T) {
			page := renderedText(t, tc.items...)
			block := agingSection(t, page)
			for _, re := range []string{
				`<p class="card-value">` + tc.share + `\x{a0}% <span class="card-unit">de l'accessibilité</span>`,
				`<li>France : 12\x{a0}%` + fn + `</li>`,
				`<tr class="lvl-territory"><th scope="row">Territoire</th><td>` + tc.apl + `</td><td>` + tc.aplU + `</td><td>` + tc.low + `\x{a0}%</td><td>` + tc.lowU + `\x{a0}%</td>`,
				`<tr class="lvl-territory"><th scope="row">Territoire</th><td>[0-9,]+\x{a0}%</td><td>` + tc.share1 + `\x{a0}%</td>`,
			} {
				if !regexp.MustCompile(re).MatchString(block) {
					t.Errorf("block lacks %s", re)
				}
			}
		})
	}
}

// TestAgingWording checks the words: the GPs aged 65 and over are named
// "médecins généralistes de 65 ans et plus" wherever the renderers speak
// of them, the method quotes both DREES wordings, and the press and
// C@rtoSanté figures are told apart.
func TestAgingWording(t *testing.T) {
	page := renderedText(t, "epci:200023240")
	// The points of attention and the limits are diagnostic's sentences,
	// not the renderers'.
	body := regexp.MustCompile(`(?s)<ul class="findings">.*?</ul>|<ol class="levers">.*?</ol>|<h3>Limites</h3>\s*<ul>.*?</ul>|<script.*?</script>`).ReplaceAllString(page, "")
	allowed := regexp.MustCompile(`(?i:médecins généralistes de(?: moins de)? |aux moins de |des moins de |médecins âgés de |médecins qui ont )65 ans$`)
	for _, loc := range regexp.MustCompile(`65 ans`).FindAllStringIndex(body, -1) {
		from := max(0, loc[0]-40)
		if !allowed.MatchString(body[from:loc[1]]) {
			t.Errorf("\"65 ans\" not named as agreed: …%s…", body[from:min(len(body), loc[1]+20)])
		}
	}
	for _, want := range []string{
		// Both DREES wordings, quoted in the method section.
		"colonne intitulée « APL aux médecins généralistes de moins de 65 ans »",
		"note de lecture décrit comme l'accessibilité aux « médecins âgés de 65 ans ou moins »",
		"nomme le complément « médecins généralistes de 65 ans et plus »",
		"pas une part des médecins",
		// Which APL is which, next to the figures a reader compares.
		"« 3,3 consultations par an et par habitant en 2023, −1,4 % depuis 2022 » (publication du 20 décembre 2024), est l'APL aux médecins généralistes de moins de 65 ans (dans ce rapport, France : 3,29 en 2023, −1,4\u00a0% depuis 2022)",
		"C@rtoSanté affiche l'APL tous âges",
		"Paris 1er : 6,5",
		"APL 2022 : 2,79 · tous âges, comme C@rtoSanté",
		"APL tous âges : celle qu'affiche C@rtoSanté",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if i, j := strings.Index(page, `<section id="methodologie">`), strings.Index(page, "« médecins âgés de 65 ans ou moins »"); i < 0 || j < i {
		t.Error("the DREES reading note is not quoted in the method section")
	}
}

func TestShare65Map(t *testing.T) {
	page, _ := renderHTML(t, "dep:48")
	_, charts := pageData(t, page)
	var spec *chartSpec
	for i := range charts {
		if charts[i].ID == "carte-65-plus" {
			spec = &charts[i]
		}
	}
	if spec == nil {
		t.Fatal("no carte-65-plus chart")
	}
	if !strings.Contains(page, `<div class="chart" id="carte-65-plus"`) {
		t.Error("no container for carte-65-plus")
	}
	if g := spec.Option["geo"].(map[string]any); g["map"] != "territoire" || g["roam"] != false {
		t.Errorf("geo = %v", g)
	}
	data := spec.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
	if len(data) != 152 {
		t.Fatalf("%d communes on the map, want the 152 of Lozère", len(data))
	}
	byCode := map[string]map[string]any{}
	for _, d := range data {
		m := d.(map[string]any)
		byCode[m["name"].(string)] = m
	}
	// Mende: APL 3.834, 3.585 under 65: 6.49 %, shown and coloured as
	// 6 % (whole percents, as its tooltip). Meyrueis: 4.499, 0 under 65:
	// all of it. Arzenc-de-Randon: APL 0, the share is not defined.
	for code, want := range map[string]any{"48095": 6.0, "48096": 100.0, "48008": "-"} {
		if got := byCode[code]["value"]; got != want {
			t.Errorf("%s: value %v, want %v", code, got, want)
		}
	}
	if tip := byCode["48008"]["tip"].(string); !strings.Contains(tip, "non définie (APL nulle)") {
		t.Errorf("Arzenc-de-Randon tooltip = %q", tip)
	}
	if tip := byCode["48095"]["tip"].(string); !strings.Contains(tip, "Part de l'APL 2023 assurée par les médecins généralistes de 65 ans et plus : 6\u00a0%") ||
		!strings.Contains(tip, "APL 2023 tous âges : 3,83") || !strings.Contains(tip, "APL 2023 aux médecins généralistes de moins de 65 ans : ") {
		t.Errorf("Mende tooltip = %q", tip)
	}
	pieces := spec.Option["visualMap"].([]any)[0].(map[string]any)["pieces"].([]any)
	if len(pieces) != 5 || pieces[0].(map[string]any)["gte"] != 0.0 || pieces[4].(map[string]any)["gte"] != 50.0 {
		t.Errorf("pieces = %v", pieces)
	}
}

func TestAgingWorkbook(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "epci:200023240")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Indicateurs: numbers with their formats, territory (B) and France (E).
	for _, tc := range []struct {
		label, terr, france, format string
	}{
		{"Part de l'APL 2023 assurée par les médecins généralistes de 65 ans et plus (%)", "0.2604051", "0.1201439", "0.0%"},
		{"Part de l'APL 2022 assurée par les médecins généralistes de 65 ans et plus (%)", "0.1632974", "0.1178770", "0.0%"},
		{"Évolution 2022 → 2023 de la part assurée par les médecins généralistes de 65 ans et plus (points)", "9.710", "0.226", "#,##0.0"},
		{"APL 2023 aux médecins généralistes de moins de 65 ans (consultations/an/hab.)", "1.972221", "3.294685", "#,##0.00"},
		{"APL 2022 aux médecins généralistes de moins de 65 ans (consultations/an/hab.)", "2.336827", "3.342325", "#,##0.00"},
		{"Sans les médecins généralistes de 65 ans et plus : population en commune d'APL ≤ 2,5 (%)", "0.886903", "0.275046", "0.0%"},
		{"Sans les médecins généralistes de 65 ans et plus : population en commune d'APL de 2,5 à 4 (%)", "0.113096", "0.456661", "0.0%"},
		{"Sans les médecins généralistes de 65 ans et plus : population en commune d'APL > 4 (%)", "0", "0.268292", "0.0%"},
	} {
		row := findRow(t, f, SheetIndicators, tc.label)
		assertNumberPrefix(t, f, SheetIndicators, cell(2, row), tc.terr, tc.format)
		assertNumberPrefix(t, f, SheetIndicators, cell(5, row), tc.france, tc.format)
	}
	// The reading lines under the table say which APL is which.
	rows, _ := f.GetRows(SheetIndicators)
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, " ") + "\n")
	}
	for _, want := range []string{"les APL de ce classeur sont tous âges (comme C@rtoSanté)", "« 3,3 consultations par an et par habitant en 2023, −1,4 % depuis 2022 »"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("Indicateurs lacks %q", want)
		}
	}

	// Communes: Nemours (77333) APL 2.647, 1.959 under 65, share 26.0 %.
	header, _ := f.GetRows(SheetCommunes)
	col := func(name string) int {
		for i, h := range header[0] {
			if h == name {
				return i + 1
			}
		}
		t.Fatalf("Communes: no column %q", name)
		return 0
	}
	nemours := findRow(t, f, SheetCommunes, "77333")
	assertNumberPrefix(t, f, SheetCommunes, cell(col("APL 2023 aux médecins généralistes de moins de 65 ans (consultations/an/hab.)"), nemours), "1.959", "#,##0.00")
	assertNumberPrefix(t, f, SheetCommunes, cell(col("Part de l'APL 2023 assurée par les médecins généralistes de 65 ans et plus (%)"), nemours), "0.259916", "0.0%")
	if c := col("APL 2022 aux médecins généralistes de moins de 65 ans (consultations/an/hab.)"); c != 14 {
		t.Errorf("APL 2022 under 65 in column %d", c)
	}

	// Accessibilité: the scenario's class shares.
	acc, _ := f.GetRows(SheetAccess)
	if h := acc[0]; len(h) < 13 || h[11] != "Sans les médecins généralistes de 65 ans et plus : population en commune d'APL > 4 (%)" || h[12] != "Notes" {
		t.Errorf("Accessibilité headers = %q", h)
	}
	assertNumberPrefix(t, f, SheetAccess, "J2", "0.886903", "0.0%")
	assertNumberPrefix(t, f, SheetAccess, "K2", "0.113096", "0.0%")
}

// TestAgingWorkbookUndefined: a commune whose APL is 0 has no share from
// GPs 65+: n.d. with a note that says why, never 0.
func TestAgingWorkbookUndefined(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeWorkbook(t, "dep:48")))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header, _ := f.GetRows(SheetCommunes)
	share := 0
	for i, h := range header[0] {
		if h == "Part de l'APL 2023 assurée par les médecins généralistes de 65 ans et plus (%)" {
			share = i + 1
		}
	}
	row := findRow(t, f, SheetCommunes, "48008")
	if v, _ := f.GetCellValue(SheetCommunes, cell(share, row)); v != "n.d." {
		t.Errorf("Arzenc-de-Randon share = %q, want n.d.", v)
	}
	comments, err := f.GetComments(SheetCommunes)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range comments {
		if c.Cell == cell(share, row) {
			for _, p := range c.Paragraph {
				found = found || strings.Contains(p.Text, "Part non définie : l'APL publiée par la DREES est nulle")
			}
		}
	}
	if !found {
		t.Error("Arzenc-de-Randon's n.d. share has no note saying the APL is 0")
	}
	assertNumberPrefix(t, f, SheetCommunes, cell(share, findRow(t, f, SheetCommunes, "48096")), "1", "0.0%")
}

func TestAgingCSV(t *testing.T) {
	rep, _ := testReport(t, "dep:48")
	var buf bytes.Buffer
	if err := WriteCSV(&buf, rep, CSVEnglish); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(&buf)
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[h] = i
	}
	for _, c := range []string{"apl_under65_2023", "apl_under65_2022", "share_from_65_plus"} {
		if _, ok := idx[c]; !ok {
			t.Fatalf("CSV lacks column %s", c)
		}
	}
	rows := map[string][]string{}
	for _, r := range recs[1:] {
		rows[r[0]] = r
	}
	if r := rows["48095"]; r[idx["apl_under65_2023"]] != "3.585" || !strings.HasPrefix(r[idx["share_from_65_plus"]], "0.06494") {
		t.Errorf("Mende: under 65 %q, share %q", r[idx["apl_under65_2023"]], r[idx["share_from_65_plus"]])
	}
	if r := rows["48008"]; r[idx["apl_2023"]] != "0" || r[idx["share_from_65_plus"]] != "" {
		t.Errorf("Arzenc-de-Randon: APL %q, share %q (want 0 and empty)", r[idx["apl_2023"]], r[idx["share_from_65_plus"]])
	}
	if r := rows["48095"]; r[idx["apl_under65_2022"]] == "" {
		t.Error("Mende: apl_under65_2022 empty")
	}
}

// assertNumberPrefix checks that a cell holds a number whose raw value
// starts with prefix, in the given custom format.
func assertNumberPrefix(t *testing.T, f *excelize.File, sheet, ref, prefix, format string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("%s!%s has type %v, want a number", sheet, ref, typ)
	}
	v, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	if !strings.HasPrefix(v, prefix) {
		t.Errorf("%s!%s = %q, want %s…", sheet, ref, v, prefix)
	}
	id, _ := f.GetCellStyle(sheet, ref)
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil || *st.CustomNumFmt != format {
		t.Errorf("%s!%s format = %v, want %q", sheet, ref, st.CustomNumFmt, format)
	}
}

// TestAgingTones: the share of the APL from GPs of 65 and over turns red
// from 10 points above France's and orange from 5; the share of the
// population in a commune of APL ≤ 2,5 without them turns red when it
// rises 20 points or more over today's. Nemours (26,0 % against France's
// 12,0 %; 35,2 % → 88,7 %) is red on both.
func TestAgingTones(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	v := agingBlock(r, newNotebook())
	if v.ShareTone != "low" || v.LowTone != "low" {
		t.Errorf("Nemours tones: share %q, low share %q; want low, low", v.ShareTone, v.LowTone)
	}
	fr := *levelKind(r, "france").ShareFrom65Plus
	for _, tc := range []struct {
		share float64
		tone  string
	}{{fr + 0.10, "low"}, {fr + 0.0999, "middle"}, {fr + 0.05, "middle"}, {fr + 0.0499, ""}} {
		r2 := *r
		r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
		s := tc.share
		r2.Levels[0].Figures.ShareFrom65Plus = &s
		if got := agingBlock(&r2, newNotebook()).ShareTone; got != tc.tone {
			t.Errorf("share %.4f (France %.4f): tone %q, want %q", tc.share, fr, got, tc.tone)
		}
	}
	for _, tc := range []struct {
		low, lowU65 float64
		tone        string
	}{{0.25, 0.45, "low"}, {0.25, 0.4499, ""}, {0.5, 0.3, ""}} {
		r2 := *r
		r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
		a, b := tc.low, tc.lowU65
		r2.Levels[0].Figures.ShareLow, r2.Levels[0].Figures.ShareLowUnder65 = &a, &b
		if got := agingBlock(&r2, newNotebook()).LowTone; got != tc.tone {
			t.Errorf("low share %v → %v without the 65+: tone %q, want %q", a, b, got, tc.tone)
		}
	}
}

// TestPressNoteFrance: the press note of the CC Pays de Nemours quotes
// France's APL to GPs under 65 (3,29 in 2023, −1,4 % since 2022, as the
// DREES headline) and France's all-ages APL (3,74); a France APL of 0 in
// 2022 gives no change rather than an infinite one.
func TestPressNoteFrance(t *testing.T) {
	r, _ := testReport(t, "epci:200023240")
	note := pressNote(r)
	for _, want := range []string{"(dans ce rapport, France : 3,29 en 2023, −1,4\u00a0% depuis 2022)", "(par exemple Paris 1er : 6,5 ; France : 3,74 dans ce rapport)."} {
		if !strings.Contains(note, want) {
			t.Errorf("press note lacks %q:\n%s", want, note)
		}
	}
	r2 := *r
	r2.Levels = append([]diagnostic.Level(nil), r.Levels...)
	fr := &r2.Levels[len(r2.Levels)-1]
	if fr.Kind != "france" {
		t.Fatalf("last level %s", fr.Kind)
	}
	zero := 0.0
	fr.APLUnder65_2022 = &zero
	if note := pressNote(&r2); !strings.Contains(note, "(dans ce rapport, France : 3,29)") {
		t.Errorf("press note with a 2022 APL of 0:\n%s", note)
	}
}

// TestSignedChanges: a rise has its plus sign, a fall its minus, and a
// change that rounds to zero none.
func TestSignedChanges(t *testing.T) {
	for v, want := range map[float64]string{0.02: "+2,0\u00a0%", 0.0004: "0,0\u00a0%", -0.014: "−1,4\u00a0%", 0: "0,0\u00a0%"} {
		if got := signedPct(v); got != want {
			t.Errorf("signedPct(%v) = %q, want %q", v, got, want)
		}
	}
	for d, want := range map[float64]string{0.097: "+9,7\u00a0points", 0.0004: "0,0\u00a0points", -0.031: "−3,1\u00a0points"} {
		if got := signedPoints(d); got != want {
			t.Errorf("signedPoints(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestTrendFigMissingYear: the 2022–2023 trend of a level whose 2022
// share is missing is n.d. with the reason of the 2022 gap; when 2023 is
// missing, with the reason of the 2023 gap.
func TestTrendFigMissingYear(t *testing.T) {
	share := 0.3
	gaps := []diagnostic.Gap{{Field: "share_from_65_plus", Status: diagnostic.GapUnknown, Reason: "APL 2023 non publiée"},
		{Field: "share_from_65_plus_2022", Status: diagnostic.GapUnknown, Reason: "APL 2022 non publiée"}}
	for _, tc := range []struct {
		f    diagnostic.Figures
		want string
	}{
		{diagnostic.Figures{ShareFrom65Plus: &share, Gaps: gaps}, "APL 2022 non publiée"},
		{diagnostic.Figures{ShareFrom65Plus2022: &share, Gaps: gaps}, "APL 2023 non publiée"},
	} {
		nb := newNotebook()
		f := trendFig(nb, secSynthese, tc.f)
		notes := nb.section(secSynthese)
		if f.Text != NA || len(f.Notes) != 1 || len(notes) != 1 || notes[0].Text != tc.want {
			t.Errorf("trend %q notes %v (%v), want %s with %q", f.Text, f.Notes, notes, NA, tc.want)
		}
	}
}
