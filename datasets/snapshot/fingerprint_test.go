package snapshot

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
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
