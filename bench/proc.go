package bench

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of /proc/<pid>/stat's CPU times on Linux.
const clockTick = 10 * time.Millisecond

// CPUTime is the user and system CPU the process pid has used, 0 when
// unknown (not Linux, or the process is gone).
func CPUTime(pid int) time.Duration {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	f := statFields(b)
	if len(f) < 13 {
		return 0
	}
	return ticks(f[11], f[12])
}

// PostgresCPU is the CPU used so far by the PostgreSQL server on this
// machine: every live postgres process, plus what the postmaster has
// collected from backends that have exited (their connections closed).
// It is 0 where /proc is not readable.
func PostgresCPU() time.Duration {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("(postgres)")) {
			continue
		}
		f := statFields(b)
		if len(f) < 15 {
			continue
		}
		total += ticks(f[11], f[12]) + ticks(f[13], f[14]) // own + reaped children
	}
	return total
}

// ResidentBytes is the resident memory of the process pid, 0 when unknown.
func ResidentBytes(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// statFields are the fields of a /proc stat file after the command name
// (which ends at the last ')'), so that field 3 of proc(5) is index 0.
func statFields(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	return strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
}

func ticks(user, system string) time.Duration {
	u, _ := strconv.ParseInt(user, 10, 64)
	s, _ := strconv.ParseInt(system, 10, 64)
	return time.Duration(u+s) * clockTick
}

// CPU is a sample of the CPU used so far by this process and by the
// PostgreSQL server.
type CPU struct{ Process, Postgres time.Duration }

// SampleCPU samples both.
func SampleCPU() CPU { return CPU{Process: CPUTime(os.Getpid()), Postgres: PostgresCPU()} }

// Charge returns r with the CPU used since s spread over its operations.
func (s CPU) Charge(r Result) Result {
	if r.Ops == 0 {
		return r
	}
	now := SampleCPU()
	r.ProcessCPU = (now.Process - s.Process) / time.Duration(r.Ops)
	r.PostgresCPU = (now.Postgres - s.Postgres) / time.Duration(r.Ops)
	return r
}

// StartCPUProfile profiles this process into path (nothing when path is
// empty) until stop.
func StartCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
