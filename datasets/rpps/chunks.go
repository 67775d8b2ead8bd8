package rpps

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"sync"
	"unicode/utf8"

	"github.com/diagsante/diagsante/datasets/internal/textio"
	"github.com/diagsante/diagsante/datasets/parseerr"
)

// Parallel reading of the activity file.
//
// The national file is about 1 GB; Read parses it on one core. ReadChunks
// uses several: one goroutine reads the input (and, for an archive,
// inflates it) in blocks of about chunkSize bytes cut after their last line
// break, workers parse the blocks' lines into per-chunk accumulators, and
// the caller's goroutine merges the accumulators in file order, so the
// result is the same as a sequential reading whatever the scheduling.
// Memory stays bounded: a few blocks are in flight at any time, never the
// whole file.
//
// Line numbers: a worker does not know how many lines precede its chunk;
// it counts lines within the chunk, and the merge, which sees the chunks in
// order, turns them into line numbers of the file. The error returned is
// the first one of the file, as a sequential reading would report it.

// chunkSize is the size of the blocks the input is cut into. A national
// line is about 500 bytes, so a block holds about 2,000 lines: large
// enough for the hand-offs to cost nothing, small enough for a few blocks
// in flight to stay under a few MB.
const chunkSize = 1 << 20

// A ChunkReader reads an activity file in parallel chunks. NewChunkReader
// reads its header; ReadChunks the data lines.
type ChunkReader struct {
	t    *table
	br   *bufio.Reader
	name string
	// header is the line number of the header (blank lines may precede
	// it): the first data line is header+1.
	header int
	// size overrides chunkSize (tests cut tiny chunks to put boundaries
	// everywhere).
	size int
}

// NewChunkReader reads the header of an activity file, with the same rules
// and errors as NewReader.
func NewChunkReader(r io.Reader, name string) (*ChunkReader, error) {
	// textio.NewReader reads through br itself (it is large enough), so
	// what it has buffered past the header is read next by ReadChunks.
	br := bufio.NewReaderSize(r, 64<<10)
	t, err := newTable(br, name, fNationalID, fProfession, fCommune)
	if err != nil {
		return nil, err
	}
	return &ChunkReader{t: t, br: br, name: name, header: t.tr.Line(), size: chunkSize}, nil
}

// HasSavoirFaire reports whether the activity file carries the
// savoir-faire columns (see Reader.HasSavoirFaire).
func (c *ChunkReader) HasSavoirFaire() bool { return c.t.col[fSF] >= 0 }

// A Line is one data line of an activity file, cut into the columns the
// package keeps. Its cells are trimmed bytes of the input, valid only
// during the call that receives the Line: no string is made, so a line
// costs no allocation and no map look-up.
type Line struct {
	t     *table
	cells [numFields][]byte
	// rel is the line's number within its chunk (1 for the chunk's first
	// line); ReadChunks' merge adds the lines before the chunk.
	rel int
}

// NationalID returns Identification nationale PP.
func (l *Line) NationalID() []byte { return l.cells[fNationalID] }

// ID returns Identifiant PP.
func (l *Line) ID() []byte { return l.cells[fID] }

// Profession returns Code profession (never empty).
func (l *Line) Profession() []byte { return l.cells[fProfession] }

// SavoirFaire returns Code savoir-faire.
func (l *Line) SavoirFaire() []byte { return l.cells[fSF] }

// Mode returns Code mode exercice.
func (l *Line) Mode() []byte { return l.cells[fMode] }

// Sector returns Code secteur d'activité.
func (l *Line) Sector() []byte { return l.cells[fSector] }

// Commune returns Code commune (coord. structure): empty, or a valid INSEE
// code (five digits, or 2A/2B and three digits).
func (l *Line) Commune() []byte { return l.cells[fCommune] }

// RelLine returns the line's number within its chunk (1 for the chunk's
// first line): ReadChunks' merge receives the number of the line before
// the chunk, to add.
func (l *Line) RelLine() int { return l.rel }

// identity returns the cell identifying the person: Identification
// nationale PP, else Identifiant PP (see identity).
func (l *Line) identity() []byte {
	if b := l.cells[fNationalID]; len(b) > 0 {
		return b
	}
	return l.cells[fID]
}

