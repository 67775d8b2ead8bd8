package importer

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress reports how far the reading of one file has gone, on a
// terminal: bytes read out of the file size, records converted and records
// per second. It is a no-op without a writer, so conversions always call it.
type progress struct {
	w     io.Writer
	label string
	total int64
	start time.Time
	bytes atomic.Int64
	rows  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
	every time.Duration
}

func startProgress(w io.Writer, label string, total int64) *progress {
	return startProgressEvery(w, label, total, 250*time.Millisecond)
}

func startProgressEvery(w io.Writer, label string, total int64, every time.Duration) *progress {
	p := &progress{w: w, label: label, total: total, start: time.Now(), every: every}
	if w == nil {
		return p
	}
	p.stop = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.print(false)
			}
		}
	}()
	return p
}

// row counts one record read.
func (p *progress) row() { p.rows.Add(1) }

// reader counts the bytes read through r.
func (p *progress) reader(r io.Reader) io.Reader { return &countingReader{r: r, n: &p.bytes} }

// done stops the reporting and leaves a last line with the totals.
func (p *progress) done() {
	if p.w == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.print(true)
}

func (p *progress) print(final bool) {
	el := time.Since(p.start).Seconds()
	rows := p.rows.Load()
	rate := 0.0
	if el > 0 {
		rate = float64(rows) / el
	}
	b := p.bytes.Load()
	pct := ""
	if p.total > 0 && !final {
		pct = fmt.Sprintf(" (%d%%)", min(100, b*100/p.total))
	}
	end := ""
	if final {
		end = "\n"
	}
	// \r and "erase line" keep one status line updated in place.
	fmt.Fprintf(p.w, "\r\033[K%s: %s%s, %d rows, %s rows/s, %.1f s%s", p.label, humanBytes(b), pct, rows, humanCount(rate), el, end)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}
