package importer

import (
	"sort"
	"strings"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

// Kinds of commune codes found in source files, relative to the COG of the
// embedded snapshot.
const (
	KindCurrent        = "current"        // a commune of the COG
	KindOld            = "old"            // a commune merged since (commune déléguée, associée or absorbed)
	KindArrondissement = "arrondissement" // an arrondissement municipal of Paris, Lyon or Marseille
)

// Codes maps commune codes of any vintage onto the current communes of a
// snapshot, and counts what it saw so that imports can say how many codes
// were old or unknown.
type Codes struct {
	s   *snapshot.Snapshot
	arr map[string]string
}

// NewCodes indexes the COG of a snapshot.
func NewCodes(s *snapshot.Snapshot) *Codes {
	c := &Codes{s: s, arr: make(map[string]string, len(s.Arrondissements))}
	for _, a := range s.Arrondissements {
		c.arr[a.Code] = a.Commune
	}
	return c
}

// Current returns the current commune of a code: itself when current, the
// chef-lieu for an old code, the commune of an arrondissement municipal.
// ok is false for codes the COG does not know.
func (c *Codes) Current(code string) (cur, kind string, ok bool) {
	if c.s.Commune(code) != nil {
		return code, KindCurrent, true
	}
	if o := c.s.OldCode(code); o != nil {
		return o.Current, KindOld, true
	}
	if com, ok := c.arr[code]; ok {
		return com, KindArrondissement, true
	}
	return "", "", false
}

// Dep returns the département of a current commune, or "".
func (c *Codes) Dep(code string) string {
	if cm := c.s.Commune(code); cm != nil {
		return cm.Dep
	}
	return ""
}

// tally counts codes by kind and keeps a few examples of the unknown ones
// for messages.
type tally struct {
	old, arr, unknown int
	unknownCodes      map[string]bool
}

func (t *tally) add(code, kind string, ok bool) {
	switch {
	case !ok:
		t.unknown++
		if t.unknownCodes == nil {
			t.unknownCodes = map[string]bool{}
		}
		t.unknownCodes[code] = true
	case kind == KindOld:
		t.old++
	case kind == KindArrondissement:
		t.arr++
	}
}

// examples lists up to n unknown codes, sorted.
func (t *tally) examples(n int) string {
	return examples(t.unknownCodes, n)
}

func examples(set map[string]bool, n int) string {
	codes := make([]string, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	if len(codes) > n {
		codes = append(codes[:n], "…")
	}
	return strings.Join(codes, " ")
}
