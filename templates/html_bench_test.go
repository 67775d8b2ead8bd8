package templates

import (
	"io"
	"testing"
)

// BenchmarkWriteHTMLCommune writes the page of one commune (Arles), the
// unit of `batch --by commune`: a batch writes one per commune, so the
// page's own cost adds up over a département.
func BenchmarkWriteHTMLCommune(b *testing.B) {
	r, contours := testReport(b, "13004")
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r, contours); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteHTMLEPCI writes the page of a rural EPCI (CC Pays de
// Nemours, 29 communes).
func BenchmarkWriteHTMLEPCI(b *testing.B) {
	r, contours := testReport(b, "epci:200023240")
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, r, contours); err != nil {
			b.Fatal(err)
		}
	}
}
