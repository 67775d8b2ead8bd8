package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  string
	}{
		{"html,xlsx", []string{"html", "xlsx"}, ""},
		{"geojson, JSON ,csv", []string{"json", "csv", "geojson"}, ""}, // writing order, case-insensitive
		{"xlsx,xlsx", []string{"xlsx"}, ""},
		{"pdf", nil, `unknown format "pdf"`},
		{" , ", nil, "no format"},
	} {
		got, err := parseFormats(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || exitCode(err) != exitUsage {
				t.Errorf("parseFormats(%q) error = %v, want a usage error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseFormats(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestTerritorySlug(t *testing.T) {
	for in, want := range map[string]string{
		"CC Pays de Nemours":              "cc-pays-de-nemours",
		"Lozère":                          "lozere",
		"CA Cœur d'Essonne Agglomération": "ca-coeur-d-essonne-agglomeration",
		"Nemours + 1 commune(s)":          "nemours-1-commune-s",
		"///":                             "diagnostic",
	} {
		if got := territorySlug(in); got != want {
			t.Errorf("territorySlug(%q) = %q, want %q", in, got, want)
		}
	}
}

// runDiagnoseMain runs the program in dir and returns its exit code and outputs.
func runDiagnoseMain(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), BuildInfo{Version: "test"}, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestDiagnoseWritesReport(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runDiagnoseMain(t, dir, "diagnose", "epci:200023240", "--format", "html,xlsx,json,csv,geojson")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Default folder: the slug of the label; paths printed after the table.
	for _, f := range []string{"diagnostic.html", "diagnostic.xlsx", "diagnostic.json", "diagnostic.csv", "diagnostic.geojson"} {
		p := filepath.Join("cc-pays-de-nemours", f)
		if !strings.Contains(stdout, p+"\n") {
			t.Errorf("stdout does not list %s:\n%s", p, stdout)
		}
		if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
	if !strings.Contains(stdout, "29583") || !strings.Contains(stdout, "2.67") {
		t.Errorf("summary lacks the population or the APL:\n%s", stdout)
	}
	out := filepath.Join(dir, "cc-pays-de-nemours")

	// JSON: the full report model.
	var rep struct {
		Title    string `json:"title"`
		Communes []struct {
			Code       string `json:"code"`
			Population int    `json:"population"`
		} `json:"communes"`
		Levels []struct {
			Kind string `json:"kind"`
		} `json:"levels"`
		Sources []json.RawMessage `json:"sources"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "diagnostic.json"))
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("diagnostic.json: %v", err)
	}
	if rep.Title != "CC Pays de Nemours" || len(rep.Communes) != 21 || len(rep.Levels) != 4 || len(rep.Sources) == 0 {
		t.Errorf("diagnostic.json: title %q, %d communes, %d levels, %d sources", rep.Title, len(rep.Communes), len(rep.Levels), len(rep.Sources))
	}

	// CSV: one row per commune, in the French spreadsheet convention by
	// default: a byte-order mark, `;`, decimal commas.
	b, _ = os.ReadFile(filepath.Join(out, "diagnostic.csv"))
	if !bytes.HasPrefix(b, []byte("\ufeffcode;name;")) {
		t.Errorf("diagnostic.csv does not start with the BOM and the header: %q", b[:min(len(b), 20)])
	}
	recs := readCSV(t, b, ';')
	if len(recs) != 22 || recs[0][0] != "code" || recs[0][5] != "population" {
		t.Fatalf("diagnostic.csv: %d rows, header %v", len(recs), recs[0])
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[0] == "77333" {
			found = rec[1] == "Nemours" && rec[5] == "12889" && rec[7] == "2,647"
		}
	}
	if !found {
		t.Error("diagnostic.csv: no row 77333;Nemours with population 12889 and APL 2,647")
	}

	// GeoJSON: features with geometry and properties.
	var geo struct {
		Type     string `json:"type"`
		Features []struct {
			ID       string `json:"id"`
			Geometry struct {
				Type string `json:"type"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	b, _ = os.ReadFile(filepath.Join(out, "diagnostic.geojson"))
	if err := json.Unmarshal(b, &geo); err != nil {
		t.Fatalf("diagnostic.geojson: %v", err)
	}
	if geo.Type != "FeatureCollection" || len(geo.Features) != 21 {
		t.Fatalf("diagnostic.geojson: %s with %d features", geo.Type, len(geo.Features))
	}
	for _, ft := range geo.Features {
		if ft.Geometry.Type != "Polygon" && ft.Geometry.Type != "MultiPolygon" {
			t.Errorf("feature %s has geometry %q", ft.ID, ft.Geometry.Type)
		}
		if ft.ID == "77333" && (ft.Properties["population"] != 12889.0 || ft.Properties["apl_class"] != "middle") {
			t.Errorf("feature 77333 properties = %v", ft.Properties)
		}
	}
}

func TestDiagnoseRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runDiagnoseMain(t, dir, "diagnose", "77333", "--out", "x", "--format", "json"); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "x", "diagnostic.json"))
	code, _, stderr := runDiagnoseMain(t, dir, "diagnose", "77333", "--out", "x", "--format", "json", "--name", "Autre nom")
	if code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Fatalf("second run: exit %d, stderr %q; want exit 2 naming --force", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "x", "diagnostic.json"))
	if !bytes.Equal(before, after) {
		t.Error("the refused run changed the existing file")
	}
	if code, _, stderr := runDiagnoseMain(t, dir, "diagnose", "77333", "--out", "x", "--format", "json", "--name", "Autre nom", "--force"); code != exitOK {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	after, _ = os.ReadFile(filepath.Join(dir, "x", "diagnostic.json"))
	if !bytes.Contains(after, []byte(`"title": "Autre nom"`)) {
		t.Error("--force did not rewrite the report")
	}
	if code, _, _ := runDiagnoseMain(t, dir, "diagnose", "77333", "--format", "pdf"); code != exitUsage {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	if code, _, _ := runDiagnoseMain(t, dir, "diagnose", "Nulle-Part-Sur-Mer"); code != exitUsage {
		t.Errorf("unknown territory: exit %d, want 2", code)
	}
}

func TestWriteAllAtomic(t *testing.T) {
	dir := t.TempDir()
	paths := []string{filepath.Join(dir, "a.html"), filepath.Join(dir, "b.xlsx")}
	if err := os.WriteFile(paths[0], []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The second writer fails half-way: nothing is renamed, no temporary
	// file is left, the old file is intact.
	err := writeAllAtomic(dir, paths, func(i int, w io.Writer) error {
		io.WriteString(w, "new content")
		if i == 1 {
			return errors.New("disk full")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "b.xlsx") || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("error = %v, want one naming b.xlsx", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "a.html" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("folder holds %v, want only the old a.html", names)
	}
	if b, _ := os.ReadFile(paths[0]); string(b) != "old" {
		t.Errorf("a.html = %q, want the old content", b)
	}
	// Success: both files in place, readable by others.
	if err := writeAllAtomic(dir, paths, func(i int, w io.Writer) error { _, err := io.WriteString(w, "ok"); return err }); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v, %v", p, fi.Mode(), err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("folder holds %d entries, want 2", len(entries))
	}
}

// BenchmarkDiagnoseEPCI is the product target: one EPCI from the embedded
// snapshot, HTML and XLSX written, under 1 s. The snapshot is loaded once,
// outside the loop (its own target is 200 ms).
func BenchmarkDiagnoseEPCI(b *testing.B) {
	var stdout, stderr bytes.Buffer
	g := &globalOptions{Stdout: &stdout, Stderr: &stderr}
	g.Log = slog.New(slog.DiscardHandler)
	if _, err := g.snapshot(); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	opts := &diagnoseOptions{globalOptions: g, Items: []string{"epci:200023240"}, Out: dir, Formats: "html,xlsx", Force: true}
	b.ResetTimer()
	for b.Loop() {
		stdout.Reset()
		if err := runDiagnose(opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	for _, f := range []string{"diagnostic.html", "diagnostic.xlsx"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(fi.Size()), strings.TrimPrefix(filepath.Ext(f), ".")+"-bytes")
	}
}

// A territory over the summary threshold gets the summary page (figures by
// département, no commune map) and every commune in the CSV.
func TestDiagnoseLargeTerritorySummary(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runDiagnoseMain(t, dir, "diagnose", "reg:84", "--out", "ara", "--format", "html,csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(dir, "ara", "diagnostic.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(page) > 3<<20 || !bytes.Contains(page, []byte(`class="summary-notice"`)) || !bytes.Contains(page, []byte(`<th scope="row">Rhône (69)</th>`)) ||
		bytes.Contains(page, []byte(`id="carte"`)) {
		t.Errorf("reg:84 page (%d bytes) is not the summary form", len(page))
	}
	csvData, err := os.ReadFile(filepath.Join(dir, "ara", "diagnostic.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(csvData, []byte("\n")); n < 4001 {
		t.Errorf("CSV has %d lines, want every commune of the région", n)
	}
}

// readCSV parses CSV output with the separator sep, without the byte-order
// mark of the French convention.
func readCSV(t testing.TB, b []byte, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = sep
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, b)
	}
	return recs
}
