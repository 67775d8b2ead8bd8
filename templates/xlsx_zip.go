package templates

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// stableZip writes the workbook's zip with [Content_Types].xml made
// deterministic: excelize lists the image extensions from a Go map, in a
// different order on every run. Their order has no meaning; sorting them
// makes the same report give the same bytes.
//
// It also writes the worksheets in one order: excelize writes the
// streamed sheets first, from a Go map, then the others in reverse order
// of their names. The leading worksheet parts are held and written in that
// reverse order, as a workbook without streamed sheets has them.
type stableZip struct {
	*zip.Writer
	pending *zipPart  // a part held until it is complete (see Create)
	sheets  []zipPart // the leading worksheet parts, held
	passed  bool      // a part other than a worksheet was created
	// replace are parts written with these bytes instead of excelize's.
	replace map[string][]byte
	// cols are the <cols> elements to insert in worksheet parts, by part
	// (read only: a workbook may be written twice); colsDone counts them.
	cols     map[string][]byte
	colsDone int
	// rows are the rows to insert in the <sheetData> of streamed
	// worksheet parts, by part (read only); rowsDone counts them.
	rows     map[string][]byte
	rowsDone int
	// written, when set, is told each part other than a worksheet that
	// excelize wrote, with its bytes (not to be kept: copy them).
	written func(name string, b []byte)
}

type zipPart struct {
	name string
	body *bytes.Buffer
}

// isSheetPart tells whether a part is a worksheet (xl/worksheets/sheetN.xml).
func isSheetPart(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml")
}

// writeSheets writes the held worksheet parts in reverse order of names.
func (z *stableZip) writeSheets() error {
	if z.passed {
		return nil
	}
	z.passed = true
	sort.Slice(z.sheets, func(i, j int) bool { return z.sheets[i].name > z.sheets[j].name })
	for _, p := range z.sheets {
		w, err := z.Writer.Create(p.name)
		if err != nil {
			return err
		}
		b := p.body.Bytes()
		if cols, ok := z.cols[p.name]; ok {
			if b, err = insertCols(b, cols); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			z.colsDone++
		}
		if rows, ok := z.rows[p.name]; ok {
			before, after, err := splitSheetData(b)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			z.rowsDone++
			for _, piece := range [][]byte{before, rows, after} {
				if _, err := w.Write(piece); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	z.sheets = nil
	return nil
}

const contentTypesPart = "[Content_Types].xml"

// newStableZip is the workbook's zip writer. Its parts are deflated by
// klauspost/compress, pooled, at its fastest level: a batch writes
// thousands of parts, and deflating them was 8 % of its CPU. At level 5,
// archive/zip's default, klauspost took 40 % of the CPU time of the
// standard library's deflate for a file 2 % larger; at level 1 the 119
// workbooks of a batch of the Bouches-du-Rhône take 6 % less CPU for the
// whole batch (user time 2.53 -> 2.37 s) and are 8 % larger (8.0 -> 8.6
// MB in all).
func newStableZip(w io.Writer) *stableZip {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return newPooledFlate(w) })
	return &stableZip{Writer: zw}
}

const zipLevel = 1

var flatePool sync.Pool

// pooledFlate returns its writer to the pool once closed (archive/zip
// closes the compressor of each part when the next one starts).
type pooledFlate struct{ *flate.Writer }

// newPooledFlate is a deflate writer to w at zipLevel, from the pool.
func newPooledFlate(w io.Writer) (pooledFlate, error) {
	if fw, ok := flatePool.Get().(*flate.Writer); ok {
		fw.Reset(w)
		return pooledFlate{fw}, nil
	}
	fw, err := flate.NewWriter(w, zipLevel)
	return pooledFlate{fw}, err
}

func (p pooledFlate) Close() error {
	err := p.Writer.Close()
	flatePool.Put(p.Writer)
	return err
}

func (z *stableZip) Create(name string) (io.Writer, error) {
	if err := z.flush(); err != nil {
		return nil, err
	}
	if !z.passed && isSheetPart(name) {
		p := zipPart{name: name, body: &bytes.Buffer{}}
		z.sheets = append(z.sheets, p)
		return p.body, nil
	}
	if err := z.writeSheets(); err != nil {
		return nil, err
	}
	if b, ok := z.replace[name]; ok {
		return io.Discard, z.writeShared(name, b)
	}
	if name == contentTypesPart || !isSheetPart(name) {
		z.pending = &zipPart{name: name, body: &bytes.Buffer{}}
		return z.pending.body, nil
	}
	return z.Writer.Create(name)
}

func (z *stableZip) Close() error {
	if err := z.flush(); err != nil {
		return err
	}
	if err := z.writeSheets(); err != nil {
		return err
	}
	if z.colsDone != len(z.cols) {
		return fmt.Errorf("column widths of %d worksheets, %d written: a worksheet part was not among the first parts", len(z.cols), z.colsDone)
	}
	if z.rowsDone != len(z.rows) {
		return fmt.Errorf("rows of %d worksheets, %d written: a worksheet part was not among the first parts", len(z.rows), z.rowsDone)
	}
	return z.Writer.Close()
}

var defaultTypeRe = regexp.MustCompile(`<Default [^>]*>(?:</Default>)?`)

// flush writes the held part.
func (z *stableZip) flush() error {
	if z.pending == nil {
		return nil
	}
	p := z.pending
	z.pending = nil
	b := p.body.Bytes()
	if p.name == contentTypesPart {
		b = sortedDefaults(b)
	}
	if z.written != nil {
		z.written(p.name, b)
	}
	return z.writeShared(p.name, b)
}

// sortedDefaults sorts the <Default> elements of [Content_Types].xml.
func sortedDefaults(b []byte) []byte {
	loc := defaultTypeRe.FindAllIndex(b, -1)
	if len(loc) < 2 {
		return b
	}
	start, end := loc[0][0], loc[len(loc)-1][1]
	var parts []string
	joined := 0
	for _, l := range loc {
		parts = append(parts, string(b[l[0]:l[1]]))
		joined += l[1] - l[0]
	}
	if joined != end-start { // not one contiguous run: left as is
		return b
	}
	sort.Strings(parts)
	return append(append(append([]byte{}, b[:start]...), strings.Join(parts, "")...), b[end:]...)
}

// The parts other than the worksheets are mostly the same in every
// workbook a batch writes: the styles, the theme, the charts, the
// relationships, and the comments of the sheets that compare a unit with
// its département, région and France. In the 119 workbooks of the
// Bouches-du-Rhône, 33 of the 41 parts are the same in all, 40 % of the
// bytes. Each content is deflated once per process: sharedParts keeps the
// deflated bytes by content, up to sharedPartsMax bytes (contents and
// deflated bytes).
var sharedParts = struct {
	sync.Mutex
	m     map[string]*deflatedPart
	bytes int
}{m: map[string]*deflatedPart{}}

const sharedPartsMax = 32 << 20

type deflatedPart struct {
	crc  uint32
	data []byte
}

// writeShared writes a part with content b, deflated as archive/zip's
// Create would with the workbook's compressor: the same bytes, with a
// data descriptor after the data, as Create writes.
func (z *stableZip) writeShared(name string, b []byte) error {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 { // Create would flag a UTF-8 name: not done here
			w, err := z.Writer.Create(name)
			if err == nil {
				_, err = w.Write(b)
			}
			return err
		}
	}
	d, err := deflatePart(b)
	if err != nil {
		return err
	}
	w, err := z.Writer.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, Flags: 0x8, // data descriptor
		CreatorVersion: 20, ReaderVersion: 20, // 2.0, as Create
		CRC32: d.crc, CompressedSize64: uint64(len(d.data)), UncompressedSize64: uint64(len(b)),
	})
	if err != nil {
		return err
	}
	_, err = w.Write(d.data)
	return err
}

