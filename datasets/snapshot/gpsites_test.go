package snapshot

import (
	"bytes"
	"reflect"
	"testing"
)

// TestGPSitesRoundTrip: the gp_rpps table keeps arrondissement codes and
// modes as written, and DecodeTable reads it back.
func TestGPSitesRoundTrip(t *testing.T) {
	rows := []GPSite{
		{Person: "810000000001", Code: "77333", Mode: GPModeLiberal, Vintage: "2024-01-15"},
		{Person: "810000000001", Code: "77186", Mode: GPModeCDS, Vintage: "2024-01-15"},
		{Person: "810000000008", Code: "75113", Mode: GPModeLiberal, Vintage: "2024-01-15"},
	}
	var buf bytes.Buffer
	n, err := WriteGPSites(&buf, rows)
	if err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	s, err := DecodeTable(GPSitesFile, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.GPSites, rows) {
		t.Fatalf("read back %+v", s.GPSites)
	}
	if _, err := DecodeTable("nothing.tsv.gz", buf.Bytes()); err == nil {
		t.Error("unknown table file accepted")
	}
}
