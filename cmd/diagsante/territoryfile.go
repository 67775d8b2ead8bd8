package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/snapshot"
	"github.com/diagsante/diagsante/datasets/textnorm"
	"github.com/diagsante/diagsante/diagnostic"
)

// Bounds of what a territory list can hold. The largest real list, every
// commune of France by code, is about 200 KB with 6-byte lines: a file past
// these bounds is the wrong file (a device, a binary, a dump), refused
// before it is buffered whole.
const (
	maxListFile = 16 << 20 // bytes of an @file
	maxListLine = 4 << 10  // bytes of one of its lines
	// maxItemLen bounds one territory item, on the command line or in a
	// file: the longest EPCI and CPTS names are about 100 characters.
	maxItemLen = 200
	// echoLen is how much of a user's input an error message repeats.
	echoLen = 80
)

// echo quotes a user's input for an error message, cut to echoLen
// characters so that a 100 KB argument does not fill the terminal.
func echo(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if utf8.RuneCountInString(s) <= echoLen {
		return fmt.Sprintf("%q", s)
	}
	n := 0
	for i := range s {
		if n == echoLen {
			return fmt.Sprintf("%q… (%d bytes)", s[:i], len(s))
		}
		n++
	}
	return fmt.Sprintf("%q", s)
}

// checkItem refuses a territory item that cannot be a territory: not UTF-8
// text (it would be written raw into the report), or far longer than any
// name. where names its origin ("argument 2", "list.txt:3").
func checkItem(where, it string) error {
	if !utf8.ValidString(it) {
		return usageErr(fmt.Errorf("%s: %s is not valid UTF-8 text (a Latin-1 terminal or file?)", where, echo(it)))
	}
	if len(it) > maxItemLen {
		return usageErr(fmt.Errorf("%s: territory item %s is too long to be a territory name or code", where, echo(it)))
	}
	return nil
}

// resolveTerritory loads the snapshot, expands named territories and @file
// items, resolves them, and prints the resolver's warnings on standard
// error: the common start of every command that takes TERRITORY arguments.
func (o *globalOptions) resolveTerritory(args []string) (*snapshot.Snapshot, *diagnostic.Territory, error) {
	for i, a := range args {
		if err := checkItem(fmt.Sprintf("argument %d", i+1), a); err != nil {
			return nil, nil, err
		}
	}
	s, err := o.snapshot()
	if err != nil {
		return nil, nil, err
	}
	items, origins, err := o.territoryItems(args)
	if err != nil {
		return nil, nil, err
	}
	t, err := diagnostic.NewResolver(s).Resolve(items...)
	if err != nil {
		return nil, nil, locateResolveErrors(err, origins)
	}
	for _, w := range t.Warnings {
		fmt.Fprintln(o.Stderr, "warning:", w)
	}
	return s, t, nil
}

// locateResolveErrors prefixes the resolver's errors about items read from
// a list file with that file and line ("communes.txt:3: territory …"),
// keeping their type (exit status 2).
func locateResolveErrors(err error, origins map[string]string) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	changed := false
	for i, e := range errs {
		var re *diagnostic.ResolveError
		if errors.As(e, &re) {
			if where, ok := origins[re.Item]; ok {
				errs[i] = fmt.Errorf("%s: %w", where, e)
				changed = true
			}
		}
	}
	if !changed {
		return err
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return errors.Join(errs...)
}

// territoryItems expands the named territories of the configuration
// (`territories:` in diagsante.yaml, a map of name to items) and then the
// @file items. A named territory takes precedence over a commune of the
// same name: the user declared it. origins maps an item read from a file to
// its "file:line".
func (o *globalOptions) territoryItems(items []string) (out []string, origins map[string]string, err error) {
	var named map[string][]string
	if o.cfg != nil { // nil when a test builds the options by hand
		named = o.cfg.GetStringMapStringSlice("territories")
	}
	for _, it := range items {
		if list, ok := named[strings.ToLower(it)]; ok {
			if len(list) == 0 {
				return nil, nil, usageErr(fmt.Errorf("territory %q of the configuration lists no item", it))
			}
			o.Log.Info("named territory from the configuration", "name", it, "items", list)
			out = append(out, list...)
			continue
		}
		out = append(out, it)
	}
	return expandItems(out)
}

// A listItem is one item of a list file and the line it is on.
type listItem struct {
	Text string
	Line int
}

// expandItems replaces every @file item by the items the file lists: one
// item per line (blank lines and # comments ignored), or, when the first line
// is a CSV header (`;` or `,`) with a code column (code, code_insee, codgeo,
// code_commune_insee, insee…), the values of that column.
func expandItems(items []string) ([]string, map[string]string, error) {
	var out []string
	origins := map[string]string{}
	for _, it := range items {
		if !strings.HasPrefix(it, "@") {
			out = append(out, it)
			continue
		}
		path := strings.TrimPrefix(it, "@")
		b, err := readListFile(path)
		if err != nil {
			return nil, nil, usageErr(err)
		}
		got, err := parseTerritoryFile(path, b)
		if err != nil {
			return nil, nil, usageErr(err)
		}
		if len(got) == 0 {
			return nil, nil, usageErr(fmt.Errorf("%s: no territory in file", path))
		}
		for _, g := range got {
			out = append(out, g.Text)
			if _, seen := origins[g.Text]; !seen {
				origins[g.Text] = fmt.Sprintf("%s:%d", path, g.Line)
			}
		}
	}
	return out, origins, nil
}

