package jsonsplit

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"testing"
)

// sameAsUnmarshal checks that Object gives json.Unmarshal's members when
// json.Unmarshal accepts b.
func sameAsUnmarshal(t *testing.T, b []byte) {
	t.Helper()
	var want map[string]json.RawMessage
	if err := json.Unmarshal(b, &want); err != nil {
		return
	}
	got, err := Object(b)
	if err != nil {
		t.Fatalf("Object(%q): %v; json.Unmarshal accepts it", b, err)
	}
	if len(got) != len(want) {
		t.Fatalf("Object(%q): %d members, want %d", b, len(got), len(want))
	}
	for k, w := range want {
		if g, ok := got[k]; !ok || !bytes.Equal(g, w) {
			t.Fatalf("Object(%q)[%q] = %q (%v), want %q", b, k, g, ok, w)
		}
	}
}

func TestObject(t *testing.T) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : [1, {"b": "]}"}] , "c":"x\"y}" }`,
		`{"a":1,"a":2}`, `{"k\u00e9":true,"z":null}`, `{"n":-1.5e3,"f":false}`,
		"{\"a\":\t{\"x\":[[[2.5,48.1],[2.6,48.2]]]}\n}\n",
	} {
		sameAsUnmarshal(t, []byte(s))
	}
	for _, s := range []string{``, `[]`, `{`, `{"a"`, `{"a":`, `{"a":[1`, `{"a":1`, `{"a":"x`, `{"a":1 `, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1} x`, `{"a":[1,2}`, `{"a":"x}`, `{a:1}`, `{"a":1 "b":2}`, "{\"a\":\"x\ty\"}", "{\"a\n\":1}"} {
		if m, err := Object([]byte(s)); err == nil {
			t.Errorf("Object(%q) = %v, want an error", s, m)
		}
	}
}

// TestObjectContours: the contour file of Seine-et-Marne splits into the
// members json.Unmarshal finds (507 communes).
func TestObjectContours(t *testing.T) {
	f, err := os.Open("../snapshot/data/contours/77.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	sameAsUnmarshal(t, b)
	m, _ := Object(b)
	if len(m) < 500 || !json.Valid(m["77333"]) {
		t.Errorf("%d members; Nemours valid: %v", len(m), json.Valid(m["77333"]))
	}
}

func FuzzObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":[1,{"b":"]"}],"c":"x\"y"}`, `{"k\u00e9":true}`, `{"a":{"b":[]}} `, `{"a":"\\"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		Object(b) // never panics
		sameAsUnmarshal(t, b)
	})
}
