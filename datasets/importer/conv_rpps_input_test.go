package importer

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/snapshot"
)

// A zipMember is a file to put in a test archive: its name, its content
// (a fixture path when from is set) and its date in the archive.
type zipMember struct {
	name, from, text string
	modified         time.Time
}

func writeZip(t *testing.T, path string, members ...zipMember) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range members {
		b := []byte(m.text)
		if m.from != "" {
			var err error
			if b, err = os.ReadFile(fixture(m.from)); err != nil {
				t.Fatal(err)
			}
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Deflate, Modified: m.modified})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rppsTables returns the three tables an RPPS import writes, decompressed.
func rppsTables(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range []string{snapshot.ProfessionalsFile, snapshot.GPFile, snapshot.GPSitesFile} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	return out
}

// sameTables checks that two imports wrote the same rows, and that they
// wrote some.
func sameTables(t *testing.T, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if strings.Count(w, "\n") < 3 {
			t.Fatalf("%s: %d lines, the fixture should give more", name, strings.Count(w, "\n"))
		}
		if got[name] != w {
			t.Errorf("%s differs from the plain file's\n got %q\nwant %q", name, got[name], w)
		}
	}
}

const otherMember = "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Nom d'exercice|Prénom d'exercice|Code type diplôme obtenu|Libellé type diplôme obtenu|Code diplôme obtenu|Libellé diplôme obtenu|\n" +
	"8|10000000001|810000000001|NOM|PRENOM|DE|Diplôme d'Etat français|DE09|DE Docteur en médecine|\n"

func TestImportRPPSZip(t *testing.T) {
	plain := t.TempDir()
	importInto(t, plain, Sources{RPPS: fixture("PS_LibreAcces_Personne_activite_202501151030.txt"),
		RPPSSavoirFaire: fixture("PS_LibreAcces_SavoirFaire_202501151030.txt")})
	want := rppsTables(t, plain)

	// The archive as data.gouv published it: the activity file without
	// savoir-faire columns, its companion, and other tables, in an order
	// that proves the members are told apart by their header.
	tmp := t.TempDir()
	zipPath := filepath.Join(tmp, "PS_LibreAcces_202501151030.zip")
	zb := writeZip(t, zipPath,
		zipMember{name: "PS_LibreAcces_Dipl_AutExerc_202501151030.txt", text: otherMember},
		zipMember{name: "PS_LibreAcces_SavoirFaire_202501151030.txt", from: "PS_LibreAcces_SavoirFaire_202501151030.txt"},
		zipMember{name: "PS_LibreAcces_Personne_activite_202501151030.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt"},
	)
	dir := t.TempDir()
	res, s := importInto(t, dir, Sources{RPPS: zipPath})
	sameTables(t, rppsTables(t, dir), want)
	if r := res[0]; r.Read != 13 || r.Vintage != "extraction RPPS du 2025-01-15" ||
		!containsNote(r.Notes, "savoir-faire read from PS_LibreAcces_SavoirFaire_202501151030.txt in the archive") {
		t.Errorf("result %+v", r)
	}
	abs, _ := filepath.Abs(zipPath)
	info := s.Manifest.Table("gp_rpps")
	if info == nil || len(info.Files) != 2 || info.Files[0] != abs+"!PS_LibreAcces_Personne_activite_202501151030.txt" ||
		info.Files[1] != abs+"!PS_LibreAcces_SavoirFaire_202501151030.txt" || info.Origin != abs {
		t.Errorf("gp_rpps description %+v", info)
	}
	// The manifest records the archive's sha256, as for a plain input.
	sum := sha256.Sum256(zb)
	if got := s.Manifest.Inputs[abs]; got != hex.EncodeToString(sum[:]) {
		t.Errorf("sha256 of the archive %q, want %s (inputs %v)", got, hex.EncodeToString(sum[:]), s.Manifest.Inputs)
	}

	t.Run("members renamed, vintage from their date", func(t *testing.T) {
		when := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		zipPath := filepath.Join(t.TempDir(), "extraction.zip")
		writeZip(t, zipPath,
			zipMember{name: "data/activite.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt", modified: when},
			zipMember{name: "data/sf.txt", from: "PS_LibreAcces_SavoirFaire_202501151030.txt", modified: when},
		)
		dir := t.TempDir()
		res, _ := importInto(t, dir, Sources{RPPS: zipPath})
		if r := res[0]; r.Vintage != "extraction RPPS du 2026-03-01" ||
			!containsNote(r.Notes, "vintage from the file date: 2026-03-01 (date of data/activite.txt in the archive") {
			t.Errorf("result %+v", r)
		}
		got := rppsTables(t, dir)
		for name, w := range want {
			if g := strings.ReplaceAll(got[name], "2026-03-01", "2025-01-15"); strings.ReplaceAll(g, "\t2026\n", "\t2025\n") != w {
				t.Errorf("%s differs from the plain file's but for the vintage:\n%s", name, got[name])
			}
		}
	})

	t.Run("members dated in the future, vintage from the archive's date", func(t *testing.T) {
		future := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // importTime is 2026-05-06
		zipPath := filepath.Join(t.TempDir(), "extraction.zip")
		writeZip(t, zipPath,
			zipMember{name: "activite.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt", modified: future},
			zipMember{name: "sf.txt", from: "PS_LibreAcces_SavoirFaire_202501151030.txt"})
		when := time.Date(2026, 4, 1, 12, 0, 0, 0, time.Local)
		if err := os.Chtimes(zipPath, when, when); err != nil {
			t.Fatal(err)
		}
		res, _ := importInto(t, t.TempDir(), Sources{RPPS: zipPath})
		if r := res[0]; r.Vintage != "extraction RPPS du 2026-04-01" ||
			!containsNote(r.Notes, "vintage from the file date: 2026-04-01 (modification date of extraction.zip;") {
			t.Errorf("result %+v", r)
		}
	})

	t.Run("a companion given on the command line wins", func(t *testing.T) {
		zipPath := filepath.Join(t.TempDir(), "PS_LibreAcces_202501151030.zip")
		writeZip(t, zipPath, zipMember{name: "PS_LibreAcces_Personne_activite_202501151030.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt"})
		dir := t.TempDir()
		importInto(t, dir, Sources{RPPS: zipPath, RPPSSavoirFaire: fixture("PS_LibreAcces_SavoirFaire_202501151030.txt")})
		sameTables(t, rppsTables(t, dir), want)
	})
}

