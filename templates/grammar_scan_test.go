package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/diagnostic"
)

// The grammar scan writes the reports of every département and every
// EPCI in full (HTML page, chart data) and, for a stratified sample of
// communes, the report model and the page's view, and looks in every
// French text for the errors issue 12 lists: a count that disagrees with
// its noun ("1 communes", "2 commune"), "(s)", a wrong article or elision
// ("de le", "de Ain", "que Occitanie"), doubled spaces and a space before
// a comma or a full stop.

// grammarRules are the errors searched for, each with the pattern that
// finds it in a text.
var grammarRules = []struct {
	name string
	re   *regexp.Regexp
}{
	{"(s)", regexp.MustCompile(`\((s|es|x)\)`)},
	{"1 + plural", regexp.MustCompile(`(?:^|[^\d\x{a0},.])[01] (communes|habitants|structures|départements|médecins|sièges|passages|accouchements|lignes|autres|sources|consultations|CPTS touchent|questions)\b`)},
	{"decimal < 2 + plural", regexp.MustCompile(`(?:^|[^\d\x{a0},.])[01],\d+ (consultations|médecins)\b`)},
	{"n ≥ 2 + singular", regexp.MustCompile(`(?:^|[^\d\x{a0},.])([2-9]|[1-9][\d\x{a0}]*\d) (commune|habitant|structure|département|siège|passage|accouchement|ligne|source|consultation)(?:[ ,.;:)]|$)`)},
	{"de/à + le/les", regexp.MustCompile(`\b(de|à|De|À) (le|les|Le|Les) `)},
	{"no elision before a vowel", regexp.MustCompile(`(?:^|[\s(«])(de|que|De|Que) [AEIOUÀÂÉÈÊËÎÏÔÖÙÛÜ]`)},
	{"doubled space", regexp.MustCompile(`\S  +\S`)},
	{"space before , or .", regexp.MustCompile(`\S [,.](?:\s|$)`)},
}

