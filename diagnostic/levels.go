package diagnostic

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/diagsante/diagsante/datasets/jsonsplit"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// The figures of the comparison levels (every département, every région and
// France) depend on the snapshot only, not on the territory: France's alone
// is a pass over 35,000 communes, about 75 ms of CPU at each start. They are
// computed from the embedded snapshot by `go generate` (internal/genlevels)
// and stored in data/levels.json.gz with the snapshot's Fingerprint. An
// engine uses them when told to (UseStoredLevels), for a snapshot of that
// fingerprint (the embedded one, with no local import over it) and the
// default APL thresholds; any other case computes them as before.
// TestStoredLevelsAreCurrent recomputes them all and fails when the stored
// file is stale (the code of Figures or the snapshot changed without
// `go generate ./diagnostic`).

//go:generate go run ./internal/genlevels -out data/levels.json.gz

//go:embed data/levels.json.gz
var storedLevelsGz []byte

// storedLevelsFile is the content of data/levels.json.gz.
type storedLevelsFile struct {
	// Fingerprint is the snapshot's (see snapshot.Snapshot.Fingerprint).
	Fingerprint string `json:"fingerprint"`
	// Levels are the Figures by level key (levelKey).
	Levels map[string]json.RawMessage `json:"levels"`
}

var (
	storedOnce   sync.Once
	storedLevels *storedLevelsFile
)

// loadStoredLevels decodes the embedded file once per process; nil when it
// cannot be read (the engine then computes every level).
func loadStoredLevels() *storedLevelsFile {
	storedOnce.Do(func() {
		f, err := decodeStoredLevels(storedLevelsGz)
		if err == nil {
			storedLevels = f
		}
	})
	return storedLevels
}

func decodeStoredLevels(gz []byte) (*storedLevelsFile, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	// Cut, not decoded whole: a command reads a few of the 120 levels,
	// each decoded (and so validated) when taken.
	top, err := jsonsplit.Object(b)
	if err != nil {
		return nil, err
	}
	var f storedLevelsFile
	if err := json.Unmarshal(top["fingerprint"], &f.Fingerprint); err != nil {
		return nil, fmt.Errorf("stored levels: fingerprint: %w", err)
	}
	if f.Levels, err = jsonsplit.Object(top["levels"]); err != nil {
		return nil, fmt.Errorf("stored levels: %w", err)
	}
	return &f, nil
}

func levelKey(kind, code string) string { return kind + ":" + code }

// UseStoredLevels lets the engine take the comparison levels' figures from
// those stored in the program (see levels.go) when they were computed from
// the same data as its snapshot's, rather than compute them. The
// fingerprint is that of the files the snapshot was read from: call it
// only for a snapshot nothing altered after loading (tests alter theirs).
func (e *Engine) UseStoredLevels() { e.useStoredLevels = true }

// StoredLevelsMatch reports whether the levels' figures stored in the
// program were computed from the same data as the snapshot's: an engine
// told to use them (UseStoredLevels) then needs no APL but its
// territory's. The snapshot's report tables must have been read (the APL
// table possibly by LoadAPLOf).
func StoredLevelsMatch(s *snapshot.Snapshot) bool {
	st := loadStoredLevels()
	fp := s.Fingerprint()
	return st != nil && fp != "" && fp == st.Fingerprint
}

// storedLevel returns the stored figures of a level when they are valid for
// this engine.
func (e *Engine) storedLevel(key string) (Figures, bool) {
	if !e.useStoredLevels || e.Thresholds != DefaultThresholds {
		return Figures{}, false
	}
	st := loadStoredLevels()
	if st == nil {
		return Figures{}, false
	}
	e.fpOnce.Do(func() { e.fingerprint = e.Snap.Fingerprint() })
	if e.fingerprint == "" || e.fingerprint != st.Fingerprint {
		return Figures{}, false
	}
	raw, ok := st.Levels[key]
	if !ok {
		return Figures{}, false
	}
	var f Figures
	if err := json.Unmarshal(raw, &f); err != nil {
		return Figures{}, false
	}
	return f, true
}

// levelKeys are the levels stored: every département and région of the
// snapshot, and France.
func levelKeys(s *snapshot.Snapshot) [][2]string {
	var out [][2]string
	for _, d := range s.Departements {
		out = append(out, [2]string{"departement", d.Code})
	}
	for _, r := range s.Regions {
		out = append(out, [2]string{"region", r.Code})
	}
	return append(out, [2]string{"france", ""})
}

// StoredLevelsFile computes the figures of every level of a snapshot, with
// no stored figure, and returns the content of data/levels.json.gz for it
// (what `go generate` writes).
func StoredLevelsFile(s *snapshot.Snapshot) ([]byte, error) {
	fp := s.Fingerprint()
	if fp == "" {
		return nil, fmt.Errorf("diagnostic: the snapshot was not loaded whole")
	}
	e := NewEngine(s)
	out := storedLevelsFile{Fingerprint: fp, Levels: map[string]json.RawMessage{}}
	for _, k := range levelKeys(s) {
		b, err := json.Marshal(e.LevelFigures(k[0], k[1]))
		if err != nil {
			return nil, err
		}
		out.Levels[levelKey(k[0], k[1])] = b
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
