package update_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diagsante/diagsante/datasets/importer/importertest"
	"github.com/diagsante/diagsante/datasets/update"
	"github.com/diagsante/diagsante/datasets/update/updatetest"
)

var (
	jan = time.Date(2026, 1, 15, 8, 30, 0, 0, time.UTC)
	mar = time.Date(2026, 3, 11, 3, 43, 0, 0, time.UTC)
)

func body(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

func newServer(t *testing.T, files ...*updatetest.File) *updatetest.Server {
	t.Helper()
	s := updatetest.New(map[string][]*updatetest.File{"ds": files})
	t.Cleanup(s.Close)
	return s
}

func resolve(t *testing.T, s *updatetest.Server, match string) update.Resource {
	t.Helper()
	c := &update.Client{Base: s.Base, HTTP: s.Client()}
	r, err := c.Resolve(context.Background(), update.Source{Key: "k", Dataset: "ds", Match: match})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolvePicksNewestMatchingResource(t *testing.T) {
	s := newServer(t,
		&updatetest.File{ID: "r1", Title: "Extraction de janvier", Name: "etalab-cs1100507-stock-20260115-0830.csv", Body: body(10), Modified: jan},
		&updatetest.File{ID: "r2", Title: "Extraction de mars", Name: "etalab-cs1100507-stock-20260311-0343.csv", Body: body(20), Modified: mar},
		// Newer, but not an extraction: the rule leaves it out.
		&updatetest.File{ID: "r3", Title: "Documentation", Name: "notice.pdf", Body: body(5), Modified: mar.Add(time.Hour)},
	)
	r := resolve(t, s, `etalab-cs1100507-stock-.*\.csv$`)
	if r.ID != "r2" || r.FileName() != "etalab-cs1100507-stock-20260311-0343.csv" || r.Size != 20 || !r.Modified.Equal(mar) {
		t.Errorf("picked %+v, want r2 of 20 bytes modified %v", r, mar)
	}
	if r.ChecksumType != "sha1" || len(r.Checksum) != 40 {
		t.Errorf("checksum %s %q, want a sha1", r.ChecksumType, r.Checksum)
	}
	// The rule also matches titles, case-insensitively.
	if r := resolve(t, s, `EXTRACTION DE JANVIER`); r.ID != "r1" {
		t.Errorf("title match picked %s, want r1", r.ID)
	}
}

// Two resources published at the same time: the pick does not depend on
// the order the API lists them in (the later file name wins).
func TestResolveTieOnDate(t *testing.T) {
	for _, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
		var files []*updatetest.File
		for _, x := range order {
			files = append(files, &updatetest.File{ID: x, Title: "Extraction " + x, Name: "stock-" + x + ".csv", Body: body(10), Modified: mar})
		}
		if r := resolve(t, newServer(t, files...), `\.csv$`); r.FileName() != "stock-b.csv" {
			t.Errorf("listed %v: picked %s, want stock-b.csv", order, r.FileName())
		}
	}
}

// A rule that matches nothing lists the first five titles, then "…".
func TestResolveNoMatchListsFiveTitles(t *testing.T) {
	var files []*updatetest.File
	for _, x := range []string{"a", "b", "c", "d", "e", "f"} {
		files = append(files, &updatetest.File{ID: x, Title: "Notice " + x, Name: x + ".pdf", Body: body(3), Modified: jan})
	}
	c := &update.Client{Base: newServer(t, files...).Base}
	c.HTTP = http.DefaultClient
	_, err := c.Resolve(context.Background(), update.Source{Key: "apl", Dataset: "ds", Match: `\.xlsx$`})
	if err == nil || !strings.Contains(err.Error(), "among 6 (Notice a; Notice b; Notice c; Notice d; Notice e; …)") {
		t.Errorf("no match among 6: %v", err)
	}
	_, err = (&update.Client{Base: newServer(t, files[:5]...).Base, HTTP: http.DefaultClient}).Resolve(context.Background(), update.Source{Key: "apl", Dataset: "ds", Match: `\.xlsx$`})
	if err == nil || !strings.Contains(err.Error(), "among 5 (Notice a; Notice b; Notice c; Notice d; Notice e)") {
		t.Errorf("no match among 5: %v", err)
	}
}

func TestResolveErrors(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "Notice", Name: "notice.pdf", Body: body(5), Modified: jan})
	c := &update.Client{Base: s.Base, HTTP: s.Client()}
	_, err := c.Resolve(context.Background(), update.Source{Key: "finess", Dataset: "gone", Match: "x"})
	if err == nil || !strings.Contains(err.Error(), "HTTP 404 Not Found") || !strings.Contains(err.Error(), "sources.finess.dataset") ||
		!strings.Contains(err.Error(), s.Base+"/datasets/gone/") {
		t.Errorf("404: %v", err)
	}
	_, err = c.Resolve(context.Background(), update.Source{Key: "rpps", Dataset: "ds", Match: `\.txt$`})
	if err == nil || !strings.Contains(err.Error(), `no resource matches "\\.txt$" among 1 (Notice)`) || !strings.Contains(err.Error(), "sources.rpps.match") {
		t.Errorf("no match: %v", err)
	}
	// A plain URL is not looked up.
	r, err := c.Resolve(context.Background(), update.Source{Key: "apl", URL: "http://example.invalid/x/apl_2024.xlsx"})
	if err != nil || r.FileName() != "apl_2024.xlsx" {
		t.Errorf("plain URL: %+v %v", r, err)
	}
}

