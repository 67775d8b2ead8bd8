package snapshot

import (
	"bytes"
	"compress/gzip"
	"testing"
)

// TestTypeLiaison: the départements and régions carry the COG TNCC that
// the report's "du Var", "de l'Ain" are written from.
func TestTypeLiaison(t *testing.T) {
	s := mustLoad(t)
	for code, want := range map[string]int{"83": 2, "48": 3, "13": 4, "01": 5, "28": 1, "75": 0, "974": 0, "2A": 3} {
		d := s.Departement(code)
		if d == nil || d.TypeLiaison != want {
			t.Errorf("département %s: %+v, want TypeLiaison %d", code, d, want)
		}
	}
	for code, want := range map[string]int{"32": 4, "76": 1, "93": 0, "44": 2} {
		r := s.Region(code)
		if r == nil || r.TypeLiaison != want {
			t.Errorf("région %s: %+v, want TypeLiaison %d", code, r, want)
		}
	}
}

// TestTypeLiaisonOptional: a table written before the column existed
// loads, its TNCC unknown (-1).
func TestTypeLiaisonOptional(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		if _, err := w.Write([]byte(s)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var s Snapshot
	r, err := newTableReader(DepartementsFile, gz("code\tname\tregion\n83\tVar\t93\n"))
	if err != nil {
		t.Fatal(err)
	}
	s.loadDepartements(r)
	if r.err != nil || len(s.Departements) != 1 || s.Departements[0].TypeLiaison != -1 {
		t.Fatalf("old table: %+v, %v", s.Departements, r.err)
	}
}
