package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), BuildInfo{Version: "test"}, args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"territory", "show", "77333", "--csv"}, 0, ""},
		{[]string{"territory", "show", "99999"}, 2, "99999"},
		{[]string{"territory", "show", "Saint-Denis"}, 2, "93066"},
		{[]string{"territory", "show"}, 2, "requires at least 1 arg"},
		{[]string{"territory", "show", "dep:48", "--bogus"}, 2, "unknown flag"},
		{[]string{"territory", "show", "@/nonexistent/list.txt"}, 2, "list.txt"},
		{[]string{"communes", "search", "zzzzqqq"}, 2, "no commune"},
		{[]string{"nosuchcommand"}, 2, "unknown command"},
		{[]string{"datasets", "lst"}, 2, `unknown command "lst" for "diagsante datasets"`},
		{[]string{"version", "extra"}, 2, `unknown command "extra"`},
		{[]string{"simulate", "77333"}, 2, "nothing to simulate"},
		// Scenarios the data cannot take are bad input (exit 2), named as such.
		{[]string{"simulate", "epci:200023240", "--remove-gp", "77333=500"}, 2, "scenario: 77333 would have -490.9 GPs after it: it has 9.1 "},
		{[]string{"simulate", "epci:200023240", "--add-gp", "99999=1"}, 2, `scenario: "99999" is not a commune code`},
		// A change too far to reach the territory runs, with a warning.
		{[]string{"simulate", "epci:200023240", "--add-gp", "13055=3"}, 0, "warning: the change reaches no commune of the territory"},
	} {
		code, _, stderr := runMain(t, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.err)
		}
	}
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "diagsante.yaml")
	if err := os.WriteFile(cfg, []byte("limit: 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	count := func(out string) int { return strings.Count(out, "\n│ ") - 1 } // minus the header
	// The config file sets --limit…
	_, out, _ := runMain(t, "--config", cfg, "communes", "search", "saint")
	if n := count(out); n != 3 {
		t.Errorf("config limit 3: %d rows\n%s", n, out)
	}
	// …the environment overrides the file…
	t.Setenv("DIAGSANTE_LIMIT", "2")
	_, out, _ = runMain(t, "--config", cfg, "communes", "search", "saint")
	if n := count(out); n != 2 {
		t.Errorf("env limit 2: %d rows\n%s", n, out)
	}
	// …and the flag overrides both.
	_, out, _ = runMain(t, "--config", cfg, "communes", "search", "saint", "--limit", "4")
	if n := count(out); n != 4 {
		t.Errorf("flag limit 4: %d rows\n%s", n, out)
	}
	// A config file that does not parse is a usage error.
	os.WriteFile(cfg, []byte("limit: [\n"), 0o644)
	if code, _, stderr := runMain(t, "--config", cfg, "version"); code != 2 || !strings.Contains(stderr, "config") {
		t.Errorf("bad config: exit %d, %q", code, stderr)
	}
}

func TestParseTerritoryFile(t *testing.T) {
	texts := func(items []listItem) []string {
		var out []string
		for _, it := range items {
			out = append(out, it.Text)
		}
		return out
	}
	got, err := parseTerritoryFile("x.csv", []byte("\ufeffCODGEO,libelle\r\n01001,A\r\n2A004,B\r\n"))
	if err != nil || strings.Join(texts(got), " ") != "01001 2A004" || got[1].Line != 3 {
		t.Errorf("CSV with BOM and CRLF: %v %v", got, err)
	}
	got, err = parseTerritoryFile("x.txt", []byte("# comment\n\n dep:48 \nSaint-Denis (93)\n"))
	if err != nil || strings.Join(texts(got), "|") != "dep:48|Saint-Denis (93)" || got[0].Line != 3 || got[1].Line != 4 {
		t.Errorf("list: %v %v", got, err)
	}
	got, err = parseTerritoryFile("x.txt", []byte("# codes, names; anything\n77333\n"))
	if err != nil || strings.Join(texts(got), "|") != "77333" {
		t.Errorf("list with a comma in its first comment: %v %v", got, err)
	}
	got, err = parseTerritoryFile("x.csv", []byte("# export\ncode;nom\n77333;Nemours\n"))
	if err != nil || strings.Join(texts(got), "|") != "77333" || got[0].Line != 3 {
		t.Errorf("CSV after a comment: %v %v", got, err)
	}
	// A one-column CSV: its header is a code column's name, skipped; a
	// code column's name further down is an item like any other.
	got, err = parseTerritoryFile("o.csv", []byte("# export\nCode_INSEE\n05120\n13207\ncode\n"))
	if err != nil || strings.Join(texts(got), "|") != "05120|13207|code" || got[0].Line != 3 {
		t.Errorf("one-column CSV: %v %v", got, err)
	}
	if _, err := parseTerritoryFile("y.csv", []byte("a;b\n1;2\n")); err == nil || !strings.Contains(err.Error(), "y.csv:1:") {
		t.Errorf("CSV without code column: %v", err)
	}
}

// TestSimulateReachWarning: two GPs in Nemours move its territory's APL,
// so no warning; the shares' population is named on standard error.
func TestSimulateReachWarning(t *testing.T) {
	code, out, stderr := runMain(t, "simulate", "epci:200023240", "--add-gp", "77333=2")
	if code != exitOK || strings.Contains(stderr, "warning:") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if !strings.Contains(stderr, "note: the shares count the population of the rows of the DREES APL file") ||
		!strings.Contains(out, "(estimate); population with APL ≤ 2.5: 35.2 % → ") {
		t.Errorf("stdout %q\nstderr %q", out, stderr)
	}
}
