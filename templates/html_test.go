package templates

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

func TestNum(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{
		{29583, 0, "29\u00a0583"},
		{2.667382, 2, "2,67"},
		{68952941, 0, "68\u00a0952\u00a0941"},
		{999, 0, "999"},
		{1000, 1, "1\u00a0000,0"},
		{-1234.5, 1, "−1\u00a0234,5"},
		{-0.001, 1, "0,0"},
		{0, 2, "0,00"},
	} {
		if got := Num(tc.v, tc.prec); got != tc.want {
			t.Errorf("Num(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
	if got := NumP(nil, 2); got != "n.d." {
		t.Errorf("NumP(nil) = %q, want n.d.", got)
	}
	if got := PctP(nil, 1); got != "n.d." {
		t.Errorf("PctP(nil) = %q, want n.d.", got)
	}
	if got := Pct(0.35157, 1); got != "35,2\u00a0%" {
		t.Errorf("Pct = %q", got)
	}
}

func renderHTML(t *testing.T, items ...string) (string, *bytes.Buffer) {
	t.Helper()
	rep, contours := testReport(t, items...)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	return buf.String(), &buf
}

// pageData decodes the JSON the page's script reads.
func pageData(t *testing.T, page string) (geo struct {
	Features []struct {
		Properties map[string]string `json:"properties"`
	} `json:"features"`
}, charts []chartSpec) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script type="application/json" id="diag-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data script in the page")
	}
	var d struct {
		Geo    json.RawMessage `json:"geo"`
		Charts []chartSpec     `json:"charts"`
	}
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("page data: %v", err)
	}
	if err := json.Unmarshal(d.Geo, &geo); err != nil {
		t.Fatalf("page geo: %v", err)
	}
	return geo, d.Charts
}

func TestWriteHTMLNemours(t *testing.T) {
	rep, contours := testReport(t, "epci:200023240")
	withoutAccess(rep)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		"<title>Diagnostic territorial d'accès aux soins — CC Pays de Nemours</title>",
		"1. Synthèse", "2. Territoire et population", "3. Démographie des professionnels de santé", "4. Accessibilité",
		"5. Offre de soins structurée", "6. Méthodologie et sources",
		"29\u00a0583",                 // population, French thousands separator
		">2,67 <",                     // APL 2023 of the territory, decimal comma
		"Nemours</th>",                // a commune of the table
		"MSP NEMOURS",                 // a structure of the list
		"Temps d'accès : non calculé", // Access not filled
		"Leviers mobilisables", "Pourquoi :",
		"arrêté du 13 novembre 2017",
		"Licence Ouverte",
		"@media print", "break-before: page",
		`<meta name="viewport"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Offline: no resource is fetched from anywhere.
	for _, bad := range []string{`src="http`, `href="http`, `<link rel="stylesheet"`, "cdn.jsdelivr", "assets.pyecharts"} {
		if strings.Contains(page, bad) {
			t.Errorf("page refers to an external resource: %q", bad)
		}
	}
	if !strings.Contains(page, "echarts.registerMap") || !strings.Contains(page, "Apache Software Foundation") {
		t.Error("the echarts library or the map registration is not inlined")
	}
	// The territory's share of 75+ is not published: n.d., never 0.
	if !regexp.MustCompile(`(?s)lvl-territory"><th scope="row">Territoire</th><td>21</td><td>29\x{a0}583</td><td>1,01</td><td>n\.d\.<sup class="fn"><a href="#note-territoire-\d+" aria-label="note \d+">\d+</a></sup></td>`).MatchString(page) {
		t.Error("territory row of the population table is not as expected (n.d. for the 75+ share)")
	}
	geo, charts := pageData(t, page)
	if len(geo.Features) != 21 {
		t.Errorf("map has %d communes, want the 21 of the EPCI", len(geo.Features))
	}
	if geo.Features[0].Properties["name"] != "77003" {
		t.Errorf("first feature is %v, want 77003 (sorted by code)", geo.Features[0].Properties)
	}
	var ids []string
	for _, c := range charts {
		ids = append(ids, c.ID)
		if !strings.Contains(page, `id="`+c.ID+`"`) {
			t.Errorf("chart %s has no container", c.ID)
		}
	}
	if got, want := strings.Join(ids, ","), "carte,apl-niveaux,densite-mg,classes-apl,apl-communes,carte-65-plus,professions,structures-niveaux"; got != want {
		t.Errorf("charts = %s, want %s", got, want)
	}
	// The map: visualMap pieces at the thresholds, and the markers.
	vm := charts[0].Option["visualMap"].([]any)[0].(map[string]any)
	pieces := vm["pieces"].([]any)
	if p := pieces[0].(map[string]any); p["lte"] != 2.5 || !strings.Contains(p["label"].(string), "2,5") {
		t.Errorf("first piece = %v", p)
	}
	if p := pieces[1].(map[string]any); p["gt"] != 2.5 || p["lte"] != 4.0 {
		t.Errorf("second piece = %v", p)
	}
	series := charts[0].Option["series"].([]any)
	if s := series[0].(map[string]any); s["type"] != "map" || s["geoIndex"] != 0.0 {
		t.Errorf("first map series = %v", s["type"])
	}
	var markers []string
	for _, s := range series[1:] {
		markers = append(markers, s.(map[string]any)["name"].(string))
	}
	// The markers, then the communes' names (maplabels.go).
	if got := strings.Join(markers, ","); got != "Maisons de santé (MSP),Hôpitaux et urgences,Noms des communes" {
		t.Errorf("marker series = %s", got)
	}
}

