package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// franceItems are the régions of France: `diagnose` of all its communes.
var franceItems = []string{"reg:01", "reg:02", "reg:03", "reg:04", "reg:06", "reg:11", "reg:24", "reg:27", "reg:28",
	"reg:32", "reg:44", "reg:52", "reg:53", "reg:75", "reg:76", "reg:84", "reg:93", "reg:94"}

// benchmarkDiagnose runs the whole command (resolve, build, write HTML and
// workbook) as a user would, b.N times into the same folder.
func benchmarkDiagnose(b *testing.B, items ...string) {
	dir := b.TempDir()
	args := append([]string{"diagnose"}, items...)
	args = append(args, "--out", filepath.Join(dir, "out"), "--force", "--format", "html,xlsx")
	b.ReportAllocs()
	for b.Loop() {
		code := Main(context.Background(), BuildInfo{Version: "bench"}, args, strings.NewReader(""), io.Discard, io.Discard)
		if code != exitOK {
			b.Fatalf("diagnose %v: exit %d", items, code)
		}
	}
	b.StopTimer()
	if fi, err := os.Stat(filepath.Join(dir, "out", "diagnostic.html")); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "html-MB")
	}
}

// BenchmarkDiagnoseDepartement is a département under the summary
// threshold (Pas-de-Calais, about 890 communes): the full report.
func BenchmarkDiagnoseDepartement(b *testing.B) { benchmarkDiagnose(b, "dep:62") }

// BenchmarkDiagnoseRegion is a région over the threshold (Auvergne-Rhône-Alpes,
// about 4,000 communes): the summary report.
func BenchmarkDiagnoseRegion(b *testing.B) { benchmarkDiagnose(b, "reg:84") }

// BenchmarkDiagnoseFrance is every commune of France (about 34,900).
func BenchmarkDiagnoseFrance(b *testing.B) { benchmarkDiagnose(b, franceItems...) }
