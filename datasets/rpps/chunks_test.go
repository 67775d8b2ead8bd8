package rpps

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/diagsante/diagsante/datasets/parseerr"
)

// readSeq reads b with Read, the sequential reference: its activities
// (copied) and its error.
func readSeq(b []byte) ([]Activity, error) {
	var out []Activity
	err := Read(bytes.NewReader(b), "f.txt", func(a *Activity) error {
		out = append(out, *a)
		return nil
	})
	return out, err
}

// readPar reads b with ReadChunks, cutting chunks of size bytes.
func readPar(b []byte, size, workers int) ([]Activity, error) {
	cr, err := NewChunkReader(bytes.NewReader(b), "f.txt")
	if err != nil {
		return nil, err
	}
	if size > 0 {
		cr.size = size
	}
	return collectChunks(cr, workers)
}

func collectChunks(cr *ChunkReader, workers int) ([]Activity, error) {
	var out []Activity
	err := ReadChunks(cr, workers, func() *[]Activity { return new([]Activity) },
		func(acc *[]Activity, l *Line) error {
			var a Activity
			l.Activity(&a)
			*acc = append(*acc, a)
			return nil
		},
		func(acc *[]Activity, before int) error {
			for _, a := range *acc {
				a.Line += before
				out = append(out, a)
			}
			*acc = (*acc)[:0]
			return nil
		})
	return out, err
}

// sameAsSequential checks that ReadChunks gives what Read gives: the same
// activities, the same error at the same line and column. On error, the
// activities merged before it are a prefix of Read's.
func sameAsSequential(t *testing.T, b []byte, size, workers int) {
	t.Helper()
	want, werr := readSeq(b)
	got, gerr := readPar(b, size, workers)
	if fmt.Sprint(werr) != fmt.Sprint(gerr) {
		t.Fatalf("chunks of %d, %d workers: error %v, sequential %v", size, workers, gerr, werr)
	}
	if gerr != nil {
		if _, ok := parseerr.As(gerr); !ok {
			t.Fatalf("error %v (%T) is not a positioned parse error", gerr, gerr)
		}
		if len(got) > len(want) || !slices.Equal(got, want[:len(got)]) {
			t.Fatalf("chunks of %d: %d activities before the error are not those of Read", size, len(got))
		}
		return
	}
	if !slices.Equal(got, want) {
		n := 0
		for n < min(len(got), len(want)) && got[n] == want[n] {
			n++
		}
		t.Fatalf("chunks of %d, %d workers: %d activities, sequential %d; first difference at %d", size, workers, len(got), len(want), n)
	}
}

// edgeFile is a national-shaped file with the cases a chunk boundary can
// cut badly: BOM, CRLF and LF line ends, blank lines, companion-style
// 52-column lines are another file, so here: values with spaces and
// quotes (no quoting in this format: a quote is data), a Windows-1252
// line, no final line break.
func edgeFile(t *testing.T, crlf bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	writeNational(&buf, genOptions{Lines: 300, Seed: 7, BOM: true, CRLF: crlf})
	lines := strings.SplitAfter(buf.String(), "\n")
	// A blank line, a CRLF line in an LF file (or the reverse), a value
	// with quotes and spaces, a Windows-1252 commune label.
	first := strings.Split(strings.TrimRight(lines[1], "\r\n"), "|")
	quoted := slices.Clone(first)
	quoted[7] = `"DUPONT" D'ARC `
	quoted[37] = "SAINT-\xc9TIENNE" // É in Windows-1252
	eol := "\n"
	if !crlf {
		eol = "\r\n"
	}
	var out []string
	out = append(out, lines[:5]...)
	out = append(out, "\n", eol, strings.Join(quoted, "|")+eol)
	out = append(out, lines[5:]...)
	s := strings.Join(out, "")
	return []byte(strings.TrimRight(s, "\r\n")) // no final line break
}

// TestChunksSameAsRead reads edge-case files cut in chunks of every small
// size, so that chunk boundaries fall everywhere: inside a line, on a
// '\r', right after a '\n', inside a blank line; the result must be
// Read's, line numbers included.
func TestChunksSameAsRead(t *testing.T) {
	for _, crlf := range []bool{false, true} {
		b := edgeFile(t, crlf)
		// Read accepts it all: the last activity is on the last line, the
		// one after the blank lines and the odd line is numbered after them.
		as, err := readSeq(b)
		if err != nil || len(as) < 300 || as[len(as)-1].Line != bytes.Count(b, []byte("\n"))+1 ||
			as[4].Line != 8 || as[4].CommuneLabel != "SAINT-ÉTIENNE" || as[4].Mode == "" {
			t.Fatalf("edge file: %d activities, error %v", len(as), err)
		}
		for _, size := range []int{1, 2, 3, 7, 64, 499, 500, 501, 1000, 4096, len(b)} {
			for _, workers := range []int{1, 2, 5} {
				sameAsSequential(t, b, size, workers)
			}
		}
		// The companion lines of a newest extraction (52 columns, no
		// savoir-faire) read the same way.
		var nosf bytes.Buffer
		writeNational(&nosf, genOptions{Lines: 200, Seed: 8, NoSF: true, Companion: &bytes.Buffer{}, CRLF: crlf})
		for _, size := range []int{1, 333, 8192} {
			sameAsSequential(t, nosf.Bytes(), size, 2)
		}
	}
	// The golden test files, errors included.
	files, _ := os.ReadDir("testdata")
	for _, f := range files {
		if f.IsDir() || strings.HasSuffix(f.Name(), ".golden") || !strings.HasPrefix(f.Name(), "activity") && !strings.HasPrefix(f.Name(), "err_") {
			continue
		}
		b, err := os.ReadFile("testdata/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 5, 100, 1 << 20} {
			sameAsSequential(t, b, size, 2)
		}
	}
}

