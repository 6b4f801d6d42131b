//go:build !nodev

package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"kycflow/bench"
	"kycflow/outbound"
	"kycflow/service"
	"kycflow/workflows"
)

func newBenchLifecycleCmd(stderr io.Writer) *cobra.Command {
	var o benchOptions
	cmd := &cobra.Command{
		Use:   "lifecycle",
		Short: "Whole verification lifecycles against trivial workflows on the same Temporal server",
		Long: `lifecycle runs --count verifications through two targets, one after the other, in one run,
on one Temporal server, with the same order of events and the same concurrency:

  kycflow   a real serve and a real worker on a scratch PostgreSQL database. Each verification
            is an automatic SUSPECTED result (final:false) and, later, the manual APPROVED
            result (final:true), two signed webhooks over HTTP (keep-alive): inbox, relay,
            workflow, decision, and the onboarding call to a local receiver, which checks
            its signature and decision and counts repeats.
  ceiling   trivial workflows on their own task queue: two SignalWithStart calls each and as
            many no-op activities as one kycflow lifecycle runs (read from its history),
            before and after the second signal as kycflow's fall.

--concurrency senders take the next event of one stream: every verification's automatic result
in turn, its manual result half the run later (after the automatic results of --count/2 other
verifications), as reviews trail automatic checks in a campaign. A verification is complete at
its onboarding call (ceiling: the no-op activity in the onboarding call's place); lifecycles stay
open afterwards, in AML monitoring. Reported: verifications completed per second (from the first
event sent to the last completion), latency from the acknowledged second event to completion,
onboarding calls and repeats, and the kycflow/ceiling ratio. JSON with --json.

Without --rate the senders outrun the lifecycles (acknowledging needs only the inbox): the rate
is the one at saturation, and latency is mostly the backlog's queueing. With --rate below that,
latency is the lifecycle's own, and the rate is the offered one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			return runBenchLifecycle(cmd.Context(), o, cmd.OutOrStdout(), log)
		},
	}
	addBenchFlags(cmd, &o, 500, "verifications per target")
	cmd.Flags().Float64Var(&o.rate, "rate", 0, "verifications offered per second (0: as fast as the senders go, which measures the rate at saturation; "+
		"below it, latency without a backlog)")
	cmd.Flags().DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long a target may take, after its last event is sent, to complete every verification")
	return cmd
}

// lifecycleRun is one measured target: rate and latency to completion, and
// how many completions (onboarding calls) arrived, repeats included.
type lifecycleRun struct {
	bench.Result
	Calls      int `json:"calls"`
	Duplicates int `json:"duplicates"`
}

func runBenchLifecycle(ctx context.Context, o benchOptions, out io.Writer, log *slog.Logger) error {
	if o.count < 1 || o.concurrency < 1 {
		return errors.New("--count and --concurrency must be positive")
	}
	env, err := startBenchEnv(ctx, o, log)
	if err != nil {
		return err
	}
	defer env.stop()
	stream := lifecycleStream(o.count)
	kyc, shape, err := benchKycflowLifecycles(ctx, o, stream, env, log)
	if err != nil {
		return err
	}
	ceiling, err := benchCeiling(ctx, o, stream, env.tc, shape.lifecycleShape, "ceiling-")
	if err != nil {
		return err
	}
	offered := "as fast as the senders go"
	if o.rate > 0 {
		offered = fmt.Sprintf("%g verifications/s offered", o.rate)
	}
	return report{
		title: fmt.Sprintf("lifecycle: %d verifications per target (automatic SUSPECTED, manual APPROVED %d verifications later), concurrency %d, %s\n"+
			"rate: completed per second, first event sent → last completion; latency: second event acknowledged → completion\n"+
			"completion: kycflow's onboarding call; ceiling's no-op activity in its place; Temporal: %s", o.count, o.count/2, o.concurrency, offered, o.temporalStore()),
		unit: "verif/s",
		rows: []bench.Result{kyc.Result, ceiling.Result},
		notes: []string{
			fmt.Sprintf("onboarding calls %d (repeats %d); ceiling completions %d (repeats %d)", kyc.Calls, kyc.Duplicates, ceiling.Calls, ceiling.Duplicates),
			"activities per verification: " + shape.String(),
		},
		ratios: []ratio{{"kycflow", "ceiling", 2}},
		fields: map[string]any{"count": o.count, "concurrency": o.concurrency, "lag": o.count / 2, "offeredPerSecond": o.rate, "temporalStore": o.temporalStore(),
			"activitiesPerVerification": shape.Activities, "lifecycle": shape},
		results: []lifecycleRun{kyc, ceiling},
	}.print(out, o.jsonOut)
}

// benchKycflowLifecycles runs the verifications through a real serve and
// worker, and reads the shape of a lifecycle from the histories.
func benchKycflowLifecycles(ctx context.Context, o benchOptions, stream []streamStep, env benchEnv, log *slog.Logger) (lifecycleRun, sampledShape, error) {
	autos, finals, scanRefs, err := reviewPairs(mrand.New(mrand.NewPCG(42, 42)), o.count)
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	arr := newArrivals(scanRefs)
	var target atomic.Pointer[arrivals]
	target.Store(arr)
	onboarding, stopReceiver, err := startOnboardingReceiver(&target)
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	defer stopReceiver()
	cfg, err := service.LoadConfig(append(env.environ("bench-lifecycle"), onboarding...))
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	exited := make(chan error, 2) // serve or worker stopped before the end
	wg.Go(func() { exited <- fmt.Errorf("serve stopped: %v", service.Serve(sctx, cfg, log, ln)) })
	base := "http://" + ln.Addr().String()
	if err := waitHealthy(ctx, base); err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	wg.Go(func() { exited <- fmt.Errorf("worker stopped: %v", service.Worker(sctx, cfg, log)) })

	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	hc, url := bench.Client(o.concurrency), base+"/webhooks/idenfy/kyc"
	cpu := bench.SampleCPU()
	sent := arr.drive(ctx, "kycflow", o, stream, bench.Post(hc, url, autos, signedBy(benchKey, autos)), bench.Post(hc, url, finals, signedBy(benchKey, finals)))
	err = arr.wait(ctx, o.timeout, exited)
	stopProfile()
	if err != nil {
		return lifecycleRun{}, sampledShape{}, fmt.Errorf("kycflow: %w", err)
	}
	run := arr.charge(cpu, "kycflow", sent.Errors)
	ids := make([]string, len(scanRefs))
	for i, s := range scanRefs {
		ids[i] = workflows.ID(s)
	}
	shape, err := readShape(ctx, env.tc, ids)
	if err != nil {
		return lifecycleRun{}, sampledShape{}, err
	}
	return run, shape, nil
}

// startOnboardingReceiver serves onboardingReceiver on a loopback port
// with a fresh signing secret and returns the settings that point kycflow
// at it.
func startOnboardingReceiver(target *atomic.Pointer[arrivals]) (environ []string, stop func(), err error) {
	secret := make(outbound.Secret, 32)
	rand.Read(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: onboardingReceiver(secret, target), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return []string{"KYCFLOW_ONBOARDING_URL=http://" + ln.Addr().String() + "/onboarding",
		"KYCFLOW_ONBOARDING_KEYS=whsec_" + base64.StdEncoding.EncodeToString(secret)}, func() { srv.Close() }, nil
}

// onboardingReceiver is the downstream onboarding endpoint: it checks each
// call's signature and decision (a failure counts as an error) and records
// it as its verification's completion in the arrivals target points to.
func onboardingReceiver(secret outbound.Secret, target *atomic.Pointer[arrivals]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arr := target.Load()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		id := r.Header.Get("webhook-id")
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		var msg struct {
			ScanRef  string             `json:"scanRef"`
			Decision workflows.Decision `json:"decision"`
		}
		if err != nil || json.Unmarshal(body, &msg) != nil {
			arr.fail()
			w.WriteHeader(http.StatusOK) // a repeat would not parse either
			return
		}
		if outbound.Verify(secret, id, ts, body, r.Header.Get("webhook-signature")) != nil || msg.Decision != workflows.DecisionApproved {
			arr.fail()
		}
		arr.reach(msg.ScanRef)
		w.WriteHeader(http.StatusOK)
	})
}
