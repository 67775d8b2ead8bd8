//go:build unix

package rpps

import (
	"syscall"
	"time"
)

// cpuTime is the user+system CPU time of the process so far: on the shared
// 2-core machine wall times are noisy, CPU time much less so.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
