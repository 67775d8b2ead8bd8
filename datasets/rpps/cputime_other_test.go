//go:build !unix

package rpps

import "time"

func cpuTime() time.Duration { return 0 }
