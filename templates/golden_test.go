package templates

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestCSVGolden compares the whole communes CSV of three territories — a
// rural EPCI, a CPTS of arrondissements, a département — with
// testdata/communes_*.csv.golden (the JSON goldens are in diagnostic), so
// that any change to a figure shows in review. Regenerate with
// `go test ./templates -run TestCSVGolden -update` and read the diff.
func TestCSVGolden(t *testing.T) {
	for _, tc := range []struct{ name, item string }{
		{"epci_nemours", "epci:200023240"},
		{"cpts_actes_sante", `cpts:"CPTS Actes Santé"`},
		{"dep_48", "dep:48"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := testReport(t, tc.item)
			var got bytes.Buffer
			if err := WriteCSV(&got, r, CSVFrench); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "communes_"+tc.name+".csv.golden")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("%s differs from %s: run `go test ./templates -run TestCSVGolden -update` and review the diff", tc.item, path)
			}
		})
	}
}