// PersonKey returns PersonKey(a.NationalID, a.ID) of the Activity the line
// gives, without making its strings.
func (l *Line) PersonKey() uint64 { return personKeyBytes(l.identity()) }

// Identity returns the identifier PersonKey is made from, as the Activity
// would hold it: NationalID, else ID.
func (l *Line) Identity() string { return toUTF8(l.identity()) }

// IsGP reports whether the line is a médecin's with a general-practice
// savoir-faire (profession 10, savoir-faire SM54, SM53 or SM26).
func (l *Line) IsGP() bool {
	return string(l.cells[fProfession]) == Medecin && IsGPSavoirFaire(string(l.cells[fSF]))
}

// Activity fills a with the line's values, as Reader.NextInto would (its
// Line is RelLine: add the lines before the chunk). Its strings are new
// copies, not interned: this is for tests and small files.
func (l *Line) Activity(a *Activity) {
	s := func(f field) string {
		if len(l.cells[f]) == 0 {
			return ""
		}
		return toUTF8(l.cells[f])
	}
	*a = Activity{
		IDType: s(fIDType), ID: s(fID), NationalID: s(fNationalID), Profession: s(fProfession),
		ProfessionLabel: s(fProfessionLabel), Category: s(fCategory), SavoirFaireType: s(fSFType),
		SavoirFaire: s(fSF), SavoirFaireLabel: s(fSFLabel), Mode: s(fMode), Sector: s(fSector),
		FinessSite: s(fFiness), Postcode: s(fPostcode), Commune: s(fCommune), CommuneLabel: s(fCommuneLabel),
		Line: l.rel,
	}
}

// personKeyBytes is personKey(toUTF8(b)) without the string.
func personKeyBytes(b []byte) uint64 {
	if n := len(b); n > 0 && n <= 16 {
		var v uint64
		digits := true
		for _, c := range b {
			if c < '0' || c > '9' {
				digits = false
				break
			}
			v = v*10 + uint64(c-'0')
		}
		if digits {
			return uint64(n)<<56 | v
		}
	}
	if !utf8.Valid(b) {
		return personKey(toUTF8(b))
	}
	// FNV-1a, as hash/fnv's New64a, without its allocation.
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h | 1<<63
}

// check applies NextInto's checks to a cut line: an identifier, a
// profession, an empty or valid commune code.
func (l *Line) check() (int, error) {
	t := l.t
	if len(l.cells[fNationalID]) == 0 && len(l.cells[fID]) == 0 {
		c := t.col[fNationalID]
		if c < 0 {
			c = t.col[fID]
		}
		return c + 1, fmt.Errorf("empty identifier (%s)", titles[fNationalID])
	}
	if len(l.cells[fProfession]) == 0 {
		return t.col[fProfession] + 1, fmt.Errorf("empty %s", titles[fProfession])
	}
	if b := l.cells[fCommune]; len(b) > 0 && CommuneKey(b) < 0 {
		return t.col[fCommune] + 1, fmt.Errorf("invalid commune code %s", textio.Quote(toUTF8(b)))
	}
	return 0, nil
}

// NumCommuneKeys bounds CommuneKey: keys are in [0, NumCommuneKeys).
const NumCommuneKeys = 100000 + 2*1000

// CommuneKey returns a dense index of a valid INSEE commune code as the
// activity file must hold it (five digits, or 2A/2B and three digits), or
// -1 for anything else: a slice indexed by it replaces a map from codes.
func CommuneKey(b []byte) int {
	if len(b) != 5 {
		return -1
	}
	v := 0
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	switch c0, c1 := b[0], b[1]; {
	case c0 < '0' || c0 > '9':
		return -1
	case c1 >= '0' && c1 <= '9':
		return int(c0-'0')*10000 + int(c1-'0')*1000 + v
	case c0 == '2' && (c1 == 'A' || c1 == 'B'):
		return 100000 + int(c1-'A')*1000 + v
	}
	return -1
}

