package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
	"github.com/diagsante/diagsante/diagnostic"
)

// resolveTerritory loads the snapshot, expands named territories and @file
// items, resolves them, and prints the resolver's warnings on standard
// error: the common start of every command that takes TERRITORY arguments.
func (o *globalOptions) resolveTerritory(args []string) (*snapshot.Snapshot, *diagnostic.Territory, error) {
	s, err := o.snapshot()
	if err != nil {
		return nil, nil, err
	}
	items, err := o.territoryItems(args)
	if err != nil {
		return nil, nil, err
	}
	t, err := diagnostic.NewResolver(s).Resolve(items...)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range t.Warnings {
		fmt.Fprintln(o.Stderr, "warning:", w)
	}
	return s, t, nil
}

// territoryItems expands the named territories of the configuration
// (`territories:` in diagsante.yaml, a map of name to items) and then the
// @file items. A named territory takes precedence over a commune of the
// same name: the user declared it.
func (o *globalOptions) territoryItems(items []string) ([]string, error) {
	var named map[string][]string
	if o.cfg != nil { // nil when a test builds the options by hand
		named = o.cfg.GetStringMapStringSlice("territories")
	}
	var out []string
	for _, it := range items {
		if list, ok := named[strings.ToLower(it)]; ok {
			if len(list) == 0 {
				return nil, usageErr(fmt.Errorf("territory %q of the configuration lists no item", it))
			}
			o.Log.Info("named territory from the configuration", "name", it, "items", list)
			out = append(out, list...)
			continue
		}
		out = append(out, it)
	}
	return expandItems(out)
}

// expandItems replaces every @file item by the items the file lists: one
// item per line (blank lines and # comments ignored), or, when the first line
// is a CSV header (`;` or `,`) with a code column (code, code_insee, codgeo,
// code_commune_insee, insee…), the values of that column.
func expandItems(items []string) ([]string, error) {
	var out []string
	for _, it := range items {
		if !strings.HasPrefix(it, "@") {
			out = append(out, it)
			continue
		}
		path := strings.TrimPrefix(it, "@")
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, usageErr(fmt.Errorf("territory file: %w", err))
		}
		got, err := parseTerritoryFile(path, b)
		if err != nil {
			return nil, usageErr(err)
		}
		if len(got) == 0 {
			return nil, usageErr(fmt.Errorf("%s: no territory in file", path))
		}
		out = append(out, got...)
	}
	return out, nil
}

var codeColumns = map[string]bool{"code": true, "code insee": true, "codgeo": true, "code commune insee": true, "insee": true,
	"code commune": true, "com": true, "depcom": true, "codecommune": true}

func parseTerritoryFile(path string, b []byte) ([]string, error) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	// The first line that is not blank nor a # comment tells a CSV (it has a
	// separator) from a plain list.
	var first []byte
	for rest := b; len(rest) > 0; {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' {
			first = t
			break
		}
	}
	for _, sep := range []rune{';', ',', '\t'} {
		if !bytes.ContainsRune(first, sep) {
			continue
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = sep
		r.Comment = '#'
		r.FieldsPerRecord = -1
		header, err := r.Read()
		if err != nil {
			return nil, fmt.Errorf("%s:1: %w", path, err)
		}
		col := -1
		for i, h := range header {
			if codeColumns[textnorm.Fold(h)] {
				col = i
				break
			}
		}
		if col < 0 {
			return nil, fmt.Errorf("%s:1: CSV header %q has no code column (code, code_insee, codgeo…)", path, strings.TrimSpace(string(first)))
		}
		var out []string
		for line := 2; ; line++ {
			rec, err := r.Read()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			if col >= len(rec) {
				return nil, fmt.Errorf("%s:%d:%d: missing code column", path, line, col+1)
			}
			if v := strings.TrimSpace(rec[col]); v != "" {
				out = append(out, v)
			}
		}
		return out, nil
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out, sc.Err()
}
