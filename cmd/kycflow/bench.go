//go:build !nodev

package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"kycflow/bench"
	"kycflow/idenfy"
	"kycflow/service"
	"kycflow/simulate"
	"kycflow/store"
	"kycflow/workflows"
)

func init() { extraCommands = append(extraCommands, newBenchCmd) }

type benchOptions struct {
	count, concurrency int
	duplicates         float64
	adminURL           string
	jsonOut            bool
	cpuProfile         string
	temporalMemory     bool          // the Temporal server keeps its SQLite database in memory, not in a file
	temporalPostgres   int           // > 0: the Temporal server keeps its data in PostgreSQL, with this many history shards
	temporalCache      int           // > 0: the Temporal history service's workflow cache (entries)
	relay              bool          // ingest
	batch              int           // ingest
	prefill            int           // ingest: verifications stored before measuring
	timeout            time.Duration // lifecycle
	rate               float64       // lifecycle
}

// addBenchFlags registers the flags every bench part has.
func addBenchFlags(cmd *cobra.Command, o *benchOptions, count int, countHelp string) {
	cmd.Flags().IntVar(&o.count, "count", count, countHelp)
	cmd.Flags().IntVar(&o.concurrency, "concurrency", 16, "concurrent senders")
	cmd.Flags().StringVar(&o.adminURL, "admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server to create the scratch database on")
	cmd.Flags().BoolVar(&o.jsonOut, "json", false, "print JSON instead of a table")
	cmd.Flags().StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the kycflow part to this file (go tool pprof)")
	cmd.Flags().BoolVar(&o.temporalMemory, "temporal-memory", false,
		"keep the Temporal server's SQLite database in memory instead of a file as kycflow dev does (its commits slow down as it grows)")
	cmd.Flags().IntVar(&o.temporalCache, "temporal-cache", 0,
		"N > 0: the Temporal server's history service keeps at most N workflows in memory (default: Temporal's 128,000)")
	cmd.Flags().IntVar(&o.temporalPostgres, "temporal-postgres", 0,
		"N > 0: the Temporal server keeps its data in PostgreSQL (scratch databases on --admin-url) with N history shards, as a production Temporal does, instead of SQLite")
}

