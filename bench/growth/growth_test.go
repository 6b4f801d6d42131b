package growth_test

import (
	"context"
	"io"
	"log/slog"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"kycflow/bench/benchtest"
	"kycflow/bench/growth"
)

// A few seconds of `kycflow bench growth`, its worker a separate process:
// every level is filled and measured, and the worker's memory is read.
func TestBenchGrowthSmoke(t *testing.T) {
	var rep struct {
		Levels []struct {
			Level         int   `json:"level"`
			Verifications int   `json:"verifications"`
			OpenWorkflows int64 `json:"openWorkflows"`
			WorkerRSS     int64 `json:"workerRssBytes"`
			BytesPerVerif int64 `json:"databaseBytesPerVerification"`
			Ingest        struct {
				Ops    int `json:"ops"`
				Errors int `json:"errors"`
			} `json:"ingest"`
			Lifecycle, Ceiling struct {
				Ops        int     `json:"ops"`
				Errors     int     `json:"errors"`
				Duplicates int     `json:"duplicates"`
				PerSec     float64 `json:"perSecond"`
			}
		} `json:"levels"`
	}
	// --levels 20,40 --burst 10 --count 10 --concurrency 4 --timeout 2m --worker-bin <production binary>
	o := growth.Defaults()
	benchtest.Setup(t, &o.Options)
	o.Levels, o.Burst, o.Count, o.Concurrency, o.Timeout = []int{20, 40}, 10, 10, 4, 2*time.Minute
	o.WorkerBin = productionBinary(t)
	benchtest.Run(t, &rep, func(ctx context.Context, out, stderr io.Writer, log *slog.Logger) error {
		return growth.Run(ctx, o, out, stderr, log)
	})
	if len(rep.Levels) != 2 {
		t.Fatalf("levels = %+v", rep.Levels)
	}
	for i, l := range rep.Levels {
		want := []int{20, 40}[i]
		if l.Level != want || l.Verifications != want+20 || l.Ingest.Ops != 10 || l.Ingest.Errors != 0 ||
			l.Lifecycle.Ops != 10 || l.Lifecycle.Errors != 0 || l.Lifecycle.Duplicates != 0 ||
			l.Ceiling.Ops != 10 || l.Ceiling.Errors != 0 || l.Ceiling.Duplicates != 0 || l.Ceiling.PerSec <= 0 {
			t.Errorf("level %d: %+v", want, l)
		}
		if l.OpenWorkflows != int64(l.Verifications) || l.WorkerRSS <= 0 || l.BytesPerVerif <= 0 {
			t.Errorf("level %d: open %d of %d, worker RSS %d, bytes per verification %d", want, l.OpenWorkflows, l.Verifications, l.WorkerRSS, l.BytesPerVerif)
		}
	}
}

// productionBinary builds kycflow as production does (-tags nodev), to
// run serve and the worker from.
func productionBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kycflow")
	if out, err := exec.Command("go", "build", "-tags", "nodev", "-o", bin, "kycflow/cmd/kycflow").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
