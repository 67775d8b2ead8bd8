package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// Marseille 16e: the BPE counts Marseille's GPs for the whole city, so the
// arrondissement's GPs are unknown: "n.d." in the table, an empty cell in
// CSV, never 0. France's GP count covers part of France only (93.7 %):
// marked "*". France's hôpitaux de proximité and CPTS coverage, known for
// under half its population (diagnostic.MinCoverage), are n.d.
func TestIndicatorsUnknownAndPartial(t *testing.T) {
	code, out, stderr := runMain(t, "indicators", "13216")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, re := range []string{
		`│ GPs \(BPE 2017\) +│ +n\.d\. │ +2591 │ +6067 │ +58034\* │`,
		`│ Share aged 75\+ \(%\) +│ +n\.d\. │`,
		`│ Hôpitaux de proximité \(labellisés\) +│ +n\.d\. │ +n\.d\. │ +n\.d\. │ +n\.d\. │`,
		`│ Pop\. share in a CPTS perimeter \(%\) +│ +100\.0 │ +98\.1 │ +98\.1 │ +n\.d\. │`,
		`│ Source of the GP counts +│ +n\.d\. │ +BPE 2017 │`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("table lacks %s:\n%s", re, out)
		}
	}
	// The legend is a note on standard error, on its own line; the table
	// on standard output ends with its border and a newline.
	if !strings.HasSuffix(out, "┘\n") || strings.Contains(out, "note:") {
		t.Errorf("standard output is not the table alone:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^note: n\.d\.: not given by the data for that level; \*: computed over the part of the level the source covers`).MatchString(stderr) {
		t.Errorf("stderr lacks the legend:\n%s", stderr)
	}
	if regexp.MustCompile(`│ GPs[^│]*│ +0 │`).MatchString(out) {
		t.Error("unknown GPs printed as 0")
	}

	code, out, stderr = runMain(t, "indicators", "13216", "--csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	recs := readCSV(t, []byte(out), ';')
	rows := map[string][]string{}
	for _, rec := range recs {
		rows[rec[0]] = rec
	}
	for key, want := range map[string]string{
		"gps":                   "gps;GPs (BPE 2017);;2591;6067;58034",
		"gp_source":             "gp_source;Source of the GP counts;;BPE 2017;BPE 2017;BPE 2017",
		"structures_proximity":  "structures_proximity;Hôpitaux de proximité (labellisés);;;;",
		"cpts_population_share": "cpts_population_share;Pop. share in a CPTS perimeter (%);100;98,14830781670177;98,06304321167435;",
		"structures_msp":        "structures_msp;Maisons de santé pluriprofessionnelles (MSP);1;28;88;1936",
	} {
		if got := strings.Join(rows[key], ";"); got != want {
			t.Errorf("CSV %s = %q, want %q", key, got, want)
		}
	}
}

// The summary printed by diagnose: n.d. for the arrondissement's GPs, the
// GP row labelled with the source of the levels' counts.
func TestDiagnoseSummaryUnknown(t *testing.T) {
	code, out, stderr := runDiagnoseMain(t, t.TempDir(), "diagnose", "13216", "--out", "m16", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`│ GPs per 10,000 inh\. \(BPE 2017\) +│ +n\.d\. │ +12\.4 │`).MatchString(out) {
		t.Errorf("summary:\n%s", out)
	}
	if !regexp.MustCompile(`│ Centres de santé médicaux ou polyvalents +│ +1 │ +29 │`).MatchString(out) {
		t.Errorf("summary lacks the medical centres de santé:\n%s", out)
	}
}

// The summary printed by diagnose marks a figure computed over part of its
// level with "*", as the indicators table does, and explains the marks on
// standard error: Île-de-France's GP density (the BPE covers 83.1 % of it,
// not Paris) and France's (93.7 %), France's APL (99.6 %: no APL for
// Mayotte) and structures (no FINESS for Mayotte). France's CPTS coverage
// is n.d., not PACA's 98.1 %: perimeters are known for 7.6 % of France.
func TestDiagnoseSummaryPartial(t *testing.T) {
	code, out, stderr := runDiagnoseMain(t, t.TempDir(), "diagnose", "epci:200023240", "--out", "nem", "--format", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, re := range []string{
		`│ Population +│ +29583 │ +1468108 │ +12463067 │ +68350798 │`,
		`│ APL 2023 \(consult\./yr/inh\.\) +│ +2\.67 │ +2\.38 │ +3\.27 │ +3\.74\* │`,
		`│ GPs per 10,000 inh\. \(BPE 2017\) +│ +6\.8 │ +7\.0 │ +6\.8\* │ +9\.1\* │`,
		`│ Maisons de santé pluriprofessionnelles \(MSP\) +│ +1 │ +16 │ +136 │ +1936\* │`,
		`│ CPTS: pop\. share in a known perimeter +│ +n\.d\. │ +n\.d\. │ +n\.d\. │ +n\.d\. │`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("summary lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "note:") || strings.Contains(out, "98.1") {
		t.Errorf("standard output:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^note: n\.d\.: not given by the data for that level; \*: computed over the part of the level the source covers \(the report's footnotes give the reasons\)$`).MatchString(stderr) {
		t.Errorf("stderr lacks the legend:\n%s", stderr)
	}
	// A table with neither mark has no legend.
	tab := diagnoseSummary(&diagnostic.Report{Levels: []diagnostic.Level{{Kind: "territory", Name: "T",
		Figures: diagnostic.Figures{Population: 10, APL2023: ptrTo(3.0), ShareLow: ptrTo(0.1), GPDensity: ptrTo(8.0), CPTSPopulationShare: ptrTo(1.0),
			Structures: map[string]*int{"msp": ptrTo(1), "cds": ptrTo(0)}}}}})
	var legend strings.Builder
	printTableLegend(&legend, tab, "x")
	if legend.Len() != 0 {
		t.Errorf("legend %q for a table without n.d. or *", legend.String())
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestAPLShownWithItsClassConsole: Digne-les-Bains (04070) is published at
// 2,501, above the 2,5 threshold: the console prints it "2.501" (two
// decimals would print 2.50, at the threshold), its population is not in
// the share ≤ 2.5, and that share of the Alpes-de-Haute-Provence is 16.8 %
// (27.1 % when 2.501 was rounded to 2.50 first; recomputed from the DREES
// file in diagnostic/testdata/recompute_golden.py's way).
func TestAPLShownWithItsClassConsole(t *testing.T) {
	code, out, stderr := runMain(t, "indicators", "04070")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, re := range []string{
		`│ APL 2023 \(consult\./yr/inh\.\) +│ +2\.501 │ +3\.59 │ +4\.24 │ +3\.74\* │`,
		`│ Pop\. share APL ≤ 2\.5 \(%\) +│ +0\.0 │ +16\.8 │ +5\.1 │ +16\.6\* │`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("indicators lack %s:\n%s", re, out)
		}
	}
	code, out, stderr = runMain(t, "diagnose", "04070", "--format", "json", "--out", t.TempDir(), "--force")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !regexp.MustCompile(`│ APL 2023 \(consult\./yr/inh\.\) +│ +2\.501 │ +3\.59 │`).MatchString(out) {
		t.Errorf("diagnose summary lacks Digne's 2.501:\n%s", out)
	}
}
