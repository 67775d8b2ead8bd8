package rpps

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

func firstLine(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return bytes.TrimPrefix(bytes.TrimRight(line, "\r"), []byte("\xef\xbb\xbf"))
}

func TestHeaderKind(t *testing.T) {
	for _, tc := range []struct {
		header []byte
		want   Kind
	}{
		{firstLine(t, "testdata/activity_52cols_bom_crlf.txt"), KindActivity},
		{firstLine(t, "testdata/activity_nosf.txt"), KindActivity},
		{[]byte(strings.Join(nationalHeader, "|") + "|"), KindActivity},
		{firstLine(t, "testdata/savoirfaire.txt"), KindSavoirFaire},
		{[]byte(strings.Join(sfHeader, "|") + "|"), KindSavoirFaire},
		// The diplomas file of the same archive: identifiers, no site, no
		// savoir-faire.
		{[]byte("Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Code diplôme obtenu|Libellé diplôme obtenu|"), KindOther},
		{[]byte("Code profession|Code commune (coord. structure)|"), KindOther},
		{nil, KindOther},
		{[]byte("\x1f\x8b\x08\x00"), KindOther},
	} {
		if got := HeaderKind(tc.header); got != tc.want {
			t.Errorf("HeaderKind(%.60q…) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

// zipOf builds an archive of name → content, in the order given.
func zipOf(t testing.TB, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZipMembers(t *testing.T) {
	act := string(firstLine(t, "testdata/activity_nosf.txt")) + "\n"
	sf := string(firstLine(t, "testdata/savoirfaire.txt")) + "\n"
	b := zipOf(t, [2]string{"dir/", ""}, [2]string{"x_SavoirFaire.txt", sf}, [2]string{"notes.txt", "hello\n"}, [2]string{"y.txt", act})
	m, c, err := ZipMembers(bytes.NewReader(b), int64(len(b)), "a.zip", KindActivity)
	if err != nil || m == nil || m.Name != "y.txt" || c == nil || c.Name != "x_SavoirFaire.txt" {
		t.Fatalf("ZipMembers = %v, %v, %v", m, c, err)
	}
	m, c, err = ZipMembers(bytes.NewReader(b), int64(len(b)), "a.zip", KindSavoirFaire)
	if err != nil || m == nil || m.Name != "x_SavoirFaire.txt" || c != nil {
		t.Fatalf("ZipMembers(savoir-faire) = %v, %v, %v", m, c, err)
	}
	b = zipOf(t, [2]string{"y.txt", act})
	if m, c, err := ZipMembers(bytes.NewReader(b), int64(len(b)), "a.zip", KindActivity); err != nil || m.Name != "y.txt" || c != nil {
		t.Fatalf("without companion: %v, %v, %v", m, c, err)
	}
	_, _, err = ZipMembers(bytes.NewReader(b), int64(len(b)), "a.zip", KindSavoirFaire)
	if want := `a.zip: no savoir-faire file in this zip archive (recognised by its header: columns "Identification nationale PP" and "Code savoir-faire"); it holds: y.txt (person-activity file)`; err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
	_, _, err = ZipMembers(strings.NewReader("PK\x03\x04 cut"), 9, "a.zip", KindActivity)
	checkErrName(t, err, "a.zip")
}

func checkErrName(t *testing.T, err error, name string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if pe, ok := asParseErr(err); !ok || pe != name {
		t.Fatalf("error %v (%T) does not name %s", err, err, name)
	}
}

// FuzzZipMembers checks that no archive makes the member search panic and
// that its failures are positioned errors naming the archive or a member.
func FuzzZipMembers(f *testing.F) {
	act, err := os.ReadFile("testdata/activity_nosf.txt")
	if err != nil {
		f.Fatal(err)
	}
	sf, err := os.ReadFile("testdata/savoirfaire.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(zipOf(f, [2]string{"PS_LibreAcces_Personne_activite_202501151030.txt", string(act)}, [2]string{"PS_LibreAcces_SavoirFaire_202501151030.txt", string(sf)}))
	f.Add(zipOf(f, [2]string{"a.txt", "x|y|\n"}))
	f.Add(zipOf(f))
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _, err := ZipMembers(bytes.NewReader(b), int64(len(b)), "fuzz.zip", KindActivity)
		if err != nil {
			if name, ok := asParseErr(err); !ok || !strings.HasPrefix(name, "fuzz.zip") {
				t.Fatalf("error %v (%T) does not name the archive", err, err)
			}
			return
		}
		if m == nil {
			t.Fatal("success without member")
		}
	})
}

func asParseErr(err error) (string, bool) {
	pe, ok := parseerr.As(err)
	if !ok {
		return "", false
	}
	return pe.File, true
}
