package ingest_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"

	"kycflow/bench/benchtest"
	"kycflow/bench/ingest"
)

// A few seconds of `kycflow bench ingest` keep it working; the real runs
// and their numbers are in BENCHMARKS.md.
func TestBenchIngestSmoke(t *testing.T) {
	o := ingest.Defaults() // --count 300 --concurrency 4 --prefill 200
	benchtest.Setup(t, &o.Options)
	o.Count, o.Concurrency, o.Prefill = 300, 4, 200
	var rep benchtest.Report
	benchtest.Run(t, &rep, func(ctx context.Context, out, _ io.Writer, log *slog.Logger) error {
		return ingest.Run(ctx, o, out, log)
	})
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Name)
		if r.Ops != 300 || r.Errors != 0 || r.PerSec <= 0 {
			t.Errorf("%s: %+v, want 300 operations, no errors and a rate", r.Name, r)
		}
		// serve runs in the bench process: its verify, classify and store
		// cost far more than the 10 ms the kernel counts CPU in.
		if r.Name == "kycflow" && r.ProcessCPU <= 0 {
			t.Errorf("kycflow's CPU per webhook was not measured: %+v", r)
		}
	}
	if want := []string{"bare-gin", "db-alone", "db-minimal", "kycflow", "naive"}; !slices.Equal(names, want) {
		t.Fatalf("targets %v, want %v", names, want)
	}
	if rep.Ratios["kycflow/naive"] <= 0 {
		t.Errorf("ratios = %v", rep.Ratios)
	}
}
