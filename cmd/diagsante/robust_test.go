package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bad values are usage errors (exit 2), refused before any work.
func TestBadInputExitCodes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"simulate", "77333", "--add-gp", "77333=NaN"}, `--add-gp "77333=NaN": want CODE=N with N a number > 0`},
		{[]string{"simulate", "77333", "--add-gp", "77333=Inf"}, `--add-gp "77333=Inf": want CODE=N`},
		{[]string{"simulate", "77333", "--remove-gp", "77333=-Inf"}, `--remove-gp "77333=-Inf": want CODE=N`},
		{[]string{"simulate", "77333", "--add-gp", "77333=1e308"}, `--add-gp "77333=1e308": at most 1000 GPs per commune`},
		{[]string{"simulate", "77333", "--add-gp", "77333=600", "--add-gp", "77333=600"}, "at most 1000 GPs per commune in all"},
		{[]string{"diagnose", "77333", "--out", file}, "--out " + file + " is a file, not a folder"},
		{[]string{"batch", "-d", "48", "--out", file}, "--out " + file + " is a file, not a folder"},
		{[]string{"simulate", "77333", "--add-gp", "77333=1", "--travel-times", dir}, "--travel-times " + dir + " is a folder"},
		{[]string{"completion", "tcsh"}, `unknown command "tcsh" for "diagsante completion"`},
	} {
		code, stdout, stderr := runMain(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, stderr, tc.err)
		}
		if strings.Contains(stdout, "Inf") {
			t.Errorf("%v: stdout %q", tc.args, stdout)
		}
	}
	// The documented shells still work.
	// (cobra writes the script to os.Stdout, not to the command's writer.)
	devnull, _ := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	defer devnull.Close()
	stdout := os.Stdout
	os.Stdout = devnull
	code, _, _ := runMain(t, "completion", "bash")
	os.Stdout = stdout
	if code != 0 {
		t.Errorf("completion bash: exit %d", code)
	}
}

// Rows of a travel-time file whose codes the data does not know are
// counted on standard error, with examples naming file and line.
func TestTravelTimesUnknownCodes(t *testing.T) {
	dir := t.TempDir()
	tt := filepath.Join(dir, "tt.csv")
	rows := "origin;destination;minutes\n77333;77186;12\n"
	for i := range 7 {
		rows += "77333;9999" + strconv.Itoa(i) + ";10\n"
	}
	rows += "2A004;77333;500\n"
	os.WriteFile(tt, []byte(rows), 0o644)
	code, _, stderr := runMain(t, "simulate", "77333", "--add-gp", "77333=1", "--travel-times", tt)
	want := "warning: --travel-times: 7 of 9 rows name a code that is not a current commune or arrondissement and are ignored: " +
		tt + ":3 (99990), " + tt + ":4 (99991), " + tt + ":5 (99992), " + tt + ":6 (99993), " + tt + ":7 (99994), …\n"
	if code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want %q", code, stderr, want)
	}
}

// A run interrupted before or while writing leaves neither a report nor a
// temporary file, and exits with 130.
func TestDiagnoseInterrupted(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr bytes.Buffer
	code := Main(ctx, BuildInfo{Version: "test"}, []string{"diagnose", "77333", "--out", dir}, strings.NewReader(""), io.Discard, &stderr)
	if code != exitInterrupted || !strings.Contains(stderr.String(), "Error: interrupted") {
		t.Errorf("exit %d, %q", code, stderr.String())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}

	// Cancelled in the middle of the second file: the first was complete,
	// yet neither is renamed into place, and both temporary files go.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	paths := []string{filepath.Join(dir, "diagnostic.html"), filepath.Join(dir, "diagnostic.xlsx")}
	err := writeAllAtomicContext(ctx, dir, paths, func(i int, w io.Writer) error {
		if i == 1 {
			cancel()
		}
		_, err := w.Write(make([]byte, 1<<20))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left: %v", ents)
	}
}

// The temporary files of killed runs are removed by the next run writing
// in the same folder; those of a live writer and the user's files stay.
func TestCleanStaleTemps(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	deadPID := dead.Process.Pid
	old := time.Now().Add(-time.Hour)
	files := map[string]bool{ // name → kept
		".diagnostic.html." + strconv.Itoa(deadPID) + "-123.tmp":    false, // its process is gone
		".diagnostic.xlsx.4567.tmp":                                 false, // older format, an hour old (below)
		".diagnostic.json." + strconv.Itoa(os.Getppid()) + "-9.tmp": true,  // a live process, recent
		".index.html.8.tmp":                                         true,  // older format, recent
		".notes.txt." + strconv.Itoa(deadPID) + "-1.tmp":            true,  // not one of ours
		"diagnostic.html.bak":                                       true,
		"..diagsante-unit.json." + strconv.Itoa(deadPID) + "-5.tmp": false,
	}
	for name := range files {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644)
	}
	os.Chtimes(filepath.Join(dir, ".diagnostic.xlsx.4567.tmp"), old, old)
	code, _, stderr := runMain(t, "diagnose", "77333", "--out", dir, "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for name, kept := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if (err == nil) != kept {
			t.Errorf("%s: exists %v, want %v", name, err == nil, kept)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "diagnostic.csv")); err != nil {
		t.Error(err)
	}
}

// A zero-byte report (a full disk, a killed writer of an older version) is
// never up to date.
func TestUpToDateZeroByte(t *testing.T) {
	dir := t.TempDir()
	st := stamp{Version: "v", Data: "d", Items: []string{"77333"}, Formats: []string{"html"}}
	b, _ := json.Marshal(st)
	os.WriteFile(filepath.Join(dir, stampFile), b, 0o644)
	report := filepath.Join(dir, "diagnostic.html")
	os.WriteFile(report, []byte("<html>"), 0o644)
	if !st.upToDate(dir, []string{report}) {
		t.Fatal("complete report not up to date")
	}
	os.WriteFile(report, nil, 0o644)
	if st.upToDate(dir, []string{report}) {
		t.Error("zero-byte report counted as up to date")
	}
}
