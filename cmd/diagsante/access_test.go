package main

import (
	"bytes"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

func TestParsePairs(t *testing.T) {
	pf, err := parsePairs(strings.NewReader("\ufeffID ; From ; To\r\n\r\nnf;77333;77186\r\n\"q\";1001;2a004\n"), "p.csv", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Rows) != 2 || pf.Rows[0].ID != "nf" || pf.Rows[0].From.Code != "77333" || pf.Rows[0].To.Code != "77186" || pf.Rows[0].Line != 3 {
		t.Fatalf("rows %+v", pf.Rows)
	}
	if r := pf.Rows[1]; r.ID != "q" || r.From.Code != "01001" || r.To.Code != "2A004" || !math.IsNaN(r.Minutes) {
		t.Errorf("spreadsheet codes not normalised: %+v", r)
	}
	pf, err = parsePairs(strings.NewReader("x1;y1;x2;y2;id;minutes\n680000;6800000,5;690000;6810000;a;12,5\n"), "l93.csv", true, true)
	if err != nil {
		t.Fatal(err)
	}
	if r := pf.Rows[0]; r.From.X != 680000 || r.From.Y != 6800000.5 || r.To.Y != 6810000 || r.Minutes != 12.5 {
		t.Errorf("decimal comma or column order: %+v", r)
	}
	for _, c := range []struct{ in, want string }{
		{"", "e.csv:1: empty file"},
		{"id;a;b\n", "e.csv:1: header"},
		{"id;from;to;lon1;lat1;lon2;lat2\n", "e.csv:1: header has both"},
		{"from;to\n77333;77186\n", "e.csv:1: header \"from;to\" has no id column"},
		{"id;from;to\nx;77333\n", "e.csv:2:3: 2 fields, the header has 3"},
		{"id;from;to\nx;77333;Nemours\n", "e.csv:2:3: \"Nemours\" is not an INSEE commune code"},
		{"id,lon1,lat1,lon2,lat2\na,2.7,48.2,x,48\n", "e.csv:2:4: x2/lon2 \"x\" is not a number"},
		{"id,lon1,lat1,lon2,lat2\na,2.7,48.2,NaN,48\n", "e.csv:2:4:"},
		{"id;from;to\na;77333;77186\n\na;77333;77186\n", "e.csv:4:1: id \"a\" already used on line 2"},
		{"id;from;to;from\n", "e.csv:1:4: column \"from\" repeats column 2"},
		{"id;from;to\n;77333;77186\n", "e.csv:2:1: empty id"},
	} {
		_, err := parsePairs(strings.NewReader(c.in), "e.csv", true, false)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want prefix %q", c.in, err, c.want)
		}
		if _, ok := parseerr.As(err); err != nil && !ok {
			t.Errorf("%q: %T is not a parse error", c.in, err)
		}
	}
	if _, err := parsePairs(strings.NewReader("origin;destination\n77333;77186\n"), "v.csv", false, true); err == nil || !strings.Contains(err.Error(), "no minutes column") {
		t.Errorf("verify without minutes: %v", err)
	}
}

