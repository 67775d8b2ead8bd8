package update

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// A Downloader fetches resources into a cache folder, one sub-folder per
// source. A download goes to NAME.part first, with what is needed to resume
// it beside it (NAME.part.json); an interrupted download (network cut,
// Ctrl-C, a time limit) resumes where it stopped on the next run, with an
// HTTP Range request. The file gets its final name only once it is whole
// and its checksum, when the API gives one, is right.
type Downloader struct {
	HTTP *http.Client
	// Dir is the cache folder.
	Dir string
	// MaxSize refuses files larger than this many bytes (0: no limit).
	MaxSize int64
	// Stall aborts a download when no byte arrives for this long (0: 60 s).
	Stall time.Duration
	// Timeout bounds the whole download of one file (0: none).
	Timeout time.Duration
	// Progress, when set, receives a progress line that rewrites itself
	// (a terminal); Lines, when set, a line at every tenth of the file.
	Progress, Lines io.Writer
}

// A Fetched file is in the cache, whole and checked.
type Fetched struct {
	Path string
	Size int64
	// Cached is set when the file was already in the cache, unchanged.
	Cached bool
	// Resumed is the number of bytes a resumed download started from.
	Resumed int64
	// Verified names the checksum that was checked ("sha256"), empty when
	// the API gave none.
	Verified string
}

