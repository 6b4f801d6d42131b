package bench

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestProcessAccounting(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	// Spin for 50 ms of CPU as the kernel's rusage counts it, not of wall
	// time: on a busy machine 50 ms of wall time may get no CPU at all.
	used := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	before, from := SampleCPU(), used()
	for used()-from < 50*time.Millisecond {
	}
	r := before.Charge(Result{Ops: 1})
	if r.ProcessCPU < 20*time.Millisecond {
		t.Errorf("50 ms of spinning charged %v of CPU", r.ProcessCPU)
	}
	if rss := ResidentBytes(os.Getpid()); rss < 1<<20 {
		t.Errorf("resident memory %d bytes, want at least 1 MiB", rss)
	}
	if CPUTime(-1) != 0 || ResidentBytes(-1) != 0 {
		t.Error("a process that does not exist must read as 0")
	}
	if got := (CPU{}).Charge(Result{}); got.ProcessCPU != 0 {
		t.Error("a result without operations must not be charged")
	}
}
