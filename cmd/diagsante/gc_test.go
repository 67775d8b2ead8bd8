package main

import (
	"runtime/debug"

	"github.com/spf13/cobra"
	"testing"
)

// TestTuneGC: the short commands collect garbage less often, batches at
// twice the default, imports keep the default (their memory bound), a GOGC set by the user
// wins, and the setting is restored when the command ends.
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
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"diagnose"}, 400},
		{[]string{"territory", "show"}, 400},
		{[]string{"simulate"}, 400},
		{[]string{"batch"}, 200},
		{[]string{"datasets", "import"}, 100},
		{[]string{"datasets", "update"}, 100},
	} {
		restore := tuneGC(find(tc.args...))
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("%v: GC percent %d, want %d", tc.args, got, tc.want)
		}
		if restore != nil {
			restore()
		}
		if got := debug.SetGCPercent(100); got != 100 {
			t.Errorf("%v: GC percent %d after the command, want 100 restored", tc.args, got)
		}
	}
	t.Setenv("GOGC", "50")
	if restore := tuneGC(find("batch")); restore != nil || debug.SetGCPercent(100) != 100 {
		t.Errorf("GOGC=50 set by the user: tuneGC changed the collector of batch")
	}
	if restore := tuneGC(find("diagnose")); restore != nil || debug.SetGCPercent(100) != 100 {
		t.Errorf("GOGC=50 set by the user: tuneGC changed the collector")
	}
}
