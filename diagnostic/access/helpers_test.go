package access

import (
	"sync"
	"testing"

	"github.com/diagsante/diagsante/datasets/snapshot"
)

var (
	snapOnce sync.Once
	snap     *snapshot.Snapshot
	snapErr  error
)

// loadSnapshot loads the embedded snapshot once for all tests.
func loadSnapshot(tb testing.TB) *snapshot.Snapshot {
	tb.Helper()
	snapOnce.Do(func() { snap, snapErr = snapshot.LoadEmbedded() })
	if snapErr != nil {
		tb.Fatal(snapErr)
	}
	return snap
}