// readListFile reads a list file of at most maxListFile bytes. It reads
// through a limit, so that a device (/dev/zero) or a huge file fails after
// the bound instead of filling memory, and sniffs the first bytes so that a
// binary fails at once.
func readListFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("territory file: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("territory file %s is a folder: give a text list or a CSV", path)
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("territory file: %w", err)
	}
	head = head[:n]
	if looksBinary(head) {
		return nil, errBinary(path)
	}
	rest, err := io.ReadAll(io.LimitReader(f, maxListFile+1-int64(n)))
	if err != nil {
		return nil, fmt.Errorf("territory file: %w", err)
	}
	b := append(head, rest...)
	if len(b) > maxListFile {
		return nil, fmt.Errorf("%s: larger than %d MB: not a territory list", path, maxListFile>>20)
	}
	return b, nil
}

// looksBinary tells a binary file by its first bytes: a zip container
// (xlsx, ods, docx), an OLE2 one (xls, doc), a PDF, or a NUL byte, which no
// text list holds.
func looksBinary(head []byte) bool {
	for _, sig := range []string{"PK\x03\x04", "PK\x05\x06", "\xd0\xcf\x11\xe0", "%PDF-"} {
		if bytes.HasPrefix(head, []byte(sig)) {
			return true
		}
	}
	return bytes.IndexByte(head, 0) >= 0
}

func errBinary(path string) error {
	return fmt.Errorf("%s: looks like a binary file (xlsx?); give a text list or a CSV", path)
}

var codeColumns = map[string]bool{"code": true, "code insee": true, "codgeo": true, "code commune insee": true, "insee": true,
	"code commune": true, "com": true, "depcom": true, "codecommune": true}

// parseTerritoryFile returns the items of a list file with their lines.
// Errors name the file and the line: binary content, a line that is not
// UTF-8 or longer than maxListLine, an item that cannot be a territory.
func parseTerritoryFile(path string, b []byte) ([]listItem, error) {
	if looksBinary(b[:min(len(b), 512)]) {
		return nil, errBinary(path)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	// Check every line before parsing, so that the CSV reader never
	// buffers a huge field, and find the first line that is not blank nor
	// a # comment: it tells a CSV (it has a separator) from a plain list.
	var first []byte
	for rest, n := b, 1; len(rest) > 0; n++ {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		if len(line) > maxListLine {
			return nil, fmt.Errorf("%s:%d: line longer than %d bytes: not a territory list", path, n, maxListLine)
		}
		if bytes.IndexByte(line, 0) >= 0 {
			return nil, errBinary(path)
		}
		if !utf8.Valid(line) {
			return nil, fmt.Errorf("%s:%d: not UTF-8 text (a Latin-1 or Windows-1252 export?): save the file as UTF-8", path, n)
		}
		if t := bytes.TrimSpace(line); first == nil && len(t) > 0 && t[0] != '#' {
			first = t
		}
	}
	var out []listItem
	add := func(text string, line int) error {
		if err := checkItem(fmt.Sprintf("%s:%d", path, line), text); err != nil {
			return err
		}
		out = append(out, listItem{text, line})
		return nil
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
			return nil, csvErr(path, err)
		}
		hline, _ := r.FieldPos(0)
		col := -1
		for i, h := range header {
			if codeColumns[textnorm.Fold(h)] {
				col = i
				break
			}
		}
		if col < 0 {
			return nil, fmt.Errorf("%s:%d: CSV header %s has no code column (code, code_insee, codgeo…)", path, hline, echo(strings.TrimSpace(string(first))))
		}
		for {
			rec, err := r.Read()
			if err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return nil, csvErr(path, err)
			}
			line, _ := r.FieldPos(0)
			if col >= len(rec) {
				return nil, fmt.Errorf("%s:%d:%d: missing code column", path, line, col+1)
			}
			if v := strings.TrimSpace(rec[col]); v != "" {
				line, _ = r.FieldPos(col)
				if err := add(v, line); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	for rest, n, items := b, 1, 0; len(rest) > 0; n++ {
		var line []byte
		line, rest, _ = bytes.Cut(rest, []byte("\n"))
		t := strings.TrimSpace(string(line))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		// A one-column CSV has no separator to tell it by: a first line
		// that is a code column's name ("code", "code_insee") is its
		// header, not a place (no commune is so named).
		if items++; items == 1 && codeColumns[textnorm.Fold(t)] {
			continue
		}
		if err := add(t, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// csvErr formats a CSV syntax error as file:line:column: message.
func csvErr(path string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %w", path, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