func downloader(t *testing.T, s *updatetest.Server) *update.Downloader {
	return &update.Downloader{HTTP: s.Client(), Dir: t.TempDir(), Stall: 2 * time.Second}
}

func TestFetchDownloadsChecksThenReusesTheCache(t *testing.T) {
	want := body(300 << 10)
	s := newServer(t, &updatetest.File{ID: "r1", Title: "RPPS", Name: "ps-libreacces-personne-activite.txt", Body: want, Modified: mar})
	r := resolve(t, s, "personne")
	d := downloader(t, s)
	var lines bytes.Buffer
	d.Lines = &lines
	f, err := d.Fetch(context.Background(), "rpps", r)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(f.Path)
	if !bytes.Equal(got, want) || f.Size != int64(len(want)) || f.Cached || f.Verified != "sha1" {
		t.Fatalf("fetched %+v, %d bytes", f, len(got))
	}
	if f.Path != filepath.Join(d.Dir, "rpps", "ps-libreacces-personne-activite.txt") {
		t.Errorf("path %s", f.Path)
	}
	// The file carries the publication date, for imports that date a file
	// by its modification time.
	if st, _ := os.Stat(f.Path); !st.ModTime().Equal(mar) {
		t.Errorf("mtime %v, want %v", st.ModTime(), mar)
	}
	if !strings.Contains(lines.String(), "rpps: downloading 300.0 KB\n") || !strings.Contains(lines.String(), "rpps: 300.0 KB received\n") {
		t.Errorf("progress lines:\n%s", lines.String())
	}
	f2, err := d.Fetch(context.Background(), "rpps", r)
	if err != nil || !f2.Cached || f2.Path != f.Path {
		t.Fatalf("second fetch %+v %v, want the cached file", f2, err)
	}
	if n := s.Count("/files/ps-libreacces-personne-activite.txt"); n != 1 {
		t.Errorf("%d downloads, want 1", n)
	}
	// A cached file damaged since is downloaded again.
	os.WriteFile(f.Path, []byte("damaged"), 0o644)
	if f3, err := d.Fetch(context.Background(), "rpps", r); err != nil || f3.Cached {
		t.Fatalf("damaged cache: %+v %v", f3, err)
	}
	if n := s.Count("/files/ps-libreacces-personne-activite.txt"); n != 2 {
		t.Errorf("%d downloads, want 2", n)
	}
}

func TestFetchResumesATruncatedDownload(t *testing.T) {
	want := body(200 << 10)
	s := newServer(t, &updatetest.File{ID: "r1", Title: "FINESS", Name: "stock.csv", Body: want, Modified: mar, Behaviour: "truncate"})
	r := resolve(t, s, "stock")
	d := downloader(t, s)
	_, err := d.Fetch(context.Background(), "finess", r)
	part := filepath.Join(d.Dir, "finess", "stock.csv.part")
	if err == nil || !strings.Contains(err.Error(), "run the command again to resume") || !strings.Contains(err.Error(), part) {
		t.Fatalf("cut download: %v", err)
	}
	st, err := os.Stat(part)
	if err != nil || st.Size() != int64(len(want)/2) {
		t.Fatalf("part: %v %v, want %d bytes kept", st, err, len(want)/2)
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "finess", "stock.csv")); !os.IsNotExist(err) {
		t.Fatal("a cut download has its final name")
	}
	f, err := d.Fetch(context.Background(), "finess", r)
	if err != nil {
		t.Fatal(err)
	}
	if f.Resumed != int64(len(want)/2) {
		t.Errorf("resumed from %d, want %d", f.Resumed, len(want)/2)
	}
	if rg := s.RangesSeen(); len(rg) != 1 || rg[0] != "/files/stock.csv bytes=102400-" {
		t.Errorf("ranges %q", rg)
	}
	got, _ := os.ReadFile(f.Path)
	if !bytes.Equal(got, want) {
		t.Error("resumed file differs")
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Error("part left behind")
	}
}

