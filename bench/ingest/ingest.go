// Package ingest measures webhook ingest against a bare HTTP handler, the
// database alone and the naive synchronous design, in one run with the
// same client, bodies and concurrency: `kycflow bench ingest`.
package ingest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"kycflow/bench"
	"kycflow/simulate"
	"kycflow/store"
)

// Options are the settings of bench ingest.
type Options struct {
	bench.Options
	Duplicates float64 // share of webhooks that re-send an earlier body byte for byte
	Relay      bool    // serve's relay delivers to Temporal during the kycflow part
	Batch      int     // serve's KYCFLOW_INGEST_BATCH
	Prefill    int     // verifications stored (delivered) before measuring
}

// Defaults are the settings of `kycflow bench ingest` when no flag is
// given.
func Defaults() Options {
	return Options{Options: bench.Defaults(5000), Duplicates: 0.1, Relay: true, Batch: 64}
}

// load is what every target is sent: the same bodies with the same
// headers, from the same client at the same concurrency.
type load struct {
	bodies      [][]byte
	headers     func(i int) http.Header
	client      *http.Client
	concurrency int
}

// post sends the load to the webhook route of the server at base.
func (l load) post(ctx context.Context, name, base string) bench.Result {
	return bench.Drive(ctx, name, len(l.bodies), l.concurrency, bench.Post(l.client, base+"/webhooks/idenfy/kyc", l.bodies, l.headers))
}

// Run sends the webhooks to every target in turn and prints the report to
// out.
func Run(ctx context.Context, o Options, out io.Writer, log *slog.Logger) error {
	env, err := bench.StartEnv(ctx, o.Options, log)
	if err != nil {
		return err
	}
	defer env.Stop()

	bodies := renderBodies(o)
	l := load{bodies: bodies, headers: bench.SignedBy(bench.Key, bodies), client: bench.Client(o.Concurrency), concurrency: o.Concurrency}
	var results []bench.Result
	results = append(results, serveAndDrive(ctx, "bare-gin", bare(), l))

	// The database alone, same driver; the inbox (and ceiling tables) go
	// into the scratch database first.
	db, err := sql.Open("postgres", store.PostgresDSN(env.DatabaseURL)) // the driver and settings serve uses
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(20)
	if err := migrateScratch(ctx, env.DatabaseURL, db); err != nil {
		return err
	}
	if err := prefill(ctx, env.DatabaseURL, db, o.Prefill); err != nil {
		return err
	}
	ceilings, err := dbCeilings(ctx, db, l)
	if err != nil {
		return err
	}
	results = append(results, ceilings...)

	acks, delivered, err := driveKycflow(ctx, o, env, db, l, log)
	if err != nil {
		return err
	}
	results = append(results, acks)
	results = append(results, serveAndDrive(ctx, "naive", naive(env.Client), l))
	return report(out, o, results, delivered)
}

// renderBodies renders o.Count approved-identification bodies, a share of
// them re-sends of an earlier one.
func renderBodies(o Options) [][]byte {
	r := mrand.New(mrand.NewPCG(42, 42))
	bodies := make([][]byte, o.Count)
	for i := range bodies {
		if i > 0 && r.Float64() < o.Duplicates {
			bodies[i] = bodies[r.IntN(i)]
			continue
		}
		s, _ := simulate.Build("approved", r, time.Now())
		bodies[i] = s.Webhooks[0].Body
	}
	return bodies
}

func report(out io.Writer, o Options, rs []bench.Result, delivered time.Duration) error {
	var notes []string
	for _, r := range rs {
		if r.Name == "kycflow" && delivered > 0 {
			notes = append(notes, fmt.Sprintf("kycflow's relay had delivered every stored webhook to Temporal %.1fs after the first was sent (acknowledging all took %.1fs)",
				delivered.Seconds(), r.Elapsed.Seconds()))
		}
	}
	return bench.Report{
		Title: fmt.Sprintf("ingest: %d webhooks per target, concurrency %d, %.0f%% re-sends, %d verifications stored before",
			o.Count, o.Concurrency, o.Duplicates*100, o.Prefill),
		Unit: "req/s",
		Rows: rs,
		Ratios: []bench.Versus{{Of: "kycflow", To: "db-alone", Digits: 2}, {Of: "kycflow", To: "db-minimal", Digits: 2},
			{Of: "kycflow", To: "bare-gin", Digits: 2}, {Of: "kycflow", To: "naive", Digits: 1}},
		Notes: notes,
		Fields: map[string]any{"count": o.Count, "concurrency": o.Concurrency, "duplicates": o.Duplicates, "batch": o.Batch,
			"relay": o.Relay, "prefill": o.Prefill, "deliveredNs": delivered, "temporalStore": o.TemporalStore()},
	}.Print(out, o.JSON)
}