func containsNote(notes []string, s string) bool {
	for _, n := range notes {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

func TestImportRPPSUnzippedNewName(t *testing.T) {
	plain := t.TempDir()
	importInto(t, plain, Sources{RPPS: fixture("PS_LibreAcces_Personne_activite_202401151030.txt")})
	want := rppsTables(t, plain)

	// The name data.gouv gives the file now carries no date: the vintage
	// is the file's modification date, and the import says so.
	b, err := os.ReadFile(fixture("PS_LibreAcces_Personne_activite_202401151030.txt"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ps-libreacces-personne-activite.txt")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 1, 15, 12, 0, 0, 0, time.Local)
	if err := os.Chtimes(p, when, when); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	res, _ := importInto(t, dir, Sources{RPPS: p})
	if r := res[0]; r.Read != 13 || r.Vintage != "extraction RPPS du 2024-01-15" ||
		!containsNote(r.Notes, "vintage from the file date: 2024-01-15 (modification date of ps-libreacces-personne-activite.txt") {
		t.Errorf("result %+v", r)
	}
	sameTables(t, rppsTables(t, dir), want)

	t.Run("gzip'd, date in the gzip header's name", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Name = "PS_LibreAcces_Personne_activite_202401151030.txt"
		zw.Write(b)
		zw.Close()
		p := filepath.Join(t.TempDir(), "rpps.gz")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		res, s := importInto(t, dir, Sources{RPPS: p})
		if r := res[0]; r.Read != 13 || r.Vintage != "extraction RPPS du 2024-01-15" || containsNote(r.Notes, "vintage from the file date") {
			t.Errorf("result %+v", r)
		}
		sameTables(t, rppsTables(t, dir), want)
		sum := sha256.Sum256(buf.Bytes())
		abs, _ := filepath.Abs(p)
		if got := s.Manifest.Inputs[abs]; got != hex.EncodeToString(sum[:]) {
			t.Errorf("sha256 of the gzip file %q", got)
		}
	})
}

func TestImportRPPSZipErrors(t *testing.T) {
	tmp := t.TempDir()
	good := writeZip(t, filepath.Join(tmp, "good.zip"),
		zipMember{name: "PS_LibreAcces_Personne_activite_202401151030.txt", from: "PS_LibreAcces_Personne_activite_202401151030.txt"})
	bad := strings.Replace(mustRead(t, fixture("PS_LibreAcces_Personne_activite_202401151030.txt")), "|77333|Nemours|", "|7733X|Nemours|", 1)
	// A member whose compressed data is damaged: flip bytes in the middle
	// of the deflate stream (after the 30-byte local header and the name).
	damaged := bytes.Clone(good)
	for i := 200; i < 260; i++ {
		damaged[i] ^= 0x55
	}
	for _, tc := range []struct {
		name string
		make func(path string)
		want []string // parts of the message, in order
	}{
		{"no activity member", func(p string) {
			writeZip(t, p, zipMember{name: "PS_LibreAcces_SavoirFaire_202501151030.txt", from: "PS_LibreAcces_SavoirFaire_202501151030.txt"},
				zipMember{name: "PS_LibreAcces_Dipl_AutExerc_202501151030.txt", text: otherMember},
				zipMember{name: "LISEZMOI.pdf", text: "%PDF-1.4 no line break"})
		}, []string{"archive.zip: no person-activity file in this zip archive (recognised by its header: columns \"Identification nationale PP\", \"Code profession\" and \"Code commune (coord. structure)\"); it holds: ",
			"PS_LibreAcces_SavoirFaire_202501151030.txt (savoir-faire file), PS_LibreAcces_Dipl_AutExerc_202501151030.txt (other file), LISEZMOI.pdf (other file)"}},
		{"empty archive", func(p string) { writeZip(t, p) },
			[]string{"archive.zip: no person-activity file in this zip archive", "it holds: nothing"}},
		{"two activity members", func(p string) {
			writeZip(t, p, zipMember{name: "a.txt", from: "PS_LibreAcces_Personne_activite_202401151030.txt"},
				zipMember{name: "b.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt"})
		}, []string{"archive.zip: the zip archive holds two person-activity files, a.txt and b.txt"}},
		{"truncated archive", func(p string) { os.WriteFile(p, good[:len(good)/2], 0o644) },
			[]string{"archive.zip: not a readable zip archive: zip: not a valid zip file (download it again?)"}},
		{"damaged member", func(p string) { os.WriteFile(p, damaged, 0o644) },
			[]string{"archive.zip!PS_LibreAcces_Personne_activite_202401151030.txt:", "(download the archive again?)"}},
		{"bad value in a member", func(p string) {
			writeZip(t, p, zipMember{name: "PS_LibreAcces_Personne_activite_202401151030.txt", text: bad})
		}, []string{"archive.zip!PS_LibreAcces_Personne_activite_202401151030.txt:2:37: invalid commune code \"7733X\""}},
		{"no savoir-faire", func(p string) {
			writeZip(t, p, zipMember{name: "PS_LibreAcces_Personne_activite_202501151030.txt", from: "PS_LibreAcces_Personne_activite_202501151030.txt"})
		}, []string{"archive.zip!PS_LibreAcces_Personne_activite_202501151030.txt:1: no savoir-faire columns in this extraction: give the PS_LibreAcces_SavoirFaire file (the zip archive holds none) with --rpps-savoir-faire"}},
		{"truncated gzip", func(p string) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write([]byte(mustRead(t, fixture("PS_LibreAcces_Personne_activite_202401151030.txt"))))
			zw.Close()
			os.WriteFile(p, buf.Bytes()[:buf.Len()-20], 0o644)
		}, []string{"archive.zip:", "reading: unexpected EOF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "archive.zip")
			tc.make(p)
			dir := t.TempDir()
			_, err := tryImport(t, dir, Sources{RPPS: p})
			if _, ok := parseerr.As(err); !ok {
				t.Fatalf("error %v (%T) is not a *parseerr.Error", err, err)
			}
			msg := strings.TrimPrefix(err.Error(), filepath.Dir(p)+string(filepath.Separator))
			t.Log(msg)
			rest := msg
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error\n%s\nwant it to hold, in order, %q", msg, tc.want)
				}
				rest = rest[i+len(w):]
			}
			if snapshot.HasLocal(dir) {
				t.Error("a failed import wrote a local snapshot")
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// failAfter yields n bytes of a pattern in small reads, then err.
type failAfter struct {
	n   int
	err error
	off int
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.off >= f.n {
		return 0, f.err
	}
	k := min(len(p), f.n-f.off, 1000)
	for i := range k {
		p[i] = byte((f.off + i) % 251)
	}
	f.off += k
	return k, nil
}

func TestReadAhead(t *testing.T) {
	const n = 3*readAheadSize + 12345
	errBad := io.ErrUnexpectedEOF // what a truncated gzip stream returns
	for _, want := range []error{io.EOF, errBad} {
		ra := newReadAhead(&failAfter{n: n, err: want})
		b, err := io.ReadAll(ra)
		if want == io.EOF && err != nil || want != io.EOF && err != want {
			t.Errorf("error %v, want %v", err, want)
		}
		if len(b) != n {
			t.Fatalf("%d bytes, want %d", len(b), n)
		}
		for i := range b {
			if b[i] != byte(i%251) {
				t.Fatalf("byte %d is %d, want %d", i, b[i], i%251)
			}
		}
		ra.Close()
	}
	// Closed before the end (a parse error): the goroutine stops, twice
	// is harmless.
	ra := newReadAhead(&failAfter{n: 100 * readAheadSize, err: io.EOF})
	if _, err := io.ReadFull(ra, make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	ra.Close()
	ra.Close()
}
