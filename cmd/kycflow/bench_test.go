//go:build !nodev

package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"testing"

	"kycflow/internal/testenv"
)

// A few seconds of `kycflow bench ingest` keep it working; the real runs
// and their numbers are in BENCHMARKS.md.
func TestBenchIngestSmoke(t *testing.T) {
	var rep benchReport
	runBench(t, &rep, "ingest", "--count", "300", "--concurrency", "4", "--prefill", "200")
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

// A few seconds of `kycflow bench lifecycle`, on the Temporal server of
// kycflow dev and on one that keeps its data in PostgreSQL: every
// verification reaches the onboarding receiver exactly once, and the
// ceiling runs beside it.
func TestBenchLifecycleSmoke(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { benchLifecycleSmoke(t, "sqlite file (as kycflow dev)") })
	t.Run("postgres", func(t *testing.T) {
		before := temporalScratch(t)
		benchLifecycleSmoke(t, "postgres, 2 history shards, history cache 1000", "--temporal-postgres", "2", "--temporal-cache", "1000")
		if after := temporalScratch(t); len(after) != len(before) {
			t.Errorf("Temporal's scratch databases %v before the run, %v after", before, after)
		}
	})
}

// temporalScratch lists the bench's Temporal scratch databases.
func temporalScratch(t *testing.T) []string {
	db, err := sql.Open("postgres", testenv.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT datname FROM pg_database WHERE starts_with(datname, 'kycflow_bench_temporal_') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func benchLifecycleSmoke(t *testing.T, store string, args ...string) {
	var rep benchReport
	runBench(t, &rep, append([]string{"lifecycle", "--count", "30", "--concurrency", "4", "--timeout", "2m"}, args...)...)
	if rep.TemporalStore != store {
		t.Errorf("temporalStore = %q, want %q", rep.TemporalStore, store)
	}
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
	runBench(t, &rep, "growth", "--levels", "20,40", "--burst", "10", "--count", "10", "--concurrency", "4", "--timeout", "2m",
		"--worker-bin", productionBinary(t))
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

// benchReport is the part of a bench's JSON report the smoke tests read.
type benchReport struct {
	Results []struct {
		Name       string  `json:"name"`
		Ops        int     `json:"ops"`
		Errors     int     `json:"errors"`
		PerSec     float64 `json:"perSecond"`
		Calls      int     `json:"calls"`
		Duplicates int     `json:"duplicates"`
		ProcessCPU int64   `json:"processCpuNsPerOp"`
	} `json:"results"`
	Ratios        map[string]float64 `json:"ratios"`
	Activities    int                `json:"activitiesPerVerification"`
	TemporalStore string             `json:"temporalStore"`
}

// runBench runs `kycflow bench args... --json` against the test
// PostgreSQL server and decodes its report into rep.
func runBench(t *testing.T, rep any, args ...string) {
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
