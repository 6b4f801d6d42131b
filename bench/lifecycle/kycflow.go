package lifecycle

import (
	"context"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"sync"
	"sync/atomic"

	"kycflow/bench"
	"kycflow/service"
	"kycflow/workflows"
)

// runKycflow runs the verifications through a real serve and worker, and
// reads the shape of a lifecycle from the histories.
func runKycflow(ctx context.Context, o Options, stream []Step, env bench.Env, log *slog.Logger) (Result, SampledShape, error) {
	autos, finals, scanRefs, err := ReviewPairs(mrand.New(mrand.NewPCG(42, 42)), o.Count)
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	arr := NewArrivals(scanRefs)
	var target atomic.Pointer[Arrivals]
	target.Store(arr)
	onboarding, stopReceiver, err := StartReceiver(&target)
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	defer stopReceiver()
	cfg, err := service.LoadConfig(append(env.Environ("bench-lifecycle"), onboarding...))
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stop(); wg.Wait() }()
	exited := make(chan error, 2) // serve or worker stopped before the end
	wg.Go(func() { exited <- fmt.Errorf("serve stopped: %v", service.Serve(sctx, cfg, log, ln)) })
	base := "http://" + ln.Addr().String()
	if err := bench.WaitHealthy(ctx, base); err != nil {
		return Result{}, SampledShape{}, err
	}
	wg.Go(func() { exited <- fmt.Errorf("worker stopped: %v", service.Worker(sctx, cfg, log)) })

	stopProfile, err := bench.StartCPUProfile(o.CPUProfile)
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	hc, url := bench.Client(o.Concurrency), base+"/webhooks/idenfy/kyc"
	cpu := bench.SampleCPU()
	sent := arr.Drive(ctx, "kycflow", o, stream, bench.Post(hc, url, autos, bench.SignedBy(bench.Key, autos)), bench.Post(hc, url, finals, bench.SignedBy(bench.Key, finals)))
	err = arr.Wait(ctx, o.Timeout, exited)
	stopProfile()
	if err != nil {
		return Result{}, SampledShape{}, fmt.Errorf("kycflow: %w", err)
	}
	run := arr.Charge(cpu, "kycflow", sent.Errors)
	shape, err := ReadShape(ctx, env.Client, IDs(scanRefs))
	if err != nil {
		return Result{}, SampledShape{}, err
	}
	return run, shape, nil
}

// IDs are the workflow IDs of the verifications scanRefs.
func IDs(scanRefs []string) []string {
	ids := make([]string, len(scanRefs))
	for i, s := range scanRefs {
		ids[i] = workflows.ID(s)
	}
	return ids
}
