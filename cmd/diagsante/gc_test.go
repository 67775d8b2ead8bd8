package main

import (
	"context"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"testing"
)

// TestTuneGC: the short commands collect garbage only at shortCommandHeap
// (collector off, soft memory limit), batches at twice the default, imports
// keep the default (their memory bound), a GOGC or GOMEMLIMIT set by the
// user wins, and the settings are restored when the command ends.
func TestTuneGC(t *testing.T) {
	root := newRootCommand(&globalOptions{})
	find := func(args ...string) *cobra.Command {
		c, _, err := root.Find(args)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	const noLimit = math.MaxInt64
	beforeLimit := debug.SetMemoryLimit(noLimit)
	defer debug.SetMemoryLimit(beforeLimit)
	for _, tc := range []struct {
		args      []string
		want      int
		wantLimit int64
	}{
		{[]string{"diagnose"}, -1, 1 << 30},
		{[]string{"territory", "show"}, -1, 1 << 30},
		{[]string{"simulate"}, -1, 1 << 30},
		{[]string{"batch"}, 200, noLimit},
		{[]string{"datasets", "import"}, 100, noLimit},
		{[]string{"datasets", "update"}, 100, noLimit},
	} {
		restore := tuneGC(find(tc.args...))
		got, gotLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
		if got != tc.want || gotLimit != tc.wantLimit {
			t.Errorf("%v: GC percent %d, memory limit %d, want %d and %d", tc.args, got, gotLimit, tc.want, tc.wantLimit)
		}
		debug.SetGCPercent(got)
		if restore != nil {
			restore()
		}
		if got, gotLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); got != 100 || gotLimit != noLimit {
			t.Errorf("%v: GC percent %d, memory limit %d after the command, want 100 and no limit restored", tc.args, got, gotLimit)
		}
	}
	t.Setenv("GOGC", "50")
	if restore := tuneGC(find("batch")); restore != nil || debug.SetGCPercent(100) != 100 {
		t.Errorf("GOGC=50 set by the user: tuneGC changed the collector of batch")
	}
	if restore := tuneGC(find("diagnose")); restore != nil || debug.SetGCPercent(100) != 100 {
		t.Errorf("GOGC=50 set by the user: tuneGC changed the collector")
	}
	os.Unsetenv("GOGC")
	t.Setenv("GOMEMLIMIT", "300MiB")
	if restore := tuneGC(find("diagnose")); restore != nil || debug.SetGCPercent(100) != 100 || debug.SetMemoryLimit(-1) != noLimit {
		t.Errorf("GOMEMLIMIT set by the user: tuneGC changed the collector")
	}
}

// TestMainReleasesItsData: a command run in-process leaves nothing of the
// data it loaded once it returns (cobra kept every flag with a completion
// function, and --csv-locale was bound to the options holding the
// snapshot: 20 MB kept per diagnose, until the benchmarks thrashed at the
// memory limit).
func TestMainReleasesItsData(t *testing.T) {
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	run := func() {
		args := []string{"--data-dir", t.TempDir(), "diagnose", "epci:200023240", "--format", "json", "--out", t.TempDir(), "--force"}
		if code := Main(context.Background(), BuildInfo{Version: "test"}, args, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			t.Fatalf("exit %d", code)
		}
	}
	run() // once for what stays by design (decoded stored levels, caches)
	before := heap()
	for range 4 {
		run()
	}
	if grown := int64(heap()) - int64(before); grown > 15<<20 {
		t.Errorf("the heap grew by %d MB over 4 diagnoses run in-process", grown>>20)
	}
}