// CommuneOfKey returns the code of a CommuneKey.
func CommuneOfKey(k int) string {
	if k >= 100000 {
		return fmt.Sprintf("2%c%03d", 'A'+(k-100000)/1000, k%1000)
	}
	return fmt.Sprintf("%05d", k)
}

// A block is a piece of the input made of whole lines, and what its worker
// made of it.
type block[A any] struct {
	buf  []byte // whole lines; the last one may lack its '\n' at the end of input
	acc  A
	done chan struct{} // sent on when the worker is done
	// lines is the number of physical lines of buf the worker went
	// through: all of them, or up to the bad line.
	lines int
	err   error // a *lineError, or parse's error
	// after is an error found by the reader after buf's lines: a line too
	// long or a read error, at the line that follows them.
	after error
}

// A lineError is a bad line, numbered within its chunk.
type lineError struct {
	rel, col int
	err      error
}

func (e *lineError) Error() string { return e.err.Error() }

// ReadChunks reads the data lines of an activity file on workers goroutines
// (0 means GOMAXPROCS), after NewChunkReader read its header. Each chunk of
// the input gets an accumulator from newAcc (they are reused: merge must
// leave them ready for another chunk); parse is called, in a worker, for
// every non-blank line of the chunk with its accumulator, in the order of
// the lines; merge is called in the caller's goroutine with the
// accumulators in file order and the number of the line that precedes the
// chunk (add it to RelLine), so the result does not depend on the
// scheduling. Lines are checked as Reader.NextInto checks them, and the
// error returned, a *parseerr.Error, is the first of the file, at its file
// line and column; an error from parse or merge stops the reading and is
// returned as is. The chunk's bytes stay valid until merge returns.
func ReadChunks[A any](c *ChunkReader, workers int, newAcc func() A, parse func(A, *Line) error, merge func(acc A, before int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Blocks in flight: one per worker, one being filled, one being merged.
	nblocks := workers + 2
	free := make(chan *block[A], nblocks)
	for range nblocks {
		free <- &block[A]{acc: newAcc(), done: make(chan struct{}, 1)}
	}
	work := make(chan *block[A], nblocks)
	order := make(chan *block[A], nblocks)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(order)
		defer close(work)
		splitBlocks(c, free, stop, func(b *block[A]) bool {
			select {
			case order <- b:
			case <-stop:
				return false
			}
			if len(b.buf) == 0 {
				b.lines, b.err = 0, nil
				b.done <- struct{}{}
				return true
			}
			select {
			case work <- b:
				return true
			case <-stop:
				return false
			}
		})
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := &Line{t: c.t}
			for b := range work {
				b.lines, b.err = parseBlock(b.buf, l, b.acc, parse)
				b.done <- struct{}{}
			}
		}()
	}
	err := mergeBlocks(c, order, free, merge)
	close(stop)
	// Wait for the goroutines (they stop on stop), so that the input can
	// be closed when ReadChunks returns.
	wg.Wait()
	return err
}

// mergeBlocks hands the parsed blocks to merge in file order.
func mergeBlocks[A any](c *ChunkReader, order <-chan *block[A], free chan<- *block[A], merge func(A, int) error) error {
	line := c.header
	for b := range order {
		<-b.done
		if b.err != nil {
			var le *lineError
			if errors.As(b.err, &le) {
				return parseerr.New(c.name, line+le.rel, le.col, "%w", le.err)
			}
			return b.err
		}
		if err := merge(b.acc, line); err != nil {
			return err
		}
		line += b.lines
		if b.after != nil {
			return parseerr.New(c.name, line+1, 0, "%w", b.after)
		}
		b.buf = b.buf[:0]
		free <- b
	}
	return nil
}

