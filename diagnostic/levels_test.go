package diagnostic

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// TestStoredLevelsAreCurrent recomputes the figures of every level of the
// embedded snapshot and compares them with those stored in
// data/levels.json.gz: a change to how figures are computed, or a
// regenerated snapshot, without `go generate ./diagnostic` fails here.
func TestStoredLevelsAreCurrent(t *testing.T) {
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	b, err := StoredLevelsFile(s)
	if err != nil {
		t.Fatal(err)
	}
	live, err := decodeStoredLevels(b)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := decodeStoredLevels(storedLevelsGz)
	if err != nil {
		t.Fatalf("data/levels.json.gz: %v", err)
	}
	const fix = "; run `go generate ./diagnostic`"
	if stored.Fingerprint != live.Fingerprint {
		t.Fatalf("stored levels are for snapshot %s, the embedded one is %s%s", stored.Fingerprint, live.Fingerprint, fix)
	}
	// 101 départements, 18 régions (the embedded tables list those
	// with a code, collectivités d'outre-mer included) and France.
	if len(live.Levels) != len(s.Departements)+len(s.Regions)+1 || len(s.Departements) < 101 || len(s.Regions) < 18 {
		t.Fatalf("%d levels for %d départements and %d régions", len(live.Levels), len(s.Departements), len(s.Regions))
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range live.Levels {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		var a, b bytes.Buffer
		if err := json.Compact(&a, live.Levels[k]); err != nil {
			t.Fatal(err)
		}
		if err := json.Compact(&b, stored.Levels[k]); err != nil {
			t.Fatalf("%s: %v%s", k, err, fix)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatalf("%s: stored figures differ from the computed ones%s\nstored:   %s\ncomputed: %s", k, fix, b.Bytes(), a.Bytes())
		}
	}
	if len(stored.Levels) != len(live.Levels) {
		t.Fatalf("%d stored levels, %d computed%s", len(stored.Levels), len(live.Levels), fix)
	}
}

// TestStoredLevelsDecodeToTheComputedFigures: the figures an engine takes
// from the stored file are those it computes, field for field (nil and
// empty kept apart), for France, a département and a région.
func TestStoredLevelsDecodeToTheComputedFigures(t *testing.T) {
	live := realEngine(t)
	s, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(s)
	e.UseStoredLevels()
	for _, k := range [][2]string{{"france", ""}, {"departement", "77"}, {"departement", "976"}, {"region", "93"}} {
		if _, ok := e.storedLevel(levelKey(k[0], k[1])); !ok {
			t.Fatalf("%v: not taken from the stored levels", k)
		}
		got, want := e.LevelFigures(k[0], k[1]), live.LevelFigures(k[0], k[1])
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: stored %+v\ncomputed %+v", k, got, want)
		}
	}
	// France: metropolitan France and the DROM, 68 million inhabitants.
	if p := e.LevelFigures("france", "").Population; p < 67_000_000 || p > 70_000_000 {
		t.Errorf("France's population %d", p)
	}
}

// TestStoredLevelsOnlyForTheSameData: the stored figures are taken only by
// an engine told to, for a snapshot read whole from the same files, and
// with the default thresholds; in every other case the levels are
// computed. A tampered stored file shows which path was taken.
func TestStoredLevelsOnlyForTheSameData(t *testing.T) {
	st := loadStoredLevels()
	if st == nil {
		t.Fatal("no stored levels")
	}
	tampered := &storedLevelsFile{Fingerprint: st.Fingerprint, Levels: map[string]json.RawMessage{}}
	for k, v := range st.Levels {
		tampered.Levels[k] = v
	}
	tampered.Levels["france:"] = json.RawMessage(`{"communes":1,"population":12345,"structures":{},"sources":{}}`)
	storedLevels = tampered
	t.Cleanup(func() { storedLevels = st })

	france := func(t *testing.T, s *snapshot.Snapshot, use bool, change func(*Engine)) int {
		t.Helper()
		e := NewEngine(s)
		if use {
			e.UseStoredLevels()
		}
		if change != nil {
			change(e)
		}
		return e.LevelFigures("france", "").Population
	}
	emb, err := snapshot.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	real := realEngine(t).LevelFigures("france", "").Population
	if got := france(t, emb, true, nil); got != 12345 {
		t.Errorf("embedded snapshot, stored levels allowed: population %d, want the stored 12345", got)
	}
	if got := france(t, emb, false, nil); got != real {
		t.Errorf("stored levels not allowed: population %d, want %d computed", got, real)
	}
	if got := france(t, emb, true, func(e *Engine) { e.Thresholds.Low = 3 }); got != real {
		t.Errorf("other thresholds: population %d, want %d computed", got, real)
	}

	// A local layer whose manifest differs by one byte: another snapshot.
	mb, err := os.ReadFile(filepath.Join("..", "datasets", "snapshot", "data", snapshot.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	local := fstest.MapFS{snapshot.ManifestFile: {Data: append(mb, ' ')}}
	layered, err := snapshot.LoadLayers(local, snapshot.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if got := france(t, layered, true, nil); got != real {
		t.Errorf("local manifest: population %d, want %d computed", got, real)
	}

	// StoredLevelsMatch, which tells diagnose whether it may read the
	// APL of its territory only, agrees.
	if !StoredLevelsMatch(emb) {
		t.Error("embedded snapshot: StoredLevelsMatch false")
	}
	if StoredLevelsMatch(layered) {
		t.Error("local manifest: StoredLevelsMatch true")
	}
	part, err := snapshot.LoadLayersOnly([]string{snapshot.CommunesFile}, snapshot.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if StoredLevelsMatch(part) {
		t.Error("communes only: StoredLevelsMatch true")
	}
	storedLevels = nil
	if StoredLevelsMatch(emb) {
		t.Error("no stored levels: StoredLevelsMatch true")
	}
}
