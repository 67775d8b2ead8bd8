package diagnostic

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestReportGolden compares the whole JSON report of three territories —
// a rural EPCI, a city's arrondissements, a département — with
// testdata/report_*.json.golden, so that any change to a figure shows in
// review. Regenerate with `go test ./diagnostic -run TestReportGolden -update`
// and read the diff.
func TestReportGolden(t *testing.T) {
	for _, tc := range []struct{ name, item string }{
		{"epci_nemours", "epci:200023240"},
		{"cpts_actes_sante", `cpts:"CPTS Actes Santé"`},
		{"dep_48", "dep:48"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := buildReport(t, tc.item)
			r.Sources = nil // the manifest, tested in datasets/snapshot
			got, err := json.MarshalIndent(r, "", " ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "report_"+tc.name+".json.golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s: run `go test ./diagnostic -run TestReportGolden -update` and review the diff", tc.item, path)
			}
		})
	}
}
