package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/viper"

	"github.com/diagsante/diagsante/diagnostic"
)

// TestBatchLozere batches Lozère by EPCI and checks that the index lists
// every EPCI with a member in 48, with the figures of each unit's report.
func TestBatchLozere(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := runMain(t, "batch", "--departement", "48", "--by", "epci", "--out", out, "--format", "json", "--jobs", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "11 units: 11 written, 0 up to date, 0 failed") {
		t.Errorf("summary: %s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The index is French, in the French spreadsheet convention.
	if !bytes.HasPrefix(b, []byte("\ufeffCode;Nom;État;Communes;Population (hab.);APL 2023 (consultations/an/hab.);")) {
		t.Errorf("index.csv header: %q", b[:min(len(b), 120)])
	}
	rows := readCSV(t, b, ';')
	// 10 EPCI of Lozère plus CC de Millau Grands Causses (12), which has a
	// commune in 48 (COG 2026).
	if len(rows) != 12 {
		t.Fatalf("index has %d units, want 11", len(rows)-1)
	}
	sirens := map[string]bool{}
	for _, row := range rows[1:] {
		sirens[row[0]] = true
		var rep diagnostic.Report
		// The report link is to the file written: a JSON-only batch links
		// diagnostic.json, not a diagnostic.html that does not exist.
		if !strings.HasSuffix(row[11], "/diagnostic.json") {
			t.Errorf("%s: report link %q, want its diagnostic.json", row[1], row[11])
		}
		b, err := os.ReadFile(filepath.Join(out, row[11]))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
		f := rep.Levels[0]
		pop, _ := strconv.Atoi(row[4])
		apl, _ := strconv.ParseFloat(strings.Replace(row[5], ",", ".", 1), 64)
		if pop != f.Population || f.APL2023 == nil || apl != *f.APL2023 || rep.Territory.EPCIs[0].Code != row[0] || row[2] != "écrit" {
			t.Errorf("%s: index population %d APL %v, report %d %v", row[1], pop, apl, f.Population, f.APL2023)
		}
	}
	for _, siren := range []string{"244800405", "244800470", "241200567"} {
		if !sirens[siren] {
			t.Errorf("EPCI %s missing from the index", siren)
		}
	}
	// A second run finds every report up to date; --force rewrites them.
	if _, stdout, _ := runMain(t, "batch", "-d", "48", "--by", "epci", "--out", out, "--format", "json"); !strings.Contains(stdout, "0 written, 11 up to date") {
		t.Errorf("rerun: %s", stdout)
	}
	if _, stdout, _ := runMain(t, "batch", "-d", "48", "--by", "epci", "--out", out, "--format", "json", "--force"); !strings.Contains(stdout, "11 written") {
		t.Errorf("rerun with --force: %s", stdout)
	}
}

func TestBatchErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"batch", "--by", "epci"}, "--departement is required"},
		{[]string{"batch", "-d", "99", "--by", "epci"}, "unknown département"},
		{[]string{"batch", "-d", "48", "--by", "canton"}, "want epci, cpts or commune"},
		{[]string{"batch", "-d", "48", "--by", "cpts"}, "no CPTS perimeter"},
		{[]string{"batch", "--job", "nope"}, "no batch job"},
	} {
		code, _, stderr := runMain(t, append(tc.args, "--out", t.TempDir())...)
		if code != 2 || !strings.Contains(stderr, tc.err) {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
	}
}

func TestBatchJobFromConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "diagsante.yaml")
	out := filepath.Join(dir, "out")
	os.WriteFile(cfg, []byte("batches:\n  lozere:\n    departement: \"48\"\n    by: commune\n    format: csv\n    csv-locale: en\n    out: "+out+"\n"), 0o644)
	code, stdout, stderr := runMain(t, "--config", cfg, "batch", "--job", "lozere")
	if code != 0 || !strings.Contains(stdout, "152 units: 152 written") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// The job's csv-locale: en, `,` and decimal points, no byte-order mark,
	// for the reports and the index alike.
	b, err := os.ReadFile(filepath.Join(out, "48095-mende", "diagnostic.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("code,name,departement,")) || !regexp.MustCompile(`(?m)^48095,Mende,48,244800405,CC Coeur de Lozère,12464,[0-9.]+,3\.834,`).Match(b) {
		t.Errorf("Mende's CSV is not in the en convention:\n%.300s", b)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "index.csv")); !bytes.HasPrefix(b, []byte("Code,Nom,État,")) || !bytes.Contains(b, []byte("\n48095,Mende,écrit,1,12464,3.834,")) {
		t.Errorf("index.csv is not in the en convention:\n%.300s", b)
	}
}

// A report whose CSV was written in the other convention is not up to
// date: changing --csv-locale rewrites the units, and only then are they
// up to date again.
func TestBatchCSVLocaleStamp(t *testing.T) {
	out := t.TempDir()
	for _, tc := range []struct{ locale, want string }{
		{"en", "11 units: 11 written, 0 up to date"},
		{"fr", "11 units: 11 written, 0 up to date"},
		{"fr", "11 units: 0 written, 11 up to date"},
	} {
		code, stdout, stderr := runMain(t, "batch", "-d", "48", "--by", "epci", "--out", out, "--format", "csv", "--csv-locale", tc.locale)
		if code != 0 || !strings.Contains(stdout, tc.want) {
			t.Fatalf("--csv-locale %s: exit %d, want %q\n%s\n%s", tc.locale, code, tc.want, stdout, stderr)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "244800405-cc-coeur-de-lozere", "diagnostic.csv")); !bytes.HasPrefix(b, []byte("\ufeffcode;name;")) {
		t.Errorf("CSV not rewritten in the fr convention: %.40q", b)
	}
}

// BenchmarkBatch77 writes the HTML and Excel reports of every EPCI with a
// commune in Seine-et-Marne (target: under 10 s on 2 cores).
func BenchmarkBatch77(b *testing.B) {
	benchBatch(b, "77")
}

// BenchmarkBatchFrance writes every EPCI of France (about 1,250 units);
// run with -benchtime=1x and DIAGSANTE_BENCH_FRANCE=1.
func BenchmarkBatchFrance(b *testing.B) {
	if os.Getenv("DIAGSANTE_BENCH_FRANCE") == "" {
		b.Skip("set DIAGSANTE_BENCH_FRANCE=1")
	}
	benchBatch(b, "")
}

func benchBatch(b *testing.B, dep string) {
	g := &globalOptions{Build: BuildInfo{Version: "bench"}, Stdout: io.Discard, Stderr: io.Discard, cfg: viper.New(),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	deps := []string{dep}
	if dep == "" {
		s, err := g.snapshot()
		if err != nil {
			b.Fatal(err)
		}
		deps = nil
		for _, d := range s.Departements {
			deps = append(deps, d.Code)
		}
	}
	for b.Loop() {
		out := b.TempDir()
		for _, d := range deps {
			opts := &batchOptions{globalOptions: g, Departement: d, By: "epci", Out: filepath.Join(out, d), Jobs: 2, Formats: "html,xlsx", Force: true}
			if err := runBatch(context.Background(), opts); err != nil && dep != "" {
				b.Fatal(err)
			}
		}
	}
}

// TestBatchUnitFailure makes one unit fail (its folder is taken by a file):
// the others complete, the index lists the failure, the exit status is 1.
func TestBatchUnitFailure(t *testing.T) {
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "244800405-cc-coeur-de-lozere"), []byte("not a folder"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain(t, "batch", "-d", "48", "--by", "epci", "--out", out, "--format", "csv")
	if code != 1 || !strings.Contains(stdout, "10 written, 0 up to date, 1 failed") || !strings.Contains(stderr, "1 of 11 units failed") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "index.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "244800405;CC Coeur de Lozère;échec;") {
		t.Errorf("index does not list the failure:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "244800470-cc-du-gevaudan", "diagnostic.csv")); err != nil {
		t.Errorf("other units not written: %v", err)
	}
}