func newBenchCmd(environ []string, stderr io.Writer) *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{Use: "bench", Short: "Measure kycflow against the ceilings of this machine (see BENCHMARKS.md)"}
	ingest := &cobra.Command{
		Use:   "ingest",
		Short: "Webhook ingest against a bare HTTP handler, the database alone and the naive synchronous design",
		Long: `ingest sends --count signed KYC webhooks (realistic bodies, distinct scanRefs, a share of
byte-identical re-sends) over real HTTP with keep-alive at --concurrency to these targets, one after
the other, in one run, with the same client, bodies and concurrency:

  bare-gin     a Gin handler that reads the body and answers 200 (the HTTP ceiling)
  db-alone     one INSERT … ON CONFLICT DO NOTHING per operation of the row kycflow stores, into a table
               made LIKE the inbox (the database ceiling)
  db-minimal   the same with a six-column row and two indexes (the ceiling of any webhook receiver)
  kycflow      a real serve (verify, classify, store, acknowledge; its relay delivers to Temporal)
  naive        a handler that calls SignalWithStartWorkflow before acknowledging

It needs PostgreSQL (--admin-url; a scratch database is created and dropped) and starts a
Temporal server (SQLite in a scratch file, as kycflow dev runs it). It prints a table with the
CPU each target used per webhook in this process and in PostgreSQL (for kycflow with the relay
on, until the relay has delivered everything: that includes the Temporal server's work, as
naive's does), and the ratios, or JSON with --json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			return runBenchIngest(cmd.Context(), o, cmd.OutOrStdout(), log)
		},
	}
	addBenchFlags(ingest, &o, 5000, "webhooks per target")
	ingest.Flags().Float64Var(&o.duplicates, "duplicates", 0.1, "share of webhooks that re-send an earlier body byte for byte")
	ingest.Flags().BoolVar(&o.relay, "relay", true, "let serve's relay deliver to Temporal during the kycflow part (false: measure storing and acknowledging alone)")
	ingest.Flags().IntVar(&o.prefill, "prefill", 0, "verifications stored (delivered) in the inbox and the ceiling tables before measuring: ingest against a store that already holds them")
	ingest.Flags().IntVar(&o.batch, "batch", 64, "serve's KYCFLOW_INGEST_BATCH: most webhooks per group commit (1: one commit per webhook)")
	cmd.AddCommand(ingest, newBenchLifecycleCmd(stderr), newBenchGrowthCmd(stderr))
	return cmd
}

const benchKey = "bench-signing-key"

// benchBodies renders count approved-identification bodies, a share of them
// re-sends of an earlier one.
func benchBodies(o benchOptions) [][]byte {
	r := mrand.New(mrand.NewPCG(42, 42))
	bodies := make([][]byte, o.count)
	for i := range bodies {
		if i > 0 && r.Float64() < o.duplicates {
			bodies[i] = bodies[r.IntN(i)]
			continue
		}
		s, _ := simulate.Build("approved", r, time.Now())
		bodies[i] = s.Webhooks[0].Body
	}
	return bodies
}

func runBenchIngest(ctx context.Context, o benchOptions, out io.Writer, log *slog.Logger) error {
	env, err := startBenchEnv(ctx, o, log)
	if err != nil {
		return err
	}
	defer env.stop()

	bodies := benchBodies(o)
	signed := signedBy(benchKey, bodies)
	hc := bench.Client(o.concurrency)
	var results []bench.Result

	// bare Gin: read the body, answer 200.
	bare := gin.New()
	bare.POST("/webhooks/idenfy/kyc", func(c *gin.Context) {
		io.Copy(io.Discard, http.MaxBytesReader(c.Writer, c.Request.Body, 5<<20))
		c.JSON(http.StatusOK, gin.H{"status": "accepted"})
	})
	results = append(results, serveAndDrive(ctx, "bare-gin", bare, hc, bodies, signed, o))

	// The database alone, same driver; the inbox (and ceiling tables) go
	// into the scratch database first.
	db, err := sql.Open("postgres", store.PostgresDSN(env.dbURL)) // the driver and settings serve uses
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(20)
	if err := migrateScratch(ctx, env.dbURL, db); err != nil {
		return err
	}
	if err := prefill(ctx, env.dbURL, db, o.prefill); err != nil {
		return err
	}
	ceilings, err := dbCeilings(ctx, db, bodies, signed, o)
	if err != nil {
		return err
	}
	results = append(results, ceilings...)

	// kycflow: a real serve on the same PostgreSQL, relaying to Temporal.
	cfg, err := service.LoadConfig(append(env.environ("bench"), fmt.Sprint("KYCFLOW_INGEST_BATCH=", o.batch)))
	if err != nil {
		return err
	}
	cfg.PauseRelay = !o.relay
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- service.Serve(sctx, cfg, log, ln) }()
	if err := waitHealthy(ctx, "http://"+ln.Addr().String()); err != nil {
		stop()
		return err
	}
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		stop()
		return err
	}
	start, cpu := time.Now(), bench.SampleCPU()
	acks := bench.Drive(ctx, "kycflow", len(bodies), o.concurrency,
		bench.Post(hc, "http://"+ln.Addr().String()+"/webhooks/idenfy/kyc", bodies, signed))
	var delivered time.Duration // first webhook sent → the relay's last delivery
	if o.relay {
		if delivered, err = drained(ctx, db, start); err != nil {
			stop()
			return err
		}
		acks = cpu.Charge(acks) // until the relay has delivered: its work and Temporal's too
	}
	results = append(results, acks)
	stopProfile()
	stop()
	<-done

	// naive: signal Temporal synchronously before acknowledging.
	naive := gin.New()
	naive.POST("/webhooks/idenfy/kyc", func(c *gin.Context) {
		body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, 5<<20))
		if err != nil || !idenfy.Verify(body, c.GetHeader(idenfy.SignatureHeader), [][]byte{[]byte(benchKey)}) {
			c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid signature"})
			return
		}
		cl, err := idenfy.Classify(idenfy.KindKYC, "", body)
		if err != nil {
			c.JSON(http.StatusAccepted, gin.H{"status": "quarantined"})
			return
		}
		sum, _ := idenfy.Summarize(body)
		e := workflows.Event{Kind: "kyc", EventType: cl.EventType, ScanRef: cl.Subject, ReceivedAt: time.Now(), Summary: sum}
		_, err = env.tc.SignalWithStartWorkflow(c.Request.Context(), "naive-"+cl.Subject, workflows.SignalEvent, e,
			client.StartWorkflowOptions{TaskQueue: "naive"}, workflows.VerificationWorkflow, workflows.Input{ScanRef: cl.Subject})
		if err != nil {
			c.JSON(http.StatusServiceUnavailable, gin.H{"error": "temporal"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "accepted"})
	})
	results = append(results, serveAndDrive(ctx, "naive", naive, hc, bodies, signed, o))
	return reportIngest(out, o, results, delivered)
}

// drained waits until serve's relay has delivered every stored webhook to
// Temporal and returns how long after start that was.
func drained(ctx context.Context, db *sql.DB, start time.Time) (time.Duration, error) {
	err := bench.Poll(ctx, "the relay delivering every stored webhook to Temporal", 20*time.Millisecond, 10*time.Minute, func() (bool, error) {
		var pending int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE status = 'pending'`).Scan(&pending)
		return err == nil && pending == 0, err
	})
	return time.Since(start), err
}

