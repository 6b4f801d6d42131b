package lifecycle_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"testing"
	"time"

	"kycflow/bench/benchtest"
	"kycflow/bench/lifecycle"
	"kycflow/internal/testenv"
)

// A few seconds of `kycflow bench lifecycle`, on the Temporal server of
// kycflow dev and on one that keeps its data in PostgreSQL: every
// verification reaches the onboarding receiver exactly once, and the
// ceiling runs beside it.
func TestBenchLifecycleSmoke(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		benchLifecycleSmoke(t, "sqlite file (as kycflow dev)", func(*lifecycle.Options) {})
	})
	t.Run("postgres", func(t *testing.T) {
		before := temporalScratch(t)
		benchLifecycleSmoke(t, "postgres, 2 history shards, history cache 1000", func(o *lifecycle.Options) { // --temporal-postgres 2 --temporal-cache 1000
			o.TemporalPostgres, o.TemporalCache = 2, 1000
		})
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

func benchLifecycleSmoke(t *testing.T, store string, with func(*lifecycle.Options)) {
	o := lifecycle.Defaults() // --count 30 --concurrency 4 --timeout 2m
	benchtest.Setup(t, &o.Options)
	o.Count, o.Concurrency, o.Timeout = 30, 4, 2*time.Minute
	with(&o)
	var rep benchtest.Report
	benchtest.Run(t, &rep, func(ctx context.Context, out, _ io.Writer, log *slog.Logger) error {
		return lifecycle.Run(ctx, o, out, log)
	})
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
	if rep.Activities < 1 { // at least the Deliver call: it records the decision and onboards
		t.Errorf("activitiesPerVerification = %d", rep.Activities)
	}
	if rep.Ratios["kycflow/ceiling"] <= 0 {
		t.Errorf("ratios = %v", rep.Ratios)
	}
}
