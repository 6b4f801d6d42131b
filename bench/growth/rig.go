package growth

import (
	"context"
	"database/sql"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"kycflow/bench"
	"kycflow/bench/lifecycle"
	"kycflow/simulate"
)

// rig is serve, the worker process and the onboarding receiver, and what
// the run has created on them so far.
type rig struct {
	o       Options
	lo      lifecycle.Options // the lifecycle measurement's settings, and the ceiling's
	base    string            // serve's URL
	hc      *http.Client
	tc      client.Client
	target  atomic.Pointer[lifecycle.Arrivals] // the receiver's
	rng     *mrand.Rand
	db      *sql.DB
	serve   *process
	worker  *process
	exited  chan error // a process that stopped before the end
	created int
}

// measure fills the store up to level verifications and measures the
// level: the ingest burst, the lifecycle pairs, CPU and memory by process,
// and the ceiling.
func (rig *rig) measure(ctx context.Context, level int) (Level, error) {
	start, before := time.Now(), rig.created
	if n := level - rig.created; n > 0 {
		if _, _, err := rig.approved(ctx, n); err != nil {
			return Level{}, fmt.Errorf("fill to %d: %w", level, err)
		}
	}
	l := Level{Level: rig.created, FillSeconds: time.Since(start).Seconds()}
	if l.FillSeconds > 0 {
		l.FillVerifsPerSec = float64(rig.created-before) / l.FillSeconds
	}
	cpu := rig.cpu()
	stopProfile, err := bench.StartCPUProfile(levelProfile(rig.o.CPUProfile, level))
	if err != nil {
		return Level{}, err
	}
	if l.Ingest, l.Onboarded, err = rig.approved(ctx, rig.o.Burst); err != nil {
		return Level{}, fmt.Errorf("ingest burst at %d: %w", level, err)
	}
	ids, err := rig.pairs(ctx, &l.Lifecycle)
	if err != nil {
		return Level{}, fmt.Errorf("lifecycles at %d: %w", level, err)
	}
	stopProfile()
	used, verifications := rig.cpu().since(cpu), float64(rig.o.Burst+rig.o.Count)
	l.ServeCPU, l.WorkerCPU = msOf(used.serve)/verifications, msOf(used.worker)/verifications
	l.BenchCPU, l.PostgresCPU = msOf(used.bench)/verifications, msOf(used.postgres)/verifications
	l.WorkerRSS, l.ServeRSS, l.BenchRSS = bench.ResidentBytes(rig.worker.pid()), bench.ResidentBytes(rig.serve.pid()), bench.ResidentBytes(os.Getpid())
	l.Verifications, l.OpenWorkflows = rig.created, rig.openWorkflows(ctx) // before the ceiling's short-lived workflows
	if l.Ceiling, err = rig.ceiling(ctx, ids, level); err != nil {
		return Level{}, err
	}
	return l, nil
}

// usage is the CPU used so far, by process.
type usage struct{ serve, worker, bench, postgres time.Duration }

func (rig *rig) cpu() usage {
	return usage{bench.CPUTime(rig.serve.pid()), bench.CPUTime(rig.worker.pid()), bench.CPUTime(os.Getpid()), bench.PostgresCPU()}
}

func (u usage) since(v usage) usage {
	return usage{u.serve - v.serve, u.worker - v.worker, u.bench - v.bench, u.postgres - v.postgres}
}

// approved sends n new verifications, one automatic APPROVED webhook each,
// in batches of at most 5,000 (bodies are generated per batch), and waits
// until every one was onboarded. It returns the acknowledgements and the
// time from each acknowledgement to its onboarding call.
func (rig *rig) approved(ctx context.Context, n int) (acks, onboarded bench.Result, err error) {
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
		arr := lifecycle.NewArrivals(refs)
		rig.target.Store(arr)
		steps := make([]lifecycle.Step, k)
		for i := range steps {
			steps[i] = lifecycle.Step{Verification: i, Second: true}
		}
		post := bench.Post(rig.hc, rig.base+"/webhooks/idenfy/kyc", bodies, bench.SignedBy(bench.Key, bodies))
		acks = arr.Drive(ctx, "ingest", rig.lo, steps, nil, post)
		if err := arr.Wait(ctx, rig.o.Timeout, rig.exited); err != nil {
			return acks, onboarded, err
		}
		onboarded = arr.Result("onboarded", acks.Errors).Result
		rig.created += k
		done += k
	}
	return acks, onboarded, nil
}

// pairs runs the lifecycle measurement of bench lifecycle, o.Count
// automatic + manual pairs, saturating, into run. It returns their
// workflow IDs.
func (rig *rig) pairs(ctx context.Context, run *lifecycle.Result) ([]string, error) {
	autos, finals, refs, err := lifecycle.ReviewPairs(rig.rng, rig.o.Count)
	if err != nil {
		return nil, err
	}
	arr := lifecycle.NewArrivals(refs)
	rig.target.Store(arr)
	url := rig.base + "/webhooks/idenfy/kyc"
	sent := arr.Drive(ctx, "lifecycle", rig.lo, lifecycle.Stream(rig.o.Count),
		bench.Post(rig.hc, url, autos, bench.SignedBy(bench.Key, autos)), bench.Post(rig.hc, url, finals, bench.SignedBy(bench.Key, finals)))
	if err := arr.Wait(ctx, rig.o.Timeout, rig.exited); err != nil {
		return nil, err
	}
	rig.created += rig.o.Count
	*run = arr.Result("lifecycle", sent.Errors)
	return lifecycle.IDs(refs), nil
}

// ceiling runs a level's ceiling: as many trivial workflows as the
// level's kycflow lifecycles ids, shaped like them, in the same stream.
func (rig *rig) ceiling(ctx context.Context, ids []string, level int) (lifecycle.Result, error) {
	shape, err := lifecycle.ReadShape(ctx, rig.tc, ids)
	if err != nil {
		return lifecycle.Result{}, fmt.Errorf("lifecycle shape at %d: %w", level, err)
	}
	for _, id := range ids { // no kycflow work overlaps the ceiling's
		if err := lifecycle.WaitIdle(ctx, rig.tc, id); err != nil {
			return lifecycle.Result{}, err
		}
	}
	run, err := lifecycle.Ceiling(ctx, rig.lo, lifecycle.Stream(len(ids)), rig.tc, shape.Shape, fmt.Sprintf("ceiling-%d-", level))
	if err != nil {
		return lifecycle.Result{}, fmt.Errorf("ceiling at %d: %w", level, err)
	}
	return run, nil
}

func (rig *rig) databaseSize(ctx context.Context) (int64, error) {
	var n int64
	if err := rig.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
		return 0, fmt.Errorf("database size: %w", err)
	}
	return n, nil
}

func (rig *rig) openWorkflows(ctx context.Context) int64 {
	resp, err := rig.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "ExecutionStatus = 'Running'"})
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
