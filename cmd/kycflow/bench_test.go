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
	var rep benchReport
	runBench(t, &rep, "ingest", "--count", "300", "--concurrency", "4")
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
}

// A few seconds of `kycflow bench lifecycle`: every verification reaches
// the onboarding receiver exactly once, and the ceiling runs beside it.
func TestBenchLifecycleSmoke(t *testing.T) {
	var rep benchReport
	runBench(t, &rep, "lifecycle", "--count", "30", "--concurrency", "4", "--timeout", "2m")
	if len(rep.Results) != 2 || rep.Results[0].Name != "kycflow" || rep.Results[1].Name != "ceiling" {
		t.Fatalf("results = %+v", rep.Results)
	}
	for _, r := range rep.Results {
		if r.Ops != 30 || r.Calls != 30 || r.Duplicates != 0 || r.Errors != 0 || r.PerSec <= 0 {
			t.Errorf("%s: %+v, want 30 completions, 30 calls, no repeats or errors", r.Name, r)
		}
	}
	if rep.Activities < 3 { // at least: record the first event, record the decision, onboard
		t.Errorf("activitiesPerVerification = %d", rep.Activities)
	}
	if rep.Ratios["kycflow/ceiling"] <= 0 {
		t.Errorf("ratios = %v", rep.Ratios)
	}
}

// benchReport is the part of a bench's JSON report the smoke tests read.
type benchReport struct {
	Results []struct {
		Name       string  `json:"name"`
		Ops        int     `json:"ops"`
		Errors     int     `json:"errors"`
		PerSec     float64 `json:"perSecond"`
		Calls      int     `json:"calls"`
		Duplicates int     `json:"duplicates"`
	} `json:"results"`
	Ratios     map[string]float64 `json:"ratios"`
	Activities int                `json:"activitiesPerVerification"`
}

// runBench runs `kycflow bench args... --json` against the test
// PostgreSQL server and decodes its report into rep.
func runBench(t *testing.T, rep *benchReport, args ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	admin := testenv.PostgresURL(t) // skips locally, fails in CI, without PostgreSQL
	var out, errOut bytes.Buffer
	cmd := newRootCmd(nil, &errOut)
	cmd.SetOut(&out)
	cmd.SetArgs(append(append([]string{"bench"}, args...), "--json", "--admin-url", admin))
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut.String())
	}
	if err := json.Unmarshal(out.Bytes(), rep); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	t.Logf("%s", out.String())
}
