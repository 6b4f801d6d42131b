//go:build !nodev

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"

	"kycflow/bench"
	"kycflow/devserver"
	"kycflow/service"
	"kycflow/simulate"
	"kycflow/workflows"
)

type growthOptions struct {
	levels      []int
	burst       int // webhooks of the ingest burst at each level
	workerBin   string
	workerCache int
}

func newBenchGrowthCmd(stderr io.Writer) *cobra.Command {
	var (
		o benchOptions
		g growthOptions
	)
	cmd := &cobra.Command{
		Use:   "growth",
		Short: "Ingest latency, lifecycle rate, worker memory and database bytes as open verifications grow",
		Long: `growth fills a scratch PostgreSQL database and a Temporal server (SQLite in a scratch
file) with approved verifications, each left open in AML monitoring, through the real path (signed
webhook over HTTP, inbox, relay, workflow, decision, onboarding call to a local receiver), up to
each of --levels in turn. At each level it measures, with the same senders:

  ingest      a burst of --burst new verifications' webhooks: acknowledgements per second and
              their latency (p99), and the time until each was onboarded
  lifecycle   --count automatic SUSPECTED + manual APPROVED pairs, as in bench lifecycle:
              verifications onboarded per second at saturation
  worker RSS  resident memory of the worker, a separate process (--worker-bin, default this
              executable) with a sticky cache of --worker-cache workflows (0: the SDK's 10,000)
  DB bytes    the database's size over the verifications it holds

and prints each level's figures beside the first level's. With --cpuprofile FILE.pprof, this
process (the Temporal server, the senders and the receiver) is profiled over each
level's measurements into FILE-<level>.pprof.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			return runBenchGrowth(cmd.Context(), o, g, cmd.OutOrStdout(), stderr, log)
		},
	}
	addBenchFlags(cmd, &o, 500, "verification pairs of the lifecycle measurement at each level")
	cmd.Flags().IntSliceVar(&g.levels, "levels", []int{1000, 10000, 50000}, "open verifications to measure at, ascending")
	cmd.Flags().IntVar(&g.burst, "burst", 2000, "webhooks of the ingest burst at each level")
	cmd.Flags().StringVar(&g.workerBin, "worker-bin", "", "kycflow binary to run the worker from (default: this executable)")
	cmd.Flags().IntVar(&g.workerCache, "worker-cache", 0, "the worker's KYCFLOW_WORKER_CACHE (0: the SDK's default)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long one batch of verifications may take to be onboarded after its last webhook")
	return cmd
}

// growthLevel is what one level measured.
type growthLevel struct {
	Level         int          `json:"level"`         // verifications filled in before measuring
	Verifications int          `json:"verifications"` // in the store and open in Temporal after measuring
	OpenWorkflows int64        `json:"openWorkflows"` // as Temporal's visibility counts them (-1: unknown)
	Ingest        bench.Result `json:"ingest"`        // the burst's acknowledgements
	Onboarded     bench.Result `json:"onboarded"`     // the burst: acknowledgement → onboarding call
	Lifecycle     lifecycleRun `json:"lifecycle"`
	// Ceiling is the trivial workflows of bench lifecycle at this level,
	// shaped like the level's sampled kycflow histories.
	Ceiling   lifecycleRun `json:"ceiling"`
	WorkerRSS int64        `json:"workerRssBytes"`
	ServeRSS  int64        `json:"serveRssBytes"`
	BenchRSS  int64        `json:"benchRssBytes"` // this process: the Temporal server, the senders and the receiver
	// CPU milliseconds per verification over the burst and the pairs, by process.
	ServeCPU         float64 `json:"serveCpuMsPerVerification"`
	WorkerCPU        float64 `json:"workerCpuMsPerVerification"`
	BenchCPU         float64 `json:"benchCpuMsPerVerification"`    // mostly the Temporal server
	PostgresCPU      float64 `json:"postgresCpuMsPerVerification"` // kycflow's database, and Temporal's with --temporal-postgres
	DatabaseBytes    int64   `json:"databaseBytes"`
	BytesPerVerif    int64   `json:"databaseBytesPerVerification"` // growth since the previous level over the verifications added
	FillSeconds      float64 `json:"fillSeconds"`                  // filling up to this level
	FillVerifsPerSec float64 `json:"fillPerSecond"`
}

// growthRig is serve, the worker process and the onboarding receiver.
type growthRig struct {
	o       benchOptions
	base    string
	hc      *http.Client
	target  atomic.Pointer[arrivals]
	rng     *mrand.Rand
	db      *sql.DB
	serve   *process
	worker  *process
	exited  chan error // a process that stopped before the end
	created int
}

func runBenchGrowth(ctx context.Context, o benchOptions, g growthOptions, out, stderr io.Writer, log *slog.Logger) error {
	if o.count < 1 || o.concurrency < 1 || g.burst < 1 || len(g.levels) == 0 {
		return errors.New("--count, --concurrency, --burst and --levels must be positive")
	}
	env, err := startBenchEnv(ctx, o, log)
	if err != nil {
		return err
	}
	defer env.stop()
	rig := &growthRig{o: o, hc: bench.Client(o.concurrency), rng: mrand.New(mrand.NewPCG(7, 7)), exited: make(chan error, 2)}
	onboarding, stopReceiver, err := startOnboardingReceiver(&rig.target)
	if err != nil {
		return err
	}
	defer stopReceiver()
	environ := append(env.environ("bench-growth"), append(onboarding, "KYCFLOW_LOG_FORMAT=text",
		"KYCFLOW_WORKER_CACHE="+strconv.Itoa(g.workerCache))...)
	ports, err := devserver.FreePorts("127.0.0.1", 1)
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", ports[0])
	environ = append(environ, "KYCFLOW_LISTEN_ADDR="+listen)
	if _, err := service.LoadConfig(environ); err != nil {
		return err
	}
	if rig.serve, err = rig.start(g.workerBin, "serve", environ, stderr); err != nil {
		return err
	}
	defer rig.serve.stop()
	rig.base = "http://" + listen
	if err := waitHealthy(ctx, rig.base); err != nil {
		return err
	}
	if rig.db, err = sql.Open("postgres", env.dbURL); err != nil {
		return err
	}
	defer rig.db.Close()
	if rig.worker, err = rig.start(g.workerBin, "worker", environ, stderr); err != nil {
		return err
	}
	defer rig.worker.stop()

	var (
		levels   []growthLevel
		prevSize int64
		prevN    int
	)
	if prevSize, err = rig.databaseSize(ctx); err != nil {
		return err
	}
	for _, level := range g.levels {
		start, before := time.Now(), rig.created
		if n := level - rig.created; n > 0 {
			if _, _, err := rig.approved(ctx, n); err != nil {
				return fmt.Errorf("fill to %d: %w", level, err)
			}
		}
		l := growthLevel{Level: rig.created, FillSeconds: time.Since(start).Seconds()}
		if l.FillSeconds > 0 {
			l.FillVerifsPerSec = float64(rig.created-before) / l.FillSeconds
		}
		cpu := [4]time.Duration{bench.CPUTime(rig.serve.pid()), bench.CPUTime(rig.worker.pid()), bench.CPUTime(os.Getpid()), bench.PostgresCPU()}
		stopProfile, err := startCPUProfile(levelProfile(o.cpuProfile, level))
		if err != nil {
			return err
		}
		if l.Ingest, l.Onboarded, err = rig.approved(ctx, g.burst); err != nil {
			return fmt.Errorf("ingest burst at %d: %w", level, err)
		}
		ids, err := rig.pairs(ctx, &l.Lifecycle)
		if err != nil {
			return fmt.Errorf("lifecycles at %d: %w", level, err)
		}
		stopProfile()
		msPer := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(g.burst+o.count) }
		l.ServeCPU, l.WorkerCPU = msPer(bench.CPUTime(rig.serve.pid())-cpu[0]), msPer(bench.CPUTime(rig.worker.pid())-cpu[1])
		l.BenchCPU, l.PostgresCPU = msPer(bench.CPUTime(os.Getpid())-cpu[2]), msPer(bench.PostgresCPU()-cpu[3])
		l.WorkerRSS, l.ServeRSS, l.BenchRSS = bench.ResidentBytes(rig.worker.pid()), bench.ResidentBytes(rig.serve.pid()), bench.ResidentBytes(os.Getpid())
		l.Verifications, l.OpenWorkflows = rig.created, openWorkflows(ctx, env) // before the ceiling's short-lived workflows
		if l.Ceiling, err = levelCeiling(ctx, o, env.tc, ids, level); err != nil {
			return err
		}
		if l.DatabaseBytes, err = rig.databaseSize(ctx); err != nil {
			return err
		}
		l.BytesPerVerif = (l.DatabaseBytes - prevSize) / int64(max(rig.created-prevN, 1))
		prevSize, prevN = l.DatabaseBytes, rig.created
		levels = append(levels, l)
		fmt.Fprintf(stderr, "growth: level %d measured (%d verifications): ack p99 %s, %.1f lifecycles/s (ceiling %.1f/s), CPU ms per verification serve %.2f worker %.2f this process %.2f postgres %.2f (ceiling: this process %.2f, postgres %.2f)\n",
			level, rig.created, ms(l.Ingest.P99), l.Lifecycle.PerSec, l.Ceiling.PerSec, l.ServeCPU, l.WorkerCPU, l.BenchCPU, l.PostgresCPU, msOf(l.Ceiling.ProcessCPU), msOf(l.Ceiling.PostgresCPU))
	}
	return reportGrowth(out, o, g, levels)
}

func (rig *growthRig) databaseSize(ctx context.Context) (int64, error) {
	var n int64
	if err := rig.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

// approved sends n new verifications, one automatic APPROVED webhook each,
// in batches of at most 5,000 (bodies are generated per batch), and waits
// until every one was onboarded. It returns the acknowledgements and the
// time from each acknowledgement to its onboarding call.
func (rig *growthRig) approved(ctx context.Context, n int) (acks, onboarded bench.Result, err error) {
	for done := 0; done < n; {
		k := min(n-done, 5000)
		bodies, refs := make([][]byte, k), make([]string, k)
		for i := range k {
			s, err := simulate.Build("approved", rig.rng, time.Now())
			if err != nil {
				return acks, onboarded, err
			}
			bodies[i], refs[i] = s.Webhooks[0].Body, s.Subject
		}
		arr := newArrivals(refs)
		rig.target.Store(arr)
		steps := make([]streamStep, k)
		for i := range steps {
			steps[i] = streamStep{i: i, second: true}
		}
		post := bench.Post(rig.hc, rig.base+"/webhooks/idenfy/kyc", bodies, signedBy(benchKey, bodies))
		acks = arr.drive(ctx, "ingest", rig.o, steps, nil, post)
		if err := arr.wait(ctx, rig.o.timeout, rig.exited); err != nil {
			return acks, onboarded, err
		}
		onboarded = arr.result("onboarded", acks.Errors).Result
		rig.created += k
		done += k
	}
	return acks, onboarded, nil
}

// pairs runs the lifecycle measurement of bench lifecycle, o.count
// automatic + manual pairs, saturating, into run. It returns their
// workflow IDs.
func (rig *growthRig) pairs(ctx context.Context, run *lifecycleRun) ([]string, error) {
	autos, finals, refs, err := reviewPairs(rig.rng, rig.o.count)
	if err != nil {
		return nil, err
	}
	arr := newArrivals(refs)
	rig.target.Store(arr)
	url := rig.base + "/webhooks/idenfy/kyc"
	sent := arr.drive(ctx, "lifecycle", rig.o, lifecycleStream(rig.o.count),
		bench.Post(rig.hc, url, autos, signedBy(benchKey, autos)), bench.Post(rig.hc, url, finals, signedBy(benchKey, finals)))
	if err := arr.wait(ctx, rig.o.timeout, rig.exited); err != nil {
		return nil, err
	}
	rig.created += rig.o.count
	*run = arr.result("lifecycle", sent.Errors)
	ids := make([]string, len(refs))
	for i, ref := range refs {
		ids[i] = workflows.ID(ref)
	}
	return ids, nil
}

func openWorkflows(ctx context.Context, env benchEnv) int64 {
	resp, err := env.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "ExecutionStatus = 'Running'"})
	if err != nil {
		return -1
	}
	return resp.GetCount()
}

// levelProfile names the CPU profile of one level's measurements: path with
// the level before its extension ("" when not profiling).
func levelProfile(path string, level int) string {
	if path == "" {
		return ""
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), level, ext)
}
