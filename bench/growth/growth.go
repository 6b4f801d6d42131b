// Package growth measures how ingest latency, the lifecycle rate, worker
// memory and database bytes change as open verifications grow: `kycflow
// bench growth`. serve and the worker run as processes of a kycflow
// binary.
package growth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"kycflow/bench"
	"kycflow/bench/lifecycle"
	"kycflow/devserver"
	"kycflow/service"
)

// Options are the settings of bench growth.
type Options struct {
	bench.Options
	Levels      []int         // open verifications to measure at, ascending
	Burst       int           // webhooks of the ingest burst at each level
	WorkerBin   string        // kycflow binary to run serve and the worker from ("": this executable)
	WorkerCache int           // the worker's KYCFLOW_WORKER_CACHE (0: the SDK's default)
	Timeout     time.Duration // how long one batch may take to be onboarded after its last webhook
}

// Defaults are the settings of `kycflow bench growth` when no flag is
// given.
func Defaults() Options {
	return Options{Options: bench.Defaults(500), Levels: []int{1000, 10000, 50000}, Burst: 2000, Timeout: 10 * time.Minute}
}

// Level is what one level measured.
type Level struct {
	Level         int              `json:"level"`         // verifications filled in before measuring
	Verifications int              `json:"verifications"` // in the store and open in Temporal after measuring
	OpenWorkflows int64            `json:"openWorkflows"` // as Temporal's visibility counts them (-1: unknown)
	Ingest        bench.Result     `json:"ingest"`        // the burst's acknowledgements
	Onboarded     bench.Result     `json:"onboarded"`     // the burst: acknowledgement → onboarding call
	Lifecycle     lifecycle.Result `json:"lifecycle"`
	// Ceiling is the trivial workflows of bench lifecycle at this level,
	// shaped like the level's sampled kycflow histories.
	Ceiling   lifecycle.Result `json:"ceiling"`
	WorkerRSS int64            `json:"workerRssBytes"`
	ServeRSS  int64            `json:"serveRssBytes"`
	BenchRSS  int64            `json:"benchRssBytes"` // this process: the Temporal server, the senders and the receiver
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

// Run starts serve and the worker as processes of o.WorkerBin (writing
// to stderr), fills and measures every level, and prints the report to
// out; stderr also gets a line per level measured.
func Run(ctx context.Context, o Options, out, stderr io.Writer, log *slog.Logger) error {
	if o.Count < 1 || o.Concurrency < 1 || o.Burst < 1 || len(o.Levels) == 0 {
		return errors.New("--count, --concurrency, --burst and --levels must be positive")
	}
	env, err := bench.StartEnv(ctx, o.Options, log)
	if err != nil {
		return err
	}
	defer env.Stop()
	rig := &rig{o: o, lo: lifecycle.Options{Options: o.Options, Timeout: o.Timeout}, tc: env.Client,
		hc: bench.Client(o.Concurrency), rng: mrand.New(mrand.NewPCG(7, 7)), exited: make(chan error, 2)}
	onboarding, stopReceiver, err := lifecycle.StartReceiver(&rig.target)
	if err != nil {
		return err
	}
	defer stopReceiver()
	environ := append(env.Environ("bench-growth"), append(onboarding, "KYCFLOW_LOG_FORMAT=text",
		"KYCFLOW_WORKER_CACHE="+strconv.Itoa(o.WorkerCache))...)
	ports, err := devserver.FreePorts("127.0.0.1", 1)
	if err != nil {
		return err
	}
	listen := fmt.Sprintf("127.0.0.1:%d", ports[0])
	environ = append(environ, "KYCFLOW_LISTEN_ADDR="+listen)
	if _, err := service.LoadConfig(environ); err != nil {
		return err
	}
	if rig.serve, err = rig.start(o.WorkerBin, "serve", environ, stderr); err != nil {
		return err
	}
	defer rig.serve.stop()
	rig.base = "http://" + listen
	if err := bench.WaitHealthy(ctx, rig.base); err != nil {
		return err
	}
	if rig.db, err = sql.Open("postgres", env.DatabaseURL); err != nil {
		return err
	}
	defer rig.db.Close()
	if rig.worker, err = rig.start(o.WorkerBin, "worker", environ, stderr); err != nil {
		return err
	}
	defer rig.worker.stop()

	var levels []Level
	prevSize, err := rig.databaseSize(ctx)
	if err != nil {
		return err
	}
	prevN := 0
	for _, level := range o.Levels {
		l, err := rig.measure(ctx, level)
		if err != nil {
			return err
		}
		if l.DatabaseBytes, err = rig.databaseSize(ctx); err != nil {
			return err
		}
		l.BytesPerVerif = (l.DatabaseBytes - prevSize) / int64(max(rig.created-prevN, 1))
		prevSize, prevN = l.DatabaseBytes, rig.created
		levels = append(levels, l)
		fmt.Fprintf(stderr, "growth: level %d measured (%d verifications): ack p99 %s, %.1f lifecycles/s (ceiling %.1f/s), CPU ms per verification serve %.2f worker %.2f this process %.2f postgres %.2f (ceiling: this process %.2f, postgres %.2f)\n",
			level, rig.created, bench.Millis(l.Ingest.P99), l.Lifecycle.PerSec, l.Ceiling.PerSec, l.ServeCPU, l.WorkerCPU, l.BenchCPU, l.PostgresCPU, msOf(l.Ceiling.ProcessCPU), msOf(l.Ceiling.PostgresCPU))
	}
	return report(out, o, levels)
}
