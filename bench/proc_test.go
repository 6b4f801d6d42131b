package bench

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestProcessAccounting(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := SampleCPU()
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
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