func TestFetchRefusesAWrongChecksum(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "APL", Name: "apl.xlsx", Body: body(1000), Modified: mar, Behaviour: "badsum"})
	r := resolve(t, s, "apl")
	d := downloader(t, s)
	_, err := d.Fetch(context.Background(), "apl", r)
	if !errors.Is(err, update.ErrChecksum) || !strings.Contains(err.Error(), "nothing was imported") {
		t.Fatalf("bad checksum: %v", err)
	}
	left, _ := os.ReadDir(filepath.Join(d.Dir, "apl"))
	if len(left) != 0 {
		t.Errorf("left in the cache: %v", left)
	}
}

func TestFetchGivesUpAStalledServerAndKeepsThePart(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "RPPS", Name: "rpps.txt", Body: body(100 << 10), Modified: mar, Behaviour: "stall"})
	r := resolve(t, s, "rpps")
	d := downloader(t, s)
	d.Stall = 200 * time.Millisecond
	_, err := d.Fetch(context.Background(), "rpps", r)
	if err == nil || !strings.Contains(err.Error(), "no data received for 200ms") || !strings.Contains(err.Error(), "10.0 KB received are kept") {
		t.Fatalf("stalled: %v", err)
	}
}

func TestFetchInterruptedByTheUser(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "RPPS", Name: "rpps.txt", Body: body(100 << 10), Modified: mar, Behaviour: "stall"})
	r := resolve(t, s, "rpps")
	d := downloader(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	_, err := d.Fetch(ctx, "rpps", r)
	var ie *update.InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || !strings.Contains(ie.Kept, "kept in") {
		t.Fatalf("interrupted: %v", err)
	}
}

func TestFetchSizeLimit(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "RPPS", Name: "rpps.txt", Body: body(5000), Modified: mar})
	r := resolve(t, s, "rpps")
	d := downloader(t, s)
	d.MaxSize = 4000
	_, err := d.Fetch(context.Background(), "rpps", r)
	if err == nil || !strings.Contains(err.Error(), "is 4.9 KB, over the limit of 3.9 KB: raise --max-size") {
		t.Fatalf("limit: %v", err)
	}
}

func TestFetchMissingFile(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "r1", Title: "RPPS", Name: "rpps.txt", Body: body(5000), Modified: mar, Behaviour: "missing"})
	r := resolve(t, s, "rpps")
	_, err := downloader(t, s).Fetch(context.Background(), "rpps", r)
	if err == nil || !strings.Contains(err.Error(), "HTTP 404 Not Found: the file was moved or withdrawn") || !strings.Contains(err.Error(), r.URL) {
		t.Fatalf("missing: %v", err)
	}
}

// A plain URL through the stable redirect of data.gouv.fr: followed, then
// revalidated with the server's ETag instead of downloaded again.
func TestFetchPlainURLRedirectAndRevalidation(t *testing.T) {
	want := body(4096)
	s := newServer(t, &updatetest.File{ID: "fffda7e9", Title: "RPPS", Name: "ps-libreacces-personne-activite.txt", Body: want, Modified: mar, Behaviour: "nochecksum"})
	c := &update.Client{Base: s.Base, HTTP: s.Client()}
	r, err := c.Resolve(context.Background(), update.Source{Key: "rpps", URL: s.Base + "/datasets/r/fffda7e9"})
	if err != nil {
		t.Fatal(err)
	}
	d := downloader(t, s)
	f, err := d.Fetch(context.Background(), "rpps", r)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(f.Path); !bytes.Equal(got, want) || f.Verified != "" {
		t.Fatalf("redirected download %+v", f)
	}
	f2, err := d.Fetch(context.Background(), "rpps", r)
	if err != nil || !f2.Cached {
		t.Fatalf("revalidation: %+v %v", f2, err)
	}
	if n := s.Count("/files/ps-libreacces-personne-activite.txt"); n != 2 {
		t.Errorf("%d requests of the file, want 2 (download, then a 304)", n)
	}
}

