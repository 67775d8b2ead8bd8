package templates

import (
	"io"
	"testing"

	"github.com/diagsante/diagsante/diagnostic"
)

// BenchmarkWriteXLSXCommunes writes the workbooks of four communes of the
// Bouches-du-Rhône, as a batch by commune does (one op: the four).
func BenchmarkWriteXLSXCommunes(b *testing.B) {
	var reps []*diagnostic.Report
	for _, code := range []string{"13001", "13002", "13004", "13005"} {
		rep, _ := testReport(b, code)
		reps = append(reps, rep)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, rep := range reps {
			if err := WriteXLSX(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
		}
	}
}
