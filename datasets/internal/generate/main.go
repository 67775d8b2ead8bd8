// Command generate builds the embedded national snapshot of diagsante from
// the raw open-data files (see ../shared/docs/DATA.md and raw/SOURCES.md).
//
//	go generate ./datasets/...
//	go run ./datasets/internal/generate -raw ../shared/data/raw -out datasets/snapshot/data
//
// It fails loudly when an input is missing or its columns changed, and
// reports in the manifest (and on standard error) every join it could not
// make. Its output is deterministic: the same inputs give the same bytes.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

func main() {
	raw := flag.String("raw", envOr("DIAGSANTE_RAW", "../shared/data/raw"), "folder of the raw open-data files")
	out := flag.String("out", "datasets/snapshot/data", "folder to write the snapshot into")
	flag.Parse()
	if err := run(*raw, *out); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// gen carries the state of one generation run.
type gen struct {
	raw       string
	inputs    map[string]string
	unmatched map[string]int
	tables    []snapshot.TableInfo
	log       *slog.Logger

	cog      *cog
	points   map[string]point // current code -> point
	contours *contourSet
	// contourStats says how the contours were unioned and simplified.
	contourStats contourStats
	postal       []postalCommune
	// postalIndex groups the hexasmal rows by postcode.
	postalIndex map[string][]postalCommune
}

func run(raw, out string) error {
	g := &gen{raw: raw, inputs: map[string]string{}, unmatched: map[string]int{},
		log: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(out)), ".snapshot-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	steps := []struct {
		name string
		fn   func(dir string) error
	}{
		{"cog", g.buildCOG},
		{"points", g.buildPoints},
		{"contours", g.buildContours},
		{"apl", g.buildAPL},
		{"bpe", g.buildGPs},
		{"liberaux", g.buildLiberal},
		{"finess", g.buildEstablishments},
		{"cpts", g.buildCPTS},
		{"popage", g.buildPopAge},
	}
	for _, s := range steps {
		g.log.Info("building", "step", s.name)
		if err := s.fn(tmp); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	m := snapshot.Manifest{Generated: "diagsante generator, COG 2026", Tables: g.tables, Unmatched: g.unmatched, Inputs: g.inputs}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, snapshot.ManifestFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	keys := make([]string, 0, len(g.unmatched))
	for k := range g.unmatched {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g.log.Info("unmatched", "what", k, "count", g.unmatched[k])
	}
	// Replace the previous snapshot only once everything was written.
	old := out + ".old"
	os.RemoveAll(old)
	if _, err := os.Stat(out); err == nil {
		if err := os.Rename(out, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, out); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// open opens a raw input, records its sha256 and returns its content.
func (g *gen) read(rel string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(g.raw, rel))
	if err != nil {
		return nil, fmt.Errorf("missing input (is -raw right?): %w", err)
	}
	sum := sha256.Sum256(b)
	g.inputs[rel] = hex.EncodeToString(sum[:])
	return b, nil
}

// write writes one table file and records its description.
func (g *gen) write(dir, file string, info snapshot.TableInfo, fn func(io.Writer) (int, error)) error {
	f, err := os.Create(filepath.Join(dir, file))
	if err != nil {
		return err
	}
	n, err := fn(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", file, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	info.Rows = n
	info.Origin = "embedded"
	g.tables = append(g.tables, info)
	g.log.Info("wrote", "table", info.Name, "rows", n)
	return nil
}

// checkHeader fails when a CSV header is not exactly what the generator was
// written for: a changed source must be looked at, not half-read.
func checkHeader(file string, got []string, want ...string) error {
	if len(got) > 0 {
		got[0] = strings.TrimPrefix(got[0], "\ufeff")
	}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		return fmt.Errorf("%s: header changed:\n got  %s\n want %s", file, strings.Join(got, ";"), strings.Join(want, ";"))
	}
	return nil
}

const licenceOuverte = "Licence Ouverte / Open Licence 2.0 (Etalab)"