// A file replaced at the same plain URL (new content, so a new ETag, even
// with the same date) is downloaded again: the cache asks with the ETag
// it was given.
func TestFetchPlainURLChangedIsDownloadedAgain(t *testing.T) {
	f := &updatetest.File{ID: "r", Title: "APL", Name: "apl.xlsx", Body: body(2048), Modified: mar, Behaviour: "nochecksum"}
	s := newServer(t, f)
	c := &update.Client{Base: s.Base, HTTP: s.Client()}
	r, err := c.Resolve(context.Background(), update.Source{Key: "apl", URL: s.URL + "/files/apl.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	d := downloader(t, s)
	if _, err := d.Fetch(context.Background(), "apl", r); err != nil {
		t.Fatal(err)
	}
	newer := append(body(2048)[:2000:2000], []byte("a new release of the workbook")...)
	f.Body = newer
	got, err := d.Fetch(context.Background(), "apl", r)
	if err != nil || got.Cached {
		t.Fatalf("changed file: %+v %v, want a new download", got, err)
	}
	if b, _ := os.ReadFile(got.Path); !bytes.Equal(b, newer) {
		t.Error("the cache kept the old file")
	}
}

// Without a Content-Length (chunked transfer) a body cut short looks whole
// to HTTP: the size the API gives catches it; and the size limit holds
// while the bytes arrive.
func TestFetchChunked(t *testing.T) {
	want := body(40 << 10)
	s := newServer(t,
		&updatetest.File{ID: "a", Title: "whole", Name: "whole.txt", Body: want, Modified: mar, Behaviour: "chunked"},
		&updatetest.File{ID: "b", Title: "cut", Name: "cut.txt", Body: want, Modified: mar, Behaviour: "chunkcut"})
	d := downloader(t, s)
	f, err := d.Fetch(context.Background(), "k", resolve(t, s, "whole"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f.Path); !bytes.Equal(b, want) {
		t.Error("chunked file differs")
	}
	_, err = d.Fetch(context.Background(), "k", resolve(t, s, "cut"))
	if err == nil || !strings.Contains(err.Error(), "the server closed the connection after 20.0 KB of 40.0 KB") {
		t.Errorf("chunked body cut short: %v", err)
	}
	d.MaxSize = 10 << 10
	os.RemoveAll(filepath.Join(d.Dir, "k"))
	_, err = d.Fetch(context.Background(), "k", update.Resource{URL: s.URL + "/files/whole.txt"})
	if err == nil || !strings.Contains(err.Error(), "is larger than the limit of 10.0 KB: raise --max-size") {
		t.Errorf("chunked file over the limit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(d.Dir, "k", "whole.txt.part")); !os.IsNotExist(err) {
		t.Error("a file over the limit left its part")
	}
}

// A plain URL's file is dated by the server's Last-Modified, the API's
// date being unknown.
func TestFetchPlainURLDatedByLastModified(t *testing.T) {
	s := newServer(t, &updatetest.File{ID: "a", Title: "x", Name: "x.txt", Body: body(100), Modified: jan, Behaviour: "chunked"})
	f, err := downloader(t, s).Fetch(context.Background(), "k", update.Resource{URL: s.URL + "/files/x.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(f.Path); !st.ModTime().Equal(jan) {
		t.Errorf("mtime %v, want %v", st.ModTime(), jan)
	}
}

// A resource whose size changed on the API is not the cached file.
func TestFetchSizeChangeIsNotCached(t *testing.T) {
	f := &updatetest.File{ID: "a", Title: "x", Name: "x.txt", Body: body(1000), Modified: mar, Behaviour: "nochecksum"}
	s := newServer(t, f)
	d := downloader(t, s)
	if _, err := d.Fetch(context.Background(), "k", resolve(t, s, "x")); err != nil {
		t.Fatal(err)
	}
	f.Body = body(1200)
	got, err := d.Fetch(context.Background(), "k", resolve(t, s, "x"))
	if err != nil || got.Cached || got.Size != 1200 {
		t.Errorf("size changed: %+v %v, want a new download of 1200 bytes", got, err)
	}
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func zipOf(t *testing.T, members map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, b := range members {
		w, _ := zw.Create(name)
		w.Write(b)
	}
	zw.Close()
	return buf.Bytes()
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestDetectByContent(t *testing.T) {
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "importer", "testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stock := read("etalab-cs1100507-stock-20260504-0336.csv")
	activity := read("PS_LibreAcces_Personne_activite_202603010800.txt")
	workbook := importertest.APLWorkbook(t, map[int][]importertest.APLRow{2024: {{Code: "48095", Name: "Mende", Value: 3.1, Under65: 2.5, PopStd: 12000, PopTotal: 12500}}})
	cases := []struct {
		name string
		b    []byte
		want update.Kind
	}{
		// Names say nothing: every file is given a neutral one.
		{"FINESS stock", stock, update.FINESS},
		{"FINESS stock gzip", gz(stock), update.FINESS},
		{"FINESS flat 2021", read("finess_etablissements_20210108_flat_excerpt.csv"), update.FINESS},
		{"FiNESS+ JSON", []byte("{\n  \"pmej\": [{\"informationsGeneralesPmej\": {\"numFinessPm\": \"480000017\"}}]}"), update.FINESS},
		{"RPPS activity", activity, update.RPPS},
		{"RPPS savoir-faire", read("PS_LibreAcces_SavoirFaire_202501151030.txt"), update.RPPSSavoirFaire},
		{"RPPS zip", zipOf(t, map[string][]byte{"Lisez-moi.pdf": []byte("%PDF"), "PS_LibreAcces_Personne_activite_202603010800.txt": activity}), update.RPPS},
		{"APL workbook", workbook, update.APL},
		{"population CSV", read("donnees_communes_2023.csv"), update.Unknown},
		{"other JSON", []byte(`{"type": "FeatureCollection"}`), update.Unknown},
		{"zip of other text", zipOf(t, map[string][]byte{"a.txt": []byte("hello|world\n")}), update.Unknown},
		{"empty", nil, update.Unknown},
	}
	for _, c := range cases {
		got, err := update.Detect(writeFile(t, "download.bin", c.b))
		if err != nil || got != c.want {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
	if _, err := update.Detect(writeFile(t, "bad.zip", []byte("PK\x03\x04garbage"))); err == nil || !strings.Contains(err.Error(), "not a readable zip") {
		t.Errorf("corrupt zip: %v", err)
	}
}

func TestSourcesOverridesAndSelection(t *testing.T) {
	all, err := update.Sources(map[string]update.Override{"apl": {URL: "https://example.org/apl_2024.xlsx"}, "finess": {Dataset: "finess-structures-1", Match: `\.json\.gz$`}})
	if err != nil {
		t.Fatal(err)
	}
	sel, err := update.Select(all, nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range sel {
		keys = append(keys, s.Key+"="+s.Where())
	}
	want := "finess=data.gouv.fr dataset finess-structures-1 rpps=data.gouv.fr dataset annuaire-sante-extractions-des-donnees-en-libre-acces-des-professionnels-intervenant-dans-le-systeme-de-sante-rpps apl=https://example.org/apl_2024.xlsx"
	if got := strings.Join(keys, " "); got != want {
		t.Errorf("default selection:\n%s\nwant\n%s", got, want)
	}
	if sel[0].Match != `\.json\.gz$` {
		t.Errorf("match %q", sel[0].Match)
	}
	if _, err := update.Sources(map[string]update.Override{"bpe": {URL: "https://x.org/a"}}); err == nil || !strings.Contains(err.Error(), "sources.bpe: unknown source (known: finess, finess-plus, rpps, apl)") {
		t.Errorf("unknown override: %v", err)
	}
	if _, err := update.Select(all, []string{"finess", "finess-plus"}); err == nil || !strings.Contains(err.Error(), "finess and finess-plus are both FINESS files") {
		t.Errorf("two FINESS: %v", err)
	}
	if sel, err := update.Select(all, []string{" RPPS ", "rpps"}); err != nil || len(sel) != 1 || sel[0].Key != "rpps" {
		t.Errorf("--only rpps: %v %v", sel, err)
	}
	if _, err := update.Select(all, []string{"bpe"}); err == nil || !strings.Contains(err.Error(), "--only bpe: unknown source") {
		t.Errorf("--only bpe: %v", err)
	}
}

func TestCountChangeLarge(t *testing.T) {
	for _, c := range []struct {
		c    update.CountChange
		want bool
		d    string
	}{
		{update.CountChange{Before: 100, After: 110}, true, "+10 (+10.0 %)"},
		{update.CountChange{Before: 100, After: 109}, false, "+9 (+9.0 %)"},
		{update.CountChange{Before: 100, After: 90}, true, "-10 (-10.0 %)"},
		{update.CountChange{Before: 0, After: 3}, true, "+3"},
		{update.CountChange{Before: 0, After: 0}, false, "+0"},
	} {
		if c.c.Large() != c.want || c.c.Delta() != c.d {
			t.Errorf("%+v: large %v delta %q", c.c, c.c.Large(), c.c.Delta())
		}
	}
}