// meta is what the cache remembers of a file: the resource it is, and the
// validators the server gave, to resume or to revalidate it.
type meta struct {
	URL          string    `json:"url"`
	Modified     time.Time `json:"modified,omitzero"`
	Size         int64     `json:"size,omitempty"`
	ChecksumType string    `json:"checksum_type,omitempty"`
	Checksum     string    `json:"checksum,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
}

func (m meta) sameResource(r Resource) bool {
	return m.URL == r.URL && m.Modified.Equal(r.Modified) && m.Checksum == r.Checksum && (r.Size == 0 || m.Size == 0 || m.Size == r.Size)
}

// ErrChecksum is returned (wrapped) when a downloaded file does not have
// the checksum the API gives.
var ErrChecksum = errors.New("checksum mismatch")

// Fetch downloads a resource of the source key into the cache, or reuses
// the cached copy when it is the same resource.
func (d *Downloader) Fetch(ctx context.Context, key string, r Resource) (Fetched, error) {
	dir := filepath.Join(d.Dir, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Fetched{}, fmt.Errorf("cache folder: %w", err)
	}
	final := filepath.Join(dir, safeName(r.FileName()))
	part := final + ".part"
	if f, ok, err := d.cached(ctx, final, r); err != nil || ok {
		return f, err
	}
	var pm meta
	offset := int64(0)
	if st, err := os.Stat(part); err == nil && readMeta(part+".json", &pm) == nil && pm.sameResource(r) && (pm.ETag != "" || pm.LastModified != "") {
		offset = st.Size()
	} else {
		os.Remove(part)
		pm = meta{}
	}
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	f, err := d.get(ctx, key, r, part, offset, pm)
	if err != nil {
		return Fetched{}, err
	}
	if err := d.verify(part, r); err != nil {
		os.Remove(part)
		os.Remove(part + ".json")
		return Fetched{}, err
	}
	if r.Checksum != "" {
		f.Verified = r.ChecksumType
	}
	var m meta
	readMeta(part+".json", &m)
	if err := os.Rename(part, final); err != nil {
		return Fetched{}, fmt.Errorf("cache: %w", err)
	}
	os.Remove(part + ".json")
	if err := writeMeta(final+".json", m); err != nil {
		return Fetched{}, err
	}
	// The file's date is the publication's, not the download's: an import
	// that finds no date in the file name or content falls back on it.
	if mod := publishedAt(r, m); !mod.IsZero() {
		os.Chtimes(final, mod, mod)
	}
	f.Path = final
	return f, nil
}

// cached reports whether final is the resource already: same URL, date and
// checksum as recorded, and still the right checksum. A plain URL (no date,
// no checksum) is revalidated with the server (If-None-Match,
// If-Modified-Since).
func (d *Downloader) cached(ctx context.Context, final string, r Resource) (Fetched, bool, error) {
	st, err := os.Stat(final)
	if err != nil {
		return Fetched{}, false, nil
	}
	var m meta
	if readMeta(final+".json", &m) != nil || !m.sameResource(r) || m.Size != 0 && m.Size != st.Size() {
		return Fetched{}, false, nil
	}
	if r.Modified.IsZero() && r.Checksum == "" {
		fresh, err := d.notModified(ctx, r, m)
		if err != nil || !fresh {
			return Fetched{}, false, nil
		}
	}
	if err := d.verify(final, r); err != nil {
		return Fetched{}, false, nil
	}
	return Fetched{Path: final, Size: st.Size(), Cached: true, Verified: r.ChecksumType}, true, nil
}

// notModified asks the server whether a file fetched before changed.
func (d *Downloader) notModified(ctx context.Context, r Resource, m meta) (bool, error) {
	if m.ETag == "" && m.LastModified == "" {
		return false, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("User-Agent", userAgent)
	if m.ETag != "" {
		req.Header.Set("If-None-Match", m.ETag)
	}
	if m.LastModified != "" {
		req.Header.Set("If-Modified-Since", m.LastModified)
	}
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusNotModified, nil
}

// get downloads r into part, from offset when the server can resume.
func (d *Downloader) get(ctx context.Context, key string, r Resource, part string, offset int64, pm meta) (Fetched, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return Fetched{}, fmt.Errorf("source %s: %v", key, err)
	}
	req.Header.Set("User-Agent", userAgent)
	// Compressed transfer would make the byte counts and Range offsets
	// those of the compressed stream.
	req.Header.Set("Accept-Encoding", "identity")
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
		// If the file changed since, the server sends it whole (200).
		req.Header.Set("If-Range", cmpOr(strongETag(pm.ETag), pm.LastModified))
	}
	stall := d.Stall
	if stall <= 0 {
		stall = time.Minute
	}
	var stalled atomic.Bool
	timer := time.AfterFunc(stall, func() { stalled.Store(true); cancel() })
	defer timer.Stop()
	resp, err := d.HTTP.Do(req)
	if err != nil {
		return Fetched{}, d.transferError(ctx, key, r, part, err, stalled.Load(), stall)
	}
	defer resp.Body.Close()
	var flags int
	total := int64(-1)
	switch resp.StatusCode {
	case http.StatusOK:
		offset = 0
		flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		total = resp.ContentLength
	case http.StatusPartialContent:
		start, size, ok := contentRange(resp.Header.Get("Content-Range"))
		if !ok || start != offset {
			return Fetched{}, fmt.Errorf("source %s: GET %s: the server resumed at the wrong place (Content-Range %q, want byte %d); the partial file was removed, run the command again",
				key, r.URL, resp.Header.Get("Content-Range"), offset)
		}
		flags = os.O_WRONLY | os.O_APPEND
		total = size
	case http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part)
		os.Remove(part + ".json")
		return Fetched{}, fmt.Errorf("source %s: GET %s: HTTP %s: the partial download does not fit the file on the server any more; it was removed, run the command again", key, r.URL, resp.Status)
	default:
		return Fetched{}, statusError(key, r.URL, resp)
	}
	if total < 0 && r.Size > 0 && resp.StatusCode == http.StatusOK {
		total = r.Size
	}
	if d.MaxSize > 0 && total > d.MaxSize {
		return Fetched{}, fmt.Errorf("source %s: %s is %s, over the limit of %s: raise --max-size to download it", key, r.URL, HumanBytes(total), HumanBytes(d.MaxSize))
	}
	m := meta{URL: r.URL, Modified: r.Modified, Size: r.Size, ChecksumType: r.ChecksumType, Checksum: r.Checksum,
		ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if err := writeMeta(part+".json", m); err != nil {
		return Fetched{}, err
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return Fetched{}, fmt.Errorf("cache: %w", err)
	}
	p := newMeter(d.Progress, d.Lines, key, offset, total)
	n, copyErr := copyLimited(out, resp.Body, timer, stall, d.MaxSize-offset, d.MaxSize > 0, p)
	closeErr := out.Close()
	p.done(copyErr == nil)
	got := offset + n
	if copyErr == errTooLarge {
		os.Remove(part)
		os.Remove(part + ".json")
		return Fetched{}, fmt.Errorf("source %s: %s is larger than the limit of %s: raise --max-size to download it", key, r.URL, HumanBytes(d.MaxSize))
	}
	if copyErr != nil && !errors.Is(copyErr, io.ErrUnexpectedEOF) {
		return Fetched{}, d.transferError(ctx, key, r, part, copyErr, stalled.Load(), stall)
	}
	if closeErr != nil {
		return Fetched{}, fmt.Errorf("cache: %w", closeErr)
	}
	if copyErr != nil || total >= 0 && got != total {
		return Fetched{}, fmt.Errorf("source %s: GET %s: the server closed the connection after %s of %s; the part received is kept in %s: run the command again to resume",
			key, r.URL, HumanBytes(got), HumanBytes(total), part)
	}
	return Fetched{Size: got, Resumed: offset}, nil
}

// publishedAt is the resource's modification date from the API, else the
// Last-Modified header of the download.
func publishedAt(r Resource, m meta) time.Time {
	if !r.Modified.IsZero() {
		return r.Modified
	}
	if t, err := http.ParseTime(m.LastModified); err == nil {
		return t
	}
	return time.Time{}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// strongETag returns an ETag usable in If-Range (weak ones are not).
func strongETag(e string) string {
	if strings.HasPrefix(e, "W/") {
		return ""
	}
	return e
}

// transferError says why a transfer stopped and that it can resume.
func (d *Downloader) transferError(ctx context.Context, key string, r Resource, part string, err error, stalled bool, stall time.Duration) error {
	kept := ""
	if st, e := os.Stat(part); e == nil && st.Size() > 0 {
		kept = fmt.Sprintf("; %s received are kept in %s: run the command again to resume", HumanBytes(st.Size()), part)
	}
	switch {
	case stalled:
		return fmt.Errorf("source %s: GET %s: no data received for %s, download abandoned%s", key, r.URL, stall, kept)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("source %s: GET %s: over the time limit of %s (--timeout)%s", key, r.URL, d.Timeout, kept)
	case ctx.Err() != nil:
		return &InterruptedError{Err: ctx.Err(), Kept: kept}
	}
	return fmt.Errorf("source %s: GET %s: %v%s", key, r.URL, err, kept)
}

// InterruptedError is a download stopped by the user (Ctrl-C).
type InterruptedError struct {
	Err  error
	Kept string
}

func (e *InterruptedError) Error() string { return "download interrupted" + e.Kept }
func (e *InterruptedError) Unwrap() error { return e.Err }

func statusError(key, u string, resp *http.Response) error {
	var hint string
	switch c := resp.StatusCode; {
	case c == http.StatusNotFound || c == http.StatusGone:
		hint = fmt.Sprintf("the file was moved or withdrawn; the dataset may be being updated: try again later, or set sources.%s in diagsante.yaml", key)
	case c == http.StatusUnauthorized || c == http.StatusForbidden:
		hint = "access refused: a proxy may be blocking it (HTTPS_PROXY)"
	case c == http.StatusTooManyRequests || c >= 500:
		hint = "the server is busy or down: try again later"
	default:
		hint = "unexpected answer"
	}
	return fmt.Errorf("source %s: GET %s: HTTP %s: %s", key, u, resp.Status, hint)
}

// contentRange reads "bytes START-END/SIZE" (SIZE may be "*").
func contentRange(h string) (start, size int64, ok bool) {
	rest, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, sz, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	size = -1
	if sz != "*" {
		if size, err = strconv.ParseInt(sz, 10, 64); err != nil {
			return 0, 0, false
		}
	}
	return start, size, true
}

var errTooLarge = errors.New("too large")

// copyLimited copies src to dst, pushing back the stall timer on every
// read, and stops past limit bytes.
func copyLimited(dst io.Writer, src io.Reader, timer *time.Timer, stall time.Duration, limit int64, limited bool, p *meter) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			timer.Reset(stall)
			if limited && n+int64(k) > limit {
				return n, errTooLarge
			}
			if _, werr := dst.Write(buf[:k]); werr != nil {
				return n, fmt.Errorf("cache: %w", werr)
			}
			n += int64(k)
			p.add(int64(k))
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// verify checks a file against the resource's checksum, when there is one.
func (d *Downloader) verify(path string, r Resource) error {
	if r.Checksum == "" {
		return nil
	}
	h := newHash(r.ChecksumType)
	if h == nil {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != r.Checksum {
		return fmt.Errorf("%s: %w: the API gives %s %s, the file downloaded has %s; it was removed and nothing was imported (the file may be being replaced on the server: try again later)",
			r.URL, ErrChecksum, r.ChecksumType, r.Checksum, got)
	}
	return nil
}

func newHash(typ string) hash.Hash {
	switch strings.ToLower(typ) {
	case "sha1":
		return sha1.New()
	case "sha256", "sha2":
		return sha256.New()
	case "sha512":
		return sha512.New()
	case "md5":
		return md5.New()
	}
	return nil
}

func readMeta(path string, m *meta) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, m)
}

// writeMeta writes the cache record under a temporary name, then renames.
func writeMeta(path string, m meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	return os.Rename(tmp, path)
}

// safeName keeps a file name usable in the cache folder.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 32 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(s, ". ")
	if s == "" {
		return "download"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

// HumanBytes writes a size in B, KB, MB or GB (powers of 1024).
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// A meter shows a download's progress: a line rewritten on a terminal, or
// a line per tenth of the file otherwise.
type meter struct {
	term, lines io.Writer
	key         string
	start       time.Time
	base, total int64
	n           int64
	last        time.Time
	step        int64
}

func newMeter(term, lines io.Writer, key string, base, total int64) *meter {
	m := &meter{term: term, lines: lines, key: key, start: time.Now(), base: base, total: total}
	if lines != nil {
		if base > 0 {
			fmt.Fprintf(lines, "%s: resuming at %s\n", key, HumanBytes(base))
		}
		fmt.Fprintf(lines, "%s: downloading %s\n", key, HumanBytes(max(total, 0)))
	}
	return m
}

func (m *meter) add(k int64) {
	m.n += k
	done := m.base + m.n
	if m.term != nil && time.Since(m.last) > 200*time.Millisecond {
		m.last = time.Now()
		fmt.Fprintf(m.term, "\r%s: %s", m.key, m.status(done))
	}
	if m.lines != nil && m.total > 0 {
		if s := done * 10 / m.total; s > m.step && s < 10 {
			m.step = s
			fmt.Fprintf(m.lines, "%s: %s\n", m.key, m.status(done))
		}
	}
}

func (m *meter) status(done int64) string {
	rate := ""
	if el := time.Since(m.start).Seconds(); el > 0.5 {
		rate = fmt.Sprintf(", %s/s", HumanBytes(int64(float64(m.n)/el)))
	}
	if m.total > 0 {
		return fmt.Sprintf("%s of %s (%d %%)%s   ", HumanBytes(done), HumanBytes(m.total), done*100/m.total, rate)
	}
	return fmt.Sprintf("%s%s   ", HumanBytes(done), rate)
}

func (m *meter) done(ok bool) {
	done := m.base + m.n
	if m.term != nil {
		fmt.Fprintf(m.term, "\r%s: %s\n", m.key, m.status(done))
	}
	if m.lines != nil && ok {
		fmt.Fprintf(m.lines, "%s: %s received\n", m.key, HumanBytes(done))
	}
}