// grammarErrors returns the errors of one text, each with its context.
func grammarErrors(text string) []string {
	var out []string
	for _, r := range grammarRules {
		for _, loc := range r.re.FindAllStringIndex(text, 3) {
			from, to := max(0, loc[0]-50), min(len(text), loc[1]+50)
			for from > 0 && !utf8Start(text[from]) {
				from--
			}
			for to < len(text) && !utf8Start(text[to]) {
				to++
			}
			out = append(out, r.name+": …"+text[from:to]+"…")
		}
	}
	return out
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

var (
	scriptRE = regexp.MustCompile(`(?s)<script[^>]*>.*?</script>|<style[^>]*>.*?</style>`)
	tagRE    = regexp.MustCompile(`<[^>]*>`)
	dataRE   = regexp.MustCompile(`(?s)<script type="application/json" id="diag-data">(.*?)</script>`)
)

// pageTexts returns the visible texts of a page, one per line of its
// source (leading indentation dropped), and every string of its chart
// data (titles, labels, tooltips) with tags removed.
func pageTexts(page string) []string {
	var out []string
	if m := dataRE.FindStringSubmatch(page); m != nil {
		var data any
		if err := json.Unmarshal([]byte(m[1]), &data); err == nil {
			jsonStrings(data, func(s string) {
				out = append(out, html.UnescapeString(tagRE.ReplaceAllString(strings.ReplaceAll(s, "<br>", " — "), "")))
			})
		}
	}
	body := scriptRE.ReplaceAllString(page, "")
	for _, line := range strings.Split(body, "\n") {
		t := strings.TrimSpace(collapseTagSpace(line))
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// collapseTagSpace reads a line with its tags removed as a browser shows
// it: a block tag (cell, item, paragraph, line break) separates words, an
// inline tag (link, emphasis) does not, a footnote call is dropped. Spaces
// the source itself doubles are kept, to be found.
func collapseTagSpace(src string) string {
	src = fnRE.ReplaceAllString(src, "")
	src = tagRE.ReplaceAllStringFunc(src, func(tag string) string {
		name := strings.ToLower(strings.TrimLeft(strings.Fields(strings.Trim(tag, "<>/"))[0], "/"))
		switch name {
		case "a", "span", "strong", "em", "b", "i", "code", "abbr", "sup", "sub", "small":
			return ""
		}
		return " \x00"
	})
	src = html.UnescapeString(src)
	// A block boundary is one space, whatever the source put around it.
	return blockRE.ReplaceAllString(src, " ")
}

var (
	fnRE    = regexp.MustCompile(`(?s)<sup class="fn">.*?</sup>`)
	blockRE = regexp.MustCompile(`(?:\s*\x00)+\s*`)
)

func jsonStrings(v any, f func(string)) {
	switch x := v.(type) {
	case string:
		f(x)
	case []any:
		for _, e := range x {
			jsonStrings(e, f)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if k == "geo" || k == "color" || k == "formatter" {
				continue
			}
			jsonStrings(x[k], f)
		}
	}
}

// modelTexts are the sentences of a report model: findings, levers,
// limits, gaps, structure details, CPTS, warnings.
func modelTexts(r *diagnostic.Report) []string {
	var out []string
	for _, f := range r.Attention {
		out = append(out, f.Title, f.Detail)
	}
	for _, l := range r.Levers {
		out = append(out, l.Title, l.What)
		out = append(out, l.Why...)
	}
	out = append(out, r.Limits...)
	out = append(out, r.Territory.Warnings...)
	for _, l := range r.Levels {
		for _, g := range l.Gaps {
			out = append(out, g.Reason)
		}
	}
	for _, c := range r.Communes {
		for _, g := range c.Gaps {
			out = append(out, g.Reason)
		}
	}
	for _, s := range r.Structures {
		out = append(out, s.Detail)
	}
	return out
}

// scanner gathers the errors found, a few examples per rule and place.
type scanner struct {
	n      int
	errors map[string][]string
}

func (s *scanner) scan(where string, texts []string) {
	seen := map[string]bool{}
	for _, t := range texts {
		if seen[t] {
			continue
		}
		seen[t] = true
		s.n++
		for _, e := range grammarErrors(t) {
			rule, _, _ := strings.Cut(e, ":")
			if len(s.errors[rule]) < 8 {
				s.errors[rule] = append(s.errors[rule], where+" — "+e)
			}
		}
	}
}

func (s *scanner) report(t *testing.T) {
	var rules []string
	for r := range s.errors {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		t.Errorf("%s:\n  %s", r, strings.Join(s.errors[r], "\n  "))
	}
}

// TestGrammarRules: the scan finds what it is meant to find, and nothing
// in correct French.
func TestGrammarRules(t *testing.T) {
	for _, bad := range []string{"1 communes du territoire", "2 commune", "12 commune.", "3 siège(s)", "1 CPTS touchent le territoire",
		"des habitants de le Var", "non disponible pour de Ain", "la source ne couvre que Occitanie", "urgences  ; 12 passages",
		"1,80 consultations par an", "les communes , dont", "0 habitants", "1 234 commune du territoire"} {
		if len(grammarErrors(bad)) == 0 {
			t.Errorf("no error found in %q", bad)
		}
	}
	for _, good := range []string{"1 commune", "21 communes", "1\u00a0234 communes", "10\u00a0000 habitants", "2,51 consultations",
		"1,80 consultation", "des habitants du Var", "de l'Ain", "d'Eure-et-Loir", "de La Réunion", "qu'Occitanie", "35\u00a0% de la population",
		"APL 2023 : 2,50 — Population : 1\u00a0201 hab.", "Paris 1er : 6,5", "les seuils de 2,5 et 4", "données au 08/01/2021."} {
		if errs := grammarErrors(good); len(errs) > 0 {
			t.Errorf("errors found in correct French %q: %v", good, errs)
		}
	}
}

// TestGrammarScan writes the report of a stratified sample of
// départements (every COG typeLiaison, overseas, Corsica, Paris and the
// summary form), of every 25th EPCI and of every 120th commune (plus
// communes named with an article), and scans every text: the page, its
// chart data and the report model. Building a département's report takes
// about 0.7 s: DIAGSANTE_FULL_SCAN=1 scans every commune too, and all 101 départements and all
// EPCI (about 6 minutes on 2 cores). diagnostic's TestPlaceNamesInSentences
// covers every département, région and commune name cheaply.
func TestGrammarScan(t *testing.T) {
	testReport(t, "77333") // loads the engine
	full := os.Getenv("DIAGSANTE_FULL_SCAN") != ""
	start := time.Now()
	s := &scanner{errors: map[string][]string{}}
	page := func(where string, r *diagnostic.Report) {
		var buf bytes.Buffer
		o := HTMLOptions{}
		if Summarised(r) {
			o.Parts = DepartementParts(r, testEngine)
		}
		if err := WriteHTMLWith(&buf, r, o); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		s.scan(where, pageTexts(buf.String()))
		s.scan(where, modelTexts(r))
	}
	res := diagnostic.NewResolver(testSnap)
	build := func(item string) *diagnostic.Report {
		terr, err := res.Resolve(item)
		if err != nil {
			t.Fatalf("%s: %v", item, err)
		}
		return testEngine.Build(terr, "")
	}
	sample := map[string]bool{"83": true, "48": true, "13": true, "01": true, "28": true, "75": true, "974": true, "2A": true, "93": true, "971": true, "976": true, "77": true}
	deps := 0
	for _, d := range testSnap.Departements {
		if !full && !sample[d.Code] {
			continue
		}
		r := build("dep:" + d.Code)
		if len(r.Communes) == 0 {
			continue
		}
		page("dep:"+d.Code, r)
		deps++
	}
	page("reg:93", build("reg:93")) // the summary form
	tDeps := time.Since(start)
	epcis := 0
	for i, e := range testSnap.EPCIs {
		if !full && i%25 != 0 {
			continue
		}
		page("epci:"+e.Siren, build("epci:"+e.Siren))
		epcis++
	}
	tEPCI := time.Since(start) - tDeps
	communes := 0
	for i, c := range testSnap.Communes {
		article := strings.HasPrefix(c.Name, "Le ") || strings.HasPrefix(c.Name, "Les ") || strings.HasPrefix(c.Name, "L'")
		if !full && i%120 != 0 && !(article && i%20 == 0) {
			continue
		}
		r := build(c.Code)
		s.scan(c.Code, modelTexts(r))
		v, err := newView(r, nil, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.scan(c.Code, viewTexts(v))
		communes++
	}
	if deps < len(sample) || communes < 300 {
		t.Errorf("scanned %d départements, %d communes", deps, communes)
	}
	t.Logf("scanned %d texts: %d départements and a région (%v), %d EPCI (%v), %d communes (%v)", s.n, deps, tDeps.Round(time.Millisecond),
		epcis, tEPCI.Round(time.Millisecond), communes, (time.Since(start) - tDeps - tEPCI).Round(time.Millisecond))
	s.report(t)
}

func startsVowel(s string) bool {
	return s != "" && strings.ContainsRune("AEIOUYÀÂÉÈÊËÎÏÔÖÙÛÜ", []rune(s)[0])
}

// viewTexts are the sentences of a page's view that do not come from the
// model: cards, notes, coverage, places.
func viewTexts(v *view) []string {
	out := []string{v.Places, v.AllAges, v.Method65}
	for _, c := range v.Cards {
		out = append(out, c.Label+" "+c.Value.Text+" "+c.Unit, c.Note)
		for _, f := range c.Compare {
			out = append(out, f.Text)
		}
	}
	for _, c := range v.CPTS {
		out = append(out, c.Coverage)
	}
	for _, secNotes := range v.Notes {
		for _, n := range secNotes {
			out = append(out, fmt.Sprint(n.Text))
		}
	}
	for _, c := range v.Charts {
		b, _ := json.Marshal(c.Option)
		var data any
		if json.Unmarshal(b, &data) == nil {
			jsonStrings(data, func(s string) {
				out = append(out, html.UnescapeString(tagRE.ReplaceAllString(strings.ReplaceAll(s, "<br>", " — "), "")))
			})
		}
		out = append(out, c.Title, c.Alt)
	}
	return out
}
