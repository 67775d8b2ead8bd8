package importer

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"path/filepath"

	// Inflates the national extraction (1.2 GB of text) in about 70 % of
	// the CPU time of compress/gzip, the same bytes out; inflating is what
	// bounds the import of a compressed file on two cores.
	"github.com/klauspost/compress/gzip"

	"github.com/diagsante/diagsante/datasets/parseerr"
	"github.com/diagsante/diagsante/datasets/rpps"
)

// An rppsInput is an Annuaire Santé table opened whatever its container,
// told by content, not by name: the text file as data.gouv publishes it now
// (ps-libreacces-personne-activite.txt), the same gzip'd, or a member of the
// PS_LibreAcces_<timestamp>.zip archive, read straight from the archive.
//
// The source behind it is the file on disk: the progress line counts its
// bytes (compressed ones for an archive) and the manifest records its
// sha256 (the archive's, for a zip).
type rppsInput struct {
	src  *source
	text io.Reader
	// name names the text in messages: the path, or path!member for a
	// member of a zip archive.
	name string
	// member is the zip member read, nil for a plain or gzip'd file;
	// companion the archive's savoir-faire member, nil when it has none.
	member, companion *zip.File
	// gzName is the original file name a gzip header records, "" if none.
	gzName  string
	closers []io.Closer
}

// openRPPS opens path and finds in it the table want. ahead reads the
// text in a goroutine of its own (readAhead), for a sequential reader;
// rpps.ReadChunks has its own reading goroutine and wants the text as is.
func (im *Importer) openRPPS(path, label string, want rpps.Kind, ahead bool) (*rppsInput, error) {
	src, err := im.open(path, label)
	if err != nil {
		return nil, err
	}
	in := &rppsInput{src: src, name: path}
	// ReadAt leaves the file offset alone: what src.r reads, and hashes,
	// still starts at the first byte.
	head := make([]byte, 4)
	n, _ := src.f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case rpps.IsZip(head):
		at := &countingReaderAt{r: src.f, n: &src.prog.bytes}
		in.member, in.companion, err = rpps.ZipMembers(at, src.size, path, want)
		if err != nil {
			src.close(false)
			return nil, err
		}
		if in.text, in.name, err = in.openMember(in.member, ahead); err != nil {
			src.close(false)
			return nil, err
		}
	case rpps.IsGzip(head):
		gz, err := gzip.NewReader(src.r)
		if err != nil {
			src.close(false)
			return nil, parseerr.New(path, 0, 0, "not a readable gzip file: %w (download it again?)", err)
		}
		in.closers = append(in.closers, gz)
		in.text, in.gzName = gz, gz.Name
	default:
		in.text = src.r
	}
	if ahead && in.member == nil {
		in.text = in.readAhead(in.text)
	}
	return in, nil
}

// openMember opens a member of the zip archive and returns its text (read
// ahead when ahead is set) and its name in messages.
func (in *rppsInput) openMember(f *zip.File, ahead bool) (io.Reader, string, error) {
	name := in.src.path + "!" + f.Name
	rc, err := f.Open()
	if err != nil {
		return nil, "", parseerr.New(name, 0, 0, "cannot read this member of the zip archive: %w (download the archive again?)", err)
	}
	in.closers = append(in.closers, rc)
	if !ahead {
		return rc, name, nil
	}
	return in.readAhead(rc), name, nil
}

// readAhead reads r in a goroutine, closed with the input.
func (in *rppsInput) readAhead(r io.Reader) io.Reader {
	ra := newReadAhead(r)
	in.closers = append(in.closers, ra)
	return ra
}

// close closes the readers, then the source: complete records the sha256
// of the file on disk (for a zip, the whole archive, hashed at the end
// since its members were read in place).
func (in *rppsInput) close(complete bool) {
	// Last opened first: a readAhead stops before the reader it reads.
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i].Close()
	}
	in.closers = nil
	in.src.close(complete)
}

// vintage returns the date of the extraction: the timestamp in the name
// of the zip member, of the gzip'd original, or of the file; else the date
// of the member in the archive or the file's modification date, with a
// note saying so (ps-libreacces-personne-activite.txt carries no date).
func (in *rppsInput) vintage(im *Importer) (date, note string, err error) {
	type named struct{ name, where string }
	var names []named
	if in.member != nil {
		names = append(names, named{path.Base(in.member.Name), in.name})
	}
	if in.gzName != "" {
		names = append(names, named{path.Base(in.gzName), in.src.path})
	}
	names = append(names, named{in.src.path, in.src.path})
	for _, n := range names {
		d := dateFromName(n.name)
		if err := im.checkNameDate(n.where, d); err != nil {
			return "", "", err
		}
		if len(d) == 10 {
			return d, "", nil
		}
	}
	// A member's date is that of the extraction, unless the archive was
	// made on a machine with a wrong clock: then the file's date.
	if in.member != nil {
		if d := in.member.Modified.Format("2006-01-02"); checkDate(d, im.now()) == nil {
			return d, fmt.Sprintf("vintage from the file date: %s (date of %s in the archive; its name carries no extraction timestamp)", d, in.member.Name), nil
		}
	}
	date = modDate(in.src.path)
	return date, fmt.Sprintf("vintage from the file date: %s (modification date of %s; its name carries no extraction timestamp)", date, filepath.Base(in.src.path)), nil
}

// countingReaderAt counts the bytes read from an archive for the progress
// line.
type countingReaderAt struct {
	r io.ReaderAt
	n interface{ Add(int64) int64 }
}

func (c *countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.n.Add(int64(n))
	return n, err
}

// A readAhead reads its source in its own goroutine, a few buffers ahead
// of the parser: inflating an archive and hashing the file then run beside
// the parsing instead of before it, so that on two cores an archive reads
// about as fast as the plain file.
type readAhead struct {
	full   chan []byte // buffers filled by the goroutine, in order
	free   chan []byte // buffers the parser is done with
	done   chan struct{}
	exited chan struct{}
	err    error // the source's error, written before full is closed
	cur    []byte
	buf    []byte
}

const (
	readAheadBufs = 4
	readAheadSize = 1 << 20
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{full: make(chan []byte, readAheadBufs), free: make(chan []byte, readAheadBufs),
		done: make(chan struct{}), exited: make(chan struct{})}
	for range readAheadBufs {
		ra.free <- make([]byte, readAheadSize)
	}
	go func() {
		defer close(ra.exited)
		defer close(ra.full)
		for {
			var b []byte
			select {
			case b = <-ra.free:
			case <-ra.done:
				return
			}
			n, err := 0, error(nil)
			for n < len(b) && err == nil {
				var m int
				m, err = r.Read(b[n:])
				n += m
			}
			if n > 0 {
				select {
				case ra.full <- b[:n]:
				case <-ra.done:
					return
				}
			}
			if err != nil {
				ra.err = err
				return
			}
		}
	}()
	return ra
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		b, ok := <-ra.full
		if !ok {
			return 0, ra.err
		}
		ra.buf, ra.cur = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine and waits for it, so that the source can be
// closed after.
func (ra *readAhead) Close() error {
	select {
	case <-ra.done:
	default:
		close(ra.done)
	}
	<-ra.exited
	return nil
}