// TestChunksErrorLine puts a bad line deep in a file read in many chunks:
// the error names the file line and column, as Read does, and is the first
// bad line even when a later chunk, parsed at the same time, fails too.
func TestChunksErrorLine(t *testing.T) {
	var buf bytes.Buffer
	writeNational(&buf, genOptions{Lines: 2000, Seed: 9})
	lines := strings.SplitAfter(buf.String(), "\n")
	cells := strings.Split(lines[1500], "|")
	cells[36] = "7733" // Code commune: four digits
	lines[1500] = strings.Join(cells, "|")
	lines[1800] = "8|123|\n" // truncated, later
	b := []byte(strings.Join(lines, ""))
	for _, size := range []int{1000, 4096, 65536} {
		_, err := readPar(b, size, 2)
		want := `f.txt:1501:37: invalid commune code "7733"`
		if err == nil || err.Error() != want {
			t.Fatalf("chunks of %d: error %v, want %s", size, err, want)
		}
		sameAsSequential(t, b, size, 2)
	}
}

// TestChunksReadError: an I/O error of the input is reported at the line
// that follows the lines read, as textio.Reader reports it.
func TestChunksReadError(t *testing.T) {
	var buf bytes.Buffer
	writeNational(&buf, genOptions{Lines: 50, Seed: 10})
	b := buf.Bytes()
	cut := bytes.IndexByte(b[3000:], '\n') + 3000 + 10 // inside a line
	seq := Read(&errAfter{b: b[:cut]}, "f.txt", func(*Activity) error { return nil })
	cr, err := NewChunkReader(&errAfter{b: b[:cut]}, "f.txt")
	if err != nil {
		t.Fatal(err)
	}
	cr.size = 700
	_, par := collectChunks(cr, 2)
	if seq == nil || fmt.Sprint(seq) != fmt.Sprint(par) {
		t.Fatalf("error %v, sequential %v", par, seq)
	}
}

// errAfter reads b then fails.
type errAfter struct{ b []byte }

func (e *errAfter) Read(p []byte) (int, error) {
	if len(e.b) == 0 {
		return 0, fmt.Errorf("disk on fire")
	}
	n := copy(p, e.b)
	e.b = e.b[n:]
	return n, nil
}

// TestChunksLongLine: a line over textio.MaxLine stops the reading at that
// line, with or without a line break after it.
func TestChunksLongLine(t *testing.T) {
	var buf bytes.Buffer
	writeNational(&buf, genOptions{Lines: 20, Seed: 11})
	long := bytes.Repeat([]byte("x"), 16<<20+10)
	for _, tail := range []string{"\n", ""} {
		b := slices.Concat(buf.Bytes(), long, []byte(tail))
		sameAsSequential(t, b, 0, 2)
		_, err := readPar(b, 0, 2)
		if err == nil || !strings.Contains(err.Error(), "f.txt:22: line longer than") {
			t.Fatalf("error %v", err)
		}
	}
}

// TestCommuneKey checks the dense commune index both ways.
func TestCommuneKey(t *testing.T) {
	seen := map[int]string{}
	for _, c := range []string{"00000", "01001", "2A004", "2B366", "75056", "97617", "99999", "2A000", "2B999"} {
		k := CommuneKey([]byte(c))
		if k < 0 || k >= NumCommuneKeys || CommuneOfKey(k) != c {
			t.Errorf("%s: key %d, back %s", c, k, CommuneOfKey(k))
		}
		if o, dup := seen[k]; dup {
			t.Errorf("%s and %s share key %d", c, o, k)
		}
		seen[k] = c
	}
	for _, c := range []string{"", "7733", "2a004", "2C004", "773330", "7733x", "A7733", "1A004", " 7733"} {
		if k := CommuneKey([]byte(c)); k != -1 {
			t.Errorf("%q: key %d, want -1", c, k)
		}
	}
}

// FuzzChunks checks the chunk splitter and the parallel parser against
// Read on any input and chunk size: same activities, same error.
func FuzzChunks(f *testing.F) {
	for _, p := range []string{"testdata/activity_52cols_bom_crlf.txt", "testdata/activity_nosf.txt", "testdata/activity_cp1252.txt", "testdata/err_commune.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(len(b)/3))
	}
	for _, crlf := range []bool{false, true} {
		var buf bytes.Buffer
		writeNational(&buf, genOptions{Lines: 6, Seed: 3, CRLF: crlf})
		f.Add(buf.Bytes(), uint16(100))
	}
	f.Fuzz(func(t *testing.T, b []byte, size uint16) {
		sameAsSequential(t, b, 1+int(size)%2048, 1+int(size)%3)
	})
}

// BenchmarkReadChunksNational reads a national-shaped activity file with
// ReadChunks on GOMAXPROCS workers, doing per line what the importer does
// at least (the person key, the commune key); the MB/s column is the
// parsing throughput (target of issue 14: 300 MB/s for the whole import
// on two cores).
func BenchmarkReadChunksNational(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		n++
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		cr, err := NewChunkReader(f, path)
		if err != nil {
			b.Fatal(err)
		}
		type acc struct {
			n    int
			keys uint64
		}
		lines := 0
		err = ReadChunks(cr, 0, func() *acc { return &acc{} },
			func(a *acc, l *Line) error {
				a.n++
				a.keys += l.PersonKey() + uint64(CommuneKey(l.Commune()))
				return nil
			},
			func(a *acc, _ int) error {
				lines += a.n
				*a = acc{}
				return nil
			})
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		b.ReportMetric(float64(lines), "lines")
	}
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(n), "cpu-s/op")
}
