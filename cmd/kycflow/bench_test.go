//go:build !nodev

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"kycflow/internal/testenv"
)

// A few seconds of `kycflow bench ingest` keep it working; the real runs
// and their numbers are in BENCHMARKS.md.
func TestBenchIngestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	admin := testenv.PostgresURL(t) // skips locally, fails in CI, without PostgreSQL
	var out, errOut bytes.Buffer
	cmd := newRootCmd(nil, &errOut)
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"bench", "ingest", "--count", "300", "--concurrency", "4", "--json", "--admin-url", admin})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut.String())
	}
	var rep struct {
		Results []struct {
			Name   string  `json:"name"`
			Ops    int     `json:"ops"`
			Errors int     `json:"errors"`
			PerSec float64 `json:"perSecond"`
		} `json:"results"`
		Ratios map[string]float64 `json:"ratios"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if len(rep.Results) != 4 {
		t.Fatalf("results = %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Ops != 300 || r.Errors != 0 || r.PerSec <= 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if rep.Ratios["kycflow/naive"] <= 0 {
		t.Errorf("ratios = %v", rep.Ratios)
	}
	t.Logf("%s", out.String())
}