func TestWriteHTMLAccess(t *testing.T) {
	rep, contours := testReport(t, "epci:200023240")
	withAccess(rep)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if strings.Contains(page, "non calculé") {
		t.Error("page says non calculé although Access is filled")
	}
	for _, want := range []string{`id="acces-temps"`, "<td>17,3</td>", "<td>41,2\u00a0%</td>", "16,4\u00a0min</span> <span class=\"km\">(12,3\u00a0km)</span><br><span class=\"src\">CH DE NEMOURS</span>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestWriteHTMLDeterministic(t *testing.T) {
	_, a := renderHTML(t, "dep:48")
	_, b := renderHTML(t, "dep:48")
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two renderings of the same report differ")
	}
	// Long territories switch the commune chart to vertical bars without names.
	_, charts := pageData(t, a.String())
	for _, c := range charts {
		if c.ID != "apl-communes" {
			continue
		}
		x := c.Option["xAxis"].([]any)[0].(map[string]any)
		if x["axisLabel"].(map[string]any)["show"] != false || len(x["data"].([]any)) != 152 {
			t.Errorf("apl-communes of Lozère: x axis %v, want 152 communes without labels", x["axisLabel"])
		}
	}
}

// injected is a dataset string trying every way out of its context.
const injected = `<script>alert(1)</script>"'><img src=x onerror=alert(2)> & </script><!--`

func TestWriteHTMLInjection(t *testing.T) {
	rep, contours := testReport(t, "epci:200023240")
	injectReport(rep)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, contours); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, bad := range []string{"<script>alert(1)", "<img src=x", "<!--"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains raw %q", bad)
		}
	}
	// Exactly our three scripts: the data, echarts, the page script.
	if n := strings.Count(page, "<script"); n != 3 {
		t.Errorf("page has %d <script tags, want 3", n)
	}
	if n := strings.Count(page, "</script>"); n != 3 {
		t.Errorf("page has %d </script> tags, want 3", n)
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img") {
		t.Error("the injected name is not shown escaped in the tables")
	}
	// The page still renders: the data decodes and carries the name intact.
	_, charts := pageData(t, page)
	if len(charts) == 0 {
		t.Fatal("no chart")
	}
	b, _ := json.Marshal(charts)
	if !strings.Contains(string(b), `\u003cscript\u003ealert(1)`) {
		t.Error("chart data lost the (escaped) injected name")
	}
}

// injectReport puts the injected string in every kind of dataset string
// the page shows: title, commune, structure, CPTS, finding, lever, source.
func injectReport(r *diagnostic.Report) {
	r.Title = "Titre " + injected
	r.Territory.Label = injected
	r.Communes[0].Name = injected
	r.Communes[1].EPCIName = injected
	r.Structures[0].Name = injected
	r.Structures[0].Address = injected
	r.Structures[0].CommuneName = injected
	r.Attention = append(r.Attention, diagnostic.Finding{Key: "x", Severity: "alerte", Title: injected, Detail: injected})
	r.Levers[0].Why = append(r.Levers[0].Why, injected)
	r.Sources[0].Title = injected
	r.Limits = append(r.Limits, injected)
	r.Professions[0].Label = injected
	r.Levels[1].Name = injected
	r.CPTS = append(r.CPTS, diagnostic.CPTSInfo{Name: injected, SeatOnly: true})
}

// Without contours (a territory whose département has none) the page still
// renders, says so, and keeps every table.
func TestWriteHTMLWithoutContours(t *testing.T) {
	rep, _ := testReport(t, "epci:200023240")
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep, nil); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	geo, charts := pageData(t, page)
	if len(geo.Features) != 0 || len(charts) == 0 {
		t.Errorf("%d features, %d charts", len(geo.Features), len(charts))
	}
	if !strings.Contains(page, "21 communes n'ont pas de contour et ne figurent pas sur la carte") || !strings.Contains(page, "Carte non disponible") {
		t.Error("the page does not say that the map is missing")
	}
	if !strings.Contains(page, "Nemours</th>") {
		t.Error("communes table missing")
	}
}

// TestWriteHTMLTerritoryRemarks: the report lists the resolver's warnings
// in French under "Remarques sur le territoire", never the English ones
// the terminal shows; a territory without any has no such list.
func TestWriteHTMLTerritoryRemarks(t *testing.T) {
	page, _ := renderHTML(t, "cpts:La Seyne Toulon")
	want := "<h3>Remarques sur le territoire</h3>\n<ul>\n  <li>CPTS La Seyne Toulon ouest ne couvre qu&#39;une partie de Toulon (83137), partagée avec d&#39;autres CPTS : toute la commune est comptée.</li>\n</ul>"
	if !strings.Contains(page, want) {
		i := strings.Index(page, "Remarques sur le territoire")
		t.Errorf("remarks block not found; around it: %q", page[max(i, 0):min(max(i, 0)+400, len(page))])
	}
	if strings.Contains(page, "covers only part") {
		t.Error("the English warning is in the report")
	}
	if page, _ := renderHTML(t, "epci:200023240"); strings.Contains(page, "Remarques sur le territoire") {
		t.Error("remarks block for a territory without warnings")
	}
}