func serveAndDrive(ctx context.Context, name string, h http.Handler, hc *http.Client, bodies [][]byte, headers func(int) http.Header, o benchOptions) bench.Result {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return bench.Result{Name: name, Errors: len(bodies)}
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	return bench.Drive(ctx, name, len(bodies), o.concurrency, bench.Post(hc, "http://"+ln.Addr().String()+"/webhooks/idenfy/kyc", bodies, headers))
}

func waitHealthy(ctx context.Context, base string) error {
	return bench.Poll(ctx, "serve at "+base+" coming up", 50*time.Millisecond, 30*time.Second, func() (bool, error) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil, err
	})
}

func reportIngest(out io.Writer, o benchOptions, rs []bench.Result, delivered time.Duration) error {
	var notes []string
	for _, r := range rs {
		if r.Name == "kycflow" && delivered > 0 {
			notes = append(notes, fmt.Sprintf("kycflow's relay had delivered every stored webhook to Temporal %.1fs after the first was sent (acknowledging all took %.1fs)",
				delivered.Seconds(), r.Elapsed.Seconds()))
		}
	}
	return report{
		title: fmt.Sprintf("ingest: %d webhooks per target, concurrency %d, %.0f%% re-sends, %d verifications stored before",
			o.count, o.concurrency, o.duplicates*100, o.prefill),
		unit:   "req/s",
		rows:   rs,
		ratios: []ratio{{"kycflow", "db-alone", 2}, {"kycflow", "db-minimal", 2}, {"kycflow", "bare-gin", 2}, {"kycflow", "naive", 1}},
		notes:  notes,
		fields: map[string]any{"count": o.count, "concurrency": o.concurrency, "duplicates": o.duplicates, "batch": o.batch,
			"relay": o.relay, "prefill": o.prefill, "deliveredNs": delivered, "temporalStore": o.temporalStore()},
	}.print(out, o.jsonOut)
}

// scratchDatabase creates a fresh database named prefix and a random
// suffix on the server of adminURL and returns its URL and a func that
// drops it.
func scratchDatabase(ctx context.Context, adminURL, prefix string) (string, func(), error) {
	admin, err := sql.Open("postgres", adminURL)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database on %s: %w", service.RedactURL(adminURL), err)
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}
