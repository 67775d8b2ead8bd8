package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A configuration error names the file, the line and the key, or the
// environment variable; it never shows Go's internals.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		env        map[string]string
		args       []string
		code       int
		want       string // in stderr
	}{
		{"wrong type", "territories:\n  x: [77333]\nlimit: abc\n", nil, []string{"communes", "search", "nem"}, 2,
			"Error: config CFG:3: limit: \"abc\" is not a whole number"},
		{"wrong type from the environment", "limit: 3\n", map[string]string{"DIAGSANTE_LIMIT": "abc"}, []string{"communes", "search", "nem"}, 2,
			"Error: environment variable DIAGSANTE_LIMIT: limit: \"abc\" is not a whole number"},
		{"bool", "\n\nforce: yes\n", nil, []string{"diagnose", "77333"}, 2, "Error: config CFG:3: force: \"yes\" is not true or false"},
		{"mapping for a flag", "format:\n  html: true\n", nil, []string{"version"}, 2, "Error: config CFG:2: format: want a value or a list of values, found a mapping"},
		{"YAML syntax", "limit: 3\nformat: [html\n", nil, []string{"version"}, 2, "Error: config CFG:"},
		{"not a mapping", "- a\n- b\n", nil, []string{"version"}, 2, "Error: config CFG:1: want settings as `key: value` lines, found a list"},
		{"territory not a list", "territories:\n  sud:\n    epci: 200023240\n", nil, []string{"version"}, 2,
			"Error: config CFG:3: territories: sud: want a list of territories"},
		{"batch job type", "batches:\n  j:\n    departement: \"48\"\n    jobs: many\n", nil, []string{"batch", "--job", "j"}, 2,
			"Error: config CFG:4: batches: j: jobs: \"many\" is not a whole number"},
		{"unknown key", "limit: 2\nbogus: 1\n", nil, []string{"communes", "search", "saint"}, 0,
			"warning: config CFG:2: unknown key \"bogus\" is ignored"},
		{"unknown key of a batch job", "batches:\n  j:\n    colour: red\n", nil, []string{"version"}, 0,
			"warning: config CFG:3: batches: j: unknown key \"colour\" is ignored"},
		{"invalid UTF-8", "name: \"Nem\xe9ours\"\n", nil, []string{"version"}, 2, "Error: config CFG: not UTF-8 text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "my-config") // no extension: viper said Unsupported Config Type ""
			os.WriteFile(cfg, []byte(tc.yaml), 0o644)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			code, _, stderr := runMain(t, append([]string{"--config", cfg}, tc.args...)...)
			want := strings.ReplaceAll(tc.want, "CFG", cfg)
			if code != tc.code || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.code, want)
			}
			for _, internal := range []string{"strconv", "Unsupported Config Type", "yaml: ", "invalid argument"} {
				if strings.Contains(stderr, internal) {
					t.Errorf("stderr shows %q: %s", internal, stderr)
				}
			}
		})
	}
}

// `format: [html, json]` is --format html,json, in the file and in a batch job.
func TestConfigListValue(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "diagsante.yaml")
	os.WriteFile(cfg, []byte("format: [html, json]\nbatches:\n  j:\n    departement: \"48\"\n    by: epci\n    format:\n      - json\n      - csv\n"), 0o644)
	code, _, stderr := runMain(t, "--config", cfg, "diagnose", "77333", "--out", filepath.Join(dir, "d"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "d"))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "diagnostic.html diagnostic.json" {
		t.Errorf("files %v, want diagnostic.html and diagnostic.json", names)
	}
	code, _, stderr = runMain(t, "--config", cfg, "batch", "--job", "j", "--out", filepath.Join(dir, "b"))
	if code != 0 {
		t.Fatalf("batch: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "b", "200069128-cc-mont-lozere", "diagnostic.csv")); err != nil {
		t.Error(err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("limit: 3\n"))
	f.Add([]byte("format: [html, json]\nterritories:\n  a: [77333, \"@x.txt\"]\n"))
	f.Add([]byte("batches:\n  j:\n    departement: \"48\"\n    jobs: 2\n"))
	f.Add([]byte("a: &x [1]\nb: *x\n"))
	known := func(k string) bool { return k == "limit" || k == "format" || k == "force" }
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := parseConfig("fuzz.yaml", b, known)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, w := range d.Warnings {
			if !strings.HasPrefix(w, "config fuzz.yaml:") {
				t.Fatalf("warning does not name file and line: %s", w)
			}
		}
	})
}