// parseBlock parses the lines of buf, as textio.Reader and Reader.NextInto
// do: LF or CRLF line ends, blank lines skipped, NextInto's checks.
func parseBlock[A any](buf []byte, l *Line, acc A, parse func(A, *Line) error) (int, error) {
	rel := 0
	for len(buf) > 0 {
		var line []byte
		if i := bytes.IndexByte(buf, '\n'); i >= 0 {
			line, buf = buf[:i], buf[i+1:]
		} else {
			line, buf = buf, nil
		}
		rel++
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if len(line) > textio.MaxLine {
			return rel, &lineError{rel, 0, fmt.Errorf("line longer than %d bytes: not a text file of the expected format?", textio.MaxLine)}
		}
		if len(line) == 0 {
			continue
		}
		l.rel = rel
		if col, err := l.t.cutFast(line, &l.cells); err != nil {
			return rel, &lineError{rel, col, err}
		}
		if col, err := l.check(); err != nil {
			return rel, &lineError{rel, col, err}
		}
		if err := parse(acc, l); err != nil {
			return rel, err
		}
	}
	return rel, nil
}

// splitBlocks reads the input into blocks of whole lines and hands them to
// emit until the end of input, a read error or emit returning false. A
// line longer than textio.MaxLine stops it, as it stops textio.Reader.
func splitBlocks[A any](c *ChunkReader, free <-chan *block[A], stop <-chan struct{}, emit func(*block[A]) bool) {
	var carry []byte // the unfinished last line of the previous block
	for {
		var b *block[A]
		select {
		case b = <-free:
		case <-stop:
			return
		}
		size := max(c.size, 2*len(carry))
		if cap(b.buf) < size {
			b.buf = make([]byte, 0, size)
		}
		buf := append(b.buf[:0], carry...)
		carry = carry[:0]
		var err error
		for len(buf) < cap(buf) && err == nil {
			var n int
			n, err = c.br.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
		}
		b.after = nil
		switch {
		case err == io.EOF:
			// The last line may lack its line break.
			b.buf = buf
			emit(b)
			return
		case err != nil:
			// The complete lines are read; the error is at the next one.
			cut := bytes.LastIndexByte(buf, '\n') + 1
			b.buf, b.after = buf[:cut], fmt.Errorf("reading: %w", err)
			emit(b)
			return
		}
		cut := bytes.LastIndexByte(buf, '\n') + 1
		if cut == 0 && len(buf) > textio.MaxLine+1 {
			// Not a line break in MaxLine bytes and more (one may be a
			// '\r'): a binary file, or not this format.
			b.buf, b.after = buf[:0], fmt.Errorf("line longer than %d bytes: not a text file of the expected format?", textio.MaxLine)
			emit(b)
			return
		}
		carry = append(carry, buf[cut:]...)
		b.buf = buf[:cut]
		if !emit(b) {
			return
		}
	}
}

// SWAR constants: eight bytes at a time in a uint64.
const (
	swarLow  = 0x0101010101010101
	swar7F   = 0x7f7f7f7f7f7f7f7f
	swarPipe = '|' * swarLow
)

// cutFast is table.cut in one pass over the line, eight bytes at a time:
// the separators are found with word operations (exact zero-byte test of
// the line XOR '|'), counted, and the kept cells cut out on the way. Read
// keeps cut, the simple form; the chunk tests check both agree.
func (t *table) cutFast(line []byte, cells *[numFields][]byte) (int, error) {
	*cells = [numFields][]byte{}
	kept, maxCol := t.kept, t.maxCol
	field, start := 0, 0
	sep := func(j int) {
		if field <= maxCol {
			if f := kept[field]; f >= 0 {
				cells[f] = bytes.TrimSpace(line[start:j])
			}
		}
		field++
		start = j + 1
	}
	i := 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ swarPipe
		// High bit set exactly in the bytes of x that are zero.
		m := ^((x&swar7F + swar7F) | x | swar7F)
		for m != 0 {
			sep(i + bits.TrailingZeros64(m)>>3)
			m &= m - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == '|' {
			sep(i)
		}
	}
	n := field + 1
	switch {
	case n == t.width:
	case n == t.width+1 && line[len(line)-1] == '|':
	case n < t.width:
		return 0, fmt.Errorf("%d fields, the header has %d (truncated line?)", n, t.width)
	default:
		return t.width + 1, fmt.Errorf("%d fields, the header has %d ('|' inside a value?)", n, t.width)
	}
	if field <= maxCol {
		if f := kept[field]; f >= 0 {
			cells[f] = bytes.TrimSpace(line[start:])
		}
	}
	return 0, nil
}