// TestAccessTimesKnownCommunes pins the model on real communes: Nemours to
// Fontainebleau, 16.5 km as the crow flies between the snapshot's points
// (about 18 road km and 20 minutes by the D607), and a commune to itself.
func TestAccessTimesKnownCommunes(t *testing.T) {
	g, stdout, _ := testGlobal(t)
	dir := t.TempDir()
	path := dir + "/p.csv"
	writeFile(t, path, "id;from;to\nnf;77333;77186\nfn;77186;77333\nself;77333;77333\nmende;48095;48061\n")
	if err := runAccessTimes(&accessTimesOptions{globalOptions: g, Pairs: path, CRS: 4326, CSVLocale: "en"}); err != nil {
		t.Fatal(err)
	}
	got := stdout.String()
	for _, want := range []string{"id,km,minutes\n", "nf,16.51,24.0\n", "fn,16.51,24.0\n", "self,0.00,0.0\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	// The same trip given as Lambert-93 points of the two communes agrees
	// with the codes within the projection's precision.
	stdout.Reset()
	writeFile(t, path, "id;x1;y1;x2;y2\nnf;676990;6796430;673830;6812600\n")
	if err := runAccessTimes(&accessTimesOptions{globalOptions: g, Pairs: path, CRS: 2154, CSVLocale: "en"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stdout.String(), "id,km,minutes\nnf,16.") {
		t.Errorf("Lambert-93: %s", stdout.String())
	}
	err := runAccessTimes(&accessTimesOptions{globalOptions: g, Pairs: path, CRS: 4326, CSVLocale: "en"})
	if err == nil || !strings.Contains(err.Error(), ":2:2: point (676990, 6.79643e+06) is not a WGS84 longitude, latitude: Lambert-93 metres? add --crs 2154") {
		t.Errorf("Lambert-93 read as WGS84: %v", err)
	}
	writeFile(t, path, "id;from;to\nx;77333;99999\n")
	err = runAccessTimes(&accessTimesOptions{globalOptions: g, Pairs: path, CRS: 4326, CSVLocale: "en"})
	if err == nil || !strings.Contains(err.Error(), "p.csv:2:3: \"99999\" is not a commune") || exitCode(err) != exitUsage {
		t.Errorf("unknown code: %v", err)
	}
}

func TestCompareTimes(t *testing.T) {
	trips := []modelTrip{{Km: 2, Minutes: 8, Road: 6}, {Km: 7, Minutes: 14, Road: 16}, {Km: 30, Minutes: 35, Road: 30}}
	c := compareTimes(trips, 25)
	if c[0].Pairs != 2 || c[0].MAE != 2 || c[0].Bias != 0 || c[1].Pairs != 1 || c[1].Bias != 2 || c[2].Bias != -2 || c[4].Pairs != 0 {
		t.Errorf("%+v", c)
	}
	if all := compareTimes(trips, math.Inf(1)); all[0].Pairs != 3 || math.Abs(all[0].Bias-5.0/3) > 1e-12 {
		t.Errorf("%+v", all)
	}
}

// FuzzParsePairs: whatever the bytes, the parser returns rows whose fields
// are within bounds, or an error naming the file.
func FuzzParsePairs(f *testing.F) {
	f.Add([]byte("id;from;to\nnf;77333;77186\n"))
	f.Add([]byte("id,lon1,lat1,lon2,lat2\na,2.7,48.27,2.7,48.4\n"))
	f.Add([]byte("id;x1;y1;x2;y2;minutes\na;676990;6796430,5;673830;6812600;21,5\n"))
	f.Add([]byte("\ufefforigin;destination;minutes\r\n1001;2a004;3\r\n"))
	f.Add([]byte("id;from;to\n\"a;b\";77333;77186\n"))
	f.Add([]byte("id;from;to\na;77333\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := parsePairs(bytes.NewReader(b), "fuzz.csv", true, false)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		lines := bytes.Count(b, []byte("\n")) + 1
		for _, r := range pf.Rows {
			if r.ID == "" || len(r.ID) > maxItemLen || r.Line < 2 || r.Line > lines {
				t.Fatalf("row %+v", r)
			}
			if (r.From.Code == "") != (r.To.Code == "") {
				t.Fatalf("half a code pair: %+v", r)
			}
			for _, v := range []float64{r.From.X, r.From.Y, r.To.X, r.To.Y} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("non-finite coordinate: %+v", r)
				}
			}
			if utf8.ValidString(string(b)) && !utf8.ValidString(r.ID) {
				t.Fatalf("invalid id from valid input: %q", r.ID)
			}
		}
	})
}

// testGlobal returns options writing to buffers, reading the embedded
// snapshot only (an empty data folder: no local snapshot of the machine).
func testGlobal(t *testing.T) (*globalOptions, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	g := &globalOptions{Stdout: &stdout, Stderr: &stderr, DataDir: t.TempDir()}
	g.Log = slog.New(slog.DiscardHandler)
	return g, &stdout, &stderr
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
