package access

import (
	"testing"
	"time"
)

// cpuMetric measures the CPU time (user and system, all threads, garbage
// collection included) of the process over a benchmark loop, reported as
// cpu-ns/op: on a shared machine it varies far less than wall-clock time.
type cpuMetric struct{ start time.Duration }

func startCPUMetric() cpuMetric { return cpuMetric{processCPU()} }

func (c cpuMetric) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-c.start)/float64(b.N), "cpu-ns/op")
	}
}
