package snapshot

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"
)

// TestFingerprint: the same files give the same fingerprint; one changed
// row of one table, or a snapshot not read whole, gives another (or none).
func TestFingerprint(t *testing.T) {
	a, b := mustLoad(t), mustLoad(t)
	fa := a.Fingerprint()
	if len(fa) != 64 || fa != b.Fingerprint() {
		t.Fatalf("two loads of the embedded snapshot: %q and %q", fa, b.Fingerprint())
	}
	part, err := LoadLayersOnly([]string{CommunesFile}, Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if fp := part.Fingerprint(); fp != "" {
		t.Errorf("communes only: fingerprint %q, want none", fp)
	}

	// A local layer with the same manifest and the popage table, as is or
	// with its last row's value changed.
	mb, err := fs.ReadFile(Embedded(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := fs.ReadFile(Embedded(), PopAgeFile)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Clone(raw)
	i := bytes.LastIndexAny(changed[:len(changed)-1], "0123456789")
	changed[i] = '0' + (changed[i]-'0'+1)%10
	layer := func(table []byte) string {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(table)
		zw.Close()
		s, err := LoadLayers(fstest.MapFS{ManifestFile: {Data: mb}, PopAgeFile: {Data: buf.Bytes()}}, Embedded())
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprint()
	}
	same, other := layer(raw), layer(changed)
	if same == "" || same == other {
		t.Errorf("popage changed in one digit: fingerprints %q and %q", same, other)
	}
	if same == fa {
		t.Errorf("a snapshot of two layers has the fingerprint of the embedded one")
	}
}

// TestReadAPLKeepsTheSameRowsInAnyColumnOrder: the filtered read skips
// rows by their first column when it is the code (the writer's order) and
// splits every row otherwise; both keep the same rows, and a row with a
// wrong field count among the kept ones is still an error naming its line.
func TestReadAPLKeepsTheSameRowsInAnyColumnOrder(t *testing.T) {
	rows := mustLoad(t).APL[:500]
	keep := func(code string) bool { return code == rows[7].Code || code == rows[300].Code || code == "77333" }
	var want []APL
	for _, r := range rows {
		if keep(r.Code) {
			want = append(want, r)
		}
	}
	if len(want) < 2 {
		t.Fatalf("%d rows kept of the first 500", len(want))
	}
	read := func(columns []string) []APL {
		t.Helper()
		var buf bytes.Buffer
		tw, err := NewTableWriter(&buf, columns...)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range rows {
			v := map[string]any{"code": a.Code, "vintage": a.Vintage, "pop_year": a.PopYear, "apl": a.Value, "apl_under65": a.Under65,
				"pop_standardised": a.PopStandardised, "pop_total": a.PopTotal}
			var vals []any
			for _, c := range columns {
				vals = append(vals, v[c])
			}
			if err := tw.Write(vals...); err != nil {
				t.Fatal(err)
			}
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		r, err := newTableReader(APLFile, buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		out := readAPL(r, keep)
		if r.err != nil {
			t.Fatal(r.err)
		}
		return out
	}
	first := read([]string{"code", "vintage", "pop_year", "apl", "apl_under65", "pop_standardised", "pop_total"})
	later := read([]string{"vintage", "pop_year", "apl", "code", "apl_under65", "pop_standardised", "pop_total"})
	if !reflect.DeepEqual(first, want) || !reflect.DeepEqual(later, want) {
		t.Errorf("code first: %v\ncode fourth: %v\nwant %v", first, later, want)
	}

	// A kept row cut short: the error names its line (header = line 1).
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	io.WriteString(zw, "code\tvintage\tpop_year\tapl\tapl_under65\tpop_standardised\tpop_total\n01001\t2023\t2021\t3\t2\t800\t790\n77333\t2023\t2021\n")
	zw.Close()
	r, err := newTableReader(APLFile, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	readAPL(r, keep)
	if r.err == nil || r.err.Error() != "apl.tsv.gz:3: 3 fields, want 7" {
		t.Errorf("short kept row: %v", r.err)
	}
}

// FuzzFilteredAPLRead: wherever the whole APL table reads without error,
// the filtered read (rows skipped by their first column, unsplit) keeps
// exactly the rows of the whole read that the filter accepts.
func FuzzFilteredAPLRead(f *testing.F) {
	const header = "code\tvintage\tpop_year\tapl\tapl_under65\tpop_standardised\tpop_total\n"
	for _, s := range []string{
		header + "77333\t2023\t2021\t2.647\t2.3\t12819.928\t13100\n01001\t2023\t2021\t3\t2\t800\t790\n",
		header + "77333\t2023\t2021\t2.647\t2.3\t12819.928\t13100",
		header + "\n77333\t2023\t2021\t1\t1\t1\t1\n",
		header + "7733\t2023\t2021\t1\t1\t1\t1\n77\t2022\t2020\t1\t1\t1\t1\n",
		"vintage\tcode\tpop_year\tapl\tapl_under65\tpop_standardised\tpop_total\n2023\t77333\t2021\t1\t1\t1\t1\n",
		header + "77333\t2023\n",
	} {
		f.Add([]byte(s))
	}
	keep := func(code string) bool { return len(code)%2 == 1 }
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		read := func(keep func(string) bool) ([]APL, error) {
			r, err := newTableReader(APLFile, buf.Bytes())
			if err != nil {
				return nil, err
			}
			rows := readAPL(r, keep)
			return rows, r.err
		}
		all, err := read(nil)
		if err != nil {
			return
		}
		some, err := read(keep)
		if err != nil {
			t.Fatalf("filtered read fails where the whole read does not: %v", err)
		}
		var want []APL
		for _, a := range all {
			if keep(a.Code) {
				want = append(want, a)
			}
		}
		if len(some) != len(want) {
			t.Fatalf("filtered read kept %d rows, the whole read has %d accepted", len(some), len(want))
		}
		for i := range want {
			if some[i] != want[i] && !(some[i].Code == want[i].Code && hasNaN(some[i]) && hasNaN(want[i])) {
				t.Fatalf("row %d: %+v, want %+v", i, some[i], want[i])
			}
		}
	})
}

func hasNaN(a APL) bool {
	return a.Value != a.Value || a.Under65 != a.Under65 || a.PopStandardised != a.PopStandardised || a.PopTotal != a.PopTotal
}
