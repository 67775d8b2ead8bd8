package textio

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func readAll(t *testing.T, r *Reader) []string {
	var out []string
	for {
		f, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out = append(out, "error: "+err.Error())
			return out
		}
		out = append(out, fmt.Sprintf("%d:%q", r.Line(), f))
	}
}

func TestReader(t *testing.T) {
	in := "\xef\xbb\xbfa;b;c\r\n\r\n\"x;y\";\"say \"\"hi\"\"\";\nd\xe9j\xe0;\"\";z"
	r := NewReader(strings.NewReader(in), "f.csv", ';')
	r.Quotes, r.Fallback1252 = true, true
	got := strings.Join(readAll(t, r), "\n")
	want := `1:["a" "b" "c"]
3:["x;y" "say \"hi\"" ""]
4:["déjà" "" "z"]`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestReaderErrors(t *testing.T) {
	for in, want := range map[string]string{
		"a;b\n\"c;d\n":    "error: f.csv:2:1: unterminated quoted field",
		"a;b\nc;\"d\"e\n": "error: f.csv:2:2: unexpected 'e' after closing quote",
	} {
		r := NewReader(strings.NewReader(in), "f.csv", ';')
		r.Quotes = true
		got := readAll(t, r)
		if last := got[len(got)-1]; last != want {
			t.Errorf("%q: got %s, want %s", in, last, want)
		}
	}
	// Without Quotes, quotes are data.
	r := NewReader(strings.NewReader("\"a;b\"\n"), "f.csv", ';')
	if got := readAll(t, r); got[0] != `1:["\"a" "b\""]` {
		t.Errorf("got %v", got)
	}
}

func TestLongLine(t *testing.T) {
	long := strings.Repeat("x", 300<<10)
	r := NewReader(strings.NewReader(long+";y\nz\n"), "f.csv", ';')
	f, err := r.Next()
	if err != nil || len(f) != 2 || len(f[0]) != 300<<10 || string(f[1]) != "y" {
		t.Fatalf("long line: %d fields, %v", len(f), err)
	}
	if f, _ := r.Next(); string(f[0]) != "z" || r.Line() != 2 {
		t.Fatalf("after long line: %q line %d", f, r.Line())
	}
}

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Code secteur d'activité":               "codesecteurdactivite",
		" Identifiant PP ":                      "identifiantpp",
		"Libellé commune (coord. structure)":    "libellecommunecoordstructure",
		"numero finess etablissement juridique": "numerofinessetablissementjuridique",
		"CŒUR":                                  "coeur",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := FoldWords("Centre hospitalier (Hôpital de Proximité)"); got != "CENTRE HOSPITALIER HOPITAL DE PROXIMITE" {
		t.Errorf("FoldWords = %q", got)
	}
}

func TestCommuneCode(t *testing.T) {
	for in, want := range map[string]string{"01001": "01001", "1001": "01001", "1001.0": "01001", " 2A004 ": "2A004", "2b033": "2B033", "97411": "97411"} {
		if got, ok := CommuneCode(in); !ok || got != want {
			t.Errorf("CommuneCode(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "101", "2C004", "ABCDE", "010011", "1A001"} {
		if _, ok := CommuneCode(in); ok {
			t.Errorf("CommuneCode(%q) accepted", in)
		}
	}
}