// deflatePart deflates b, or finds it deflated.
func deflatePart(b []byte) (*deflatedPart, error) {
	sharedParts.Lock()
	d, ok := sharedParts.m[string(b)]
	sharedParts.Unlock()
	if ok {
		return d, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(b)/4 + 64)
	fw, err := newPooledFlate(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(b); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	d = &deflatedPart{crc: crc32.ChecksumIEEE(b), data: buf.Bytes()}
	sharedParts.Lock()
	if sharedParts.bytes+len(b)+len(d.data) <= sharedPartsMax {
		if _, ok := sharedParts.m[string(b)]; !ok {
			sharedParts.m[string(b)] = d
			sharedParts.bytes += len(b) + len(d.data)
		}
	}
	sharedParts.Unlock()
	return d, nil
}

const themePart = "xl/theme/theme1.xml"

// defaultThemePart is the theme part excelize writes in a new workbook:
// the theme of every workbook here (nothing changes it). excelize decodes
// it in NewFile and encodes it again in each workbook it writes (0.7 % of
// the CPU time of a batch); it is encoded once here.
var defaultThemePart = sync.OnceValues(func() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	var theme []byte
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		return &partCatcher{Writer: zip.NewWriter(w), name: themePart, part: &theme}
	})
	if err := f.Write(io.Discard); err != nil {
		return nil, err
	}
	if len(theme) == 0 {
		return nil, fmt.Errorf("excelize wrote no %s", themePart)
	}
	return theme, nil
})

// partCatcher is a zip writer that keeps the bytes of the part name.
type partCatcher struct {
	*zip.Writer
	name string
	part *[]byte
}

func (c *partCatcher) Create(name string) (io.Writer, error) {
	if name != c.name {
		return io.Discard, nil
	}
	return writerFunc(func(p []byte) (int, error) {
		*c.part = append(*c.part, p...)
		return len(p), nil
	}), nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

const stylesPart = "xl/styles.xml"

// stylesParts are the styles parts excelize encoded in this process, by
// the styles the workbook's print setups made (styles.styleLog); the
// styles newStyles makes are the same in every workbook. A batch's
// workbooks have the same few sets of styles, and excelize encodes the
// whole style sheet again in every workbook: 1.5 % of a batch's CPU time.
var stylesParts = partCache{m: map[string][]byte{}}

const partCacheMax = 64

// A partCache keeps parts by key, up to partCacheMax of them.
type partCache struct {
	sync.Mutex
	m map[string][]byte
}

func (c *partCache) get(key string) ([]byte, bool) {
	c.Lock()
	defer c.Unlock()
	b, ok := c.m[key]
	return b, ok
}

func (c *partCache) put(key string, b []byte) {
	c.Lock()
	defer c.Unlock()
	if _, ok := c.m[key]; !ok && len(c.m) < partCacheMax {
		c.m[key] = bytes.Clone(b)
	}
}
