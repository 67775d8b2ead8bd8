package update

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzPick decodes a dataset description as the API returns it and picks a
// resource: a resource picked matches the rule, and none that matches was
// modified later.
func FuzzPick(f *testing.F) {
	f.Add([]byte(`{"resources":[{"id":"a","title":"Extraction","url":"http://x/etalab-cs1100507-stock-20260311-0343.csv","filesize":12,"last_modified":"2026-03-11T03:43:00.000000","checksum":{"type":"sha1","value":"AB"}}]}`))
	f.Add([]byte(`{"resources":[{"title":"a.csv","url":"http://x/a.csv","last_modified":"2026-01-01T00:00:00+00:00"},{"title":"b.csv","url":"http://x/b.csv","last_modified":"2026-02-01"}]}`))
	f.Add([]byte(`{"resources":[{"title":"a.csv","url":"","last_modified":"nope"}]}`))
	f.Add([]byte(`{"resources":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d apiDataset
		if json.Unmarshal(b, &d) != nil {
			return
		}
		s := Source{Key: "k", Dataset: "ds", Match: `\.csv$`}
		r, err := pick(s, "http://api/datasets/ds/", d)
		if err != nil {
			return
		}
		re, _ := s.matcher()
		if !re.MatchString(r.Title) && !re.MatchString(r.FileName()) {
			t.Fatalf("picked %+v, which does not match", r)
		}
		for _, x := range d.Resources {
			if x.URL == "" || !(re.MatchString(x.Title) || re.MatchString(Resource{URL: x.URL, Title: x.Title}.FileName())) {
				continue
			}
			if tm, err := parseTime(x.LastModified); err == nil && tm.After(r.Modified) {
				t.Fatalf("picked %v, but %q is newer (%v)", r.Modified, x.Title, tm)
			}
		}
		if r.Size < 0 {
			t.Fatalf("negative size %d", r.Size)
		}
	})
}

// FuzzContentRange: a header written from a range reads back the same.
func FuzzContentRange(f *testing.F) {
	f.Add(int64(0), int64(99), int64(100), "")
	f.Add(int64(1000), int64(1999), int64(-1), "bytes 12-")
	f.Add(int64(5), int64(5), int64(6), "bytes */100")
	f.Fuzz(func(t *testing.T, start, end, size int64, raw string) {
		contentRange(raw) // never panics on what a server sends
		if start < 0 || end < start {
			return
		}
		sz := "*"
		if size >= 0 {
			sz = fmt.Sprint(size)
		}
		s, n, ok := contentRange(fmt.Sprintf("bytes %d-%d/%s", start, end, sz))
		if !ok || s != start || n != max(size, -1) {
			t.Fatalf("bytes %d-%d/%s read as %d %d %v", start, end, sz, s, n, ok)
		}
	})
}

// FuzzDetect: any content is either recognised or not, never a crash, and
// the same content gives the same answer.
func FuzzDetect(f *testing.F) {
	f.Add([]byte("finess;etalab;93;2026-05-04\n"))
	f.Add([]byte("Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code profession|Code commune (coord. structure)|\n"))
	f.Add([]byte("{\"pmej\": []}"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{0x1f, 0x8b, 8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		k1, err1 := Detect(p)
		k2, err2 := Detect(p)
		if k1 != k2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("two answers: %v %v / %v %v", k1, err1, k2, err2)
		}
		if err1 != nil && k1 != Unknown {
			t.Fatalf("error %v with kind %v", err1, k1)
		}
	})
}
