//go:build !nodev

package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"kycflow/bench"
	"kycflow/workflows"
)

// Temporal names of the ceiling's trivial lifecycle.
const (
	ceilingQueue    = "bench-ceiling"
	ceilingWorkflow = "BenchTrivial"
	ceilingActivity = "BenchNoop"
	ceilingSignal   = "bench-event"
)

// lifecycleShape is where a lifecycle's activities fall, in the order they
// are scheduled: how many in all, how many before its second event, and
// which one (0-based) completes the verification.
type lifecycleShape struct {
	Activities   int `json:"activities"`
	BeforeSecond int `json:"beforeSecondEvent"`
	Completion   int `json:"completionAt"`
}

// benchTrivialWorkflow is the ceiling's lifecycle: no-op activities in
// sequence where a kycflow lifecycle runs its activities, the one in the
// onboarding call's place marking completion.
func benchTrivialWorkflow(ctx workflow.Context, shape lifecycleShape) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	signals := workflow.GetSignalChannel(ctx, ceilingSignal)
	var seq int
	signals.Receive(ctx, &seq)
	for n := range shape.Activities {
		if n == shape.BeforeSecond {
			signals.Receive(ctx, &seq)
		}
		if err := workflow.ExecuteActivity(ctx, ceilingActivity, id, n == shape.Completion).Get(ctx, nil); err != nil {
			return err
		}
	}
	if shape.BeforeSecond >= shape.Activities {
		signals.Receive(ctx, &seq)
	}
	return nil
}

// benchCeiling runs the verifications as trivial workflows, in the same
// stream, on the same Temporal server. Their workflow IDs start with
// prefix, so that runs on one server do not meet.
func benchCeiling(ctx context.Context, o benchOptions, stream []streamStep, tc client.Client, shape lifecycleShape, prefix string) (lifecycleRun, error) {
	ids := make([]string, o.count)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	arr := newArrivals(ids)
	w := sdkworker.New(tc, ceilingQueue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(benchTrivialWorkflow, workflow.RegisterOptions{Name: ceilingWorkflow})
	w.RegisterActivityWithOptions(func(_ context.Context, id string, completes bool) error {
		if completes {
			arr.reach(id)
		}
		return nil
	}, activity.RegisterOptions{Name: ceilingActivity})
	if err := w.Start(); err != nil {
		return lifecycleRun{}, fmt.Errorf("start ceiling worker: %w", err)
	}
	defer w.Stop()
	signal := func(ctx context.Context, i int) error {
		_, err := tc.SignalWithStartWorkflow(ctx, ids[i], ceilingSignal, i, client.StartWorkflowOptions{ID: ids[i], TaskQueue: ceilingQueue}, ceilingWorkflow, shape)
		return err
	}
	cpu := bench.SampleCPU()
	sent := arr.drive(ctx, "ceiling", o, stream, signal, signal)
	if err := arr.wait(ctx, o.timeout, nil); err != nil {
		return lifecycleRun{}, fmt.Errorf("ceiling: %w", err)
	}
	run := arr.charge(cpu, "ceiling", sent.Errors)
	// The activities after the completion's still run, so that no trivial
	// workflow outlives its worker (and counts as open in a later level).
	err := bench.Poll(ctx, "ceiling: trivial workflows closing", 100*time.Millisecond, o.timeout, func() (bool, error) {
		open, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: "WorkflowType = '" + ceilingWorkflow + "' AND ExecutionStatus = 'Running'"})
		if err == nil && open.GetCount() > 0 {
			err = fmt.Errorf("%d still open", open.GetCount())
		}
		return err == nil, err
	})
	return run, err
}

// levelCeiling runs a growth level's ceiling: as many trivial workflows as
// the level's kycflow lifecycles ids, shaped like them, in the same stream.
func levelCeiling(ctx context.Context, o benchOptions, tc client.Client, ids []string, level int) (lifecycleRun, error) {
	shape, err := readShape(ctx, tc, ids)
	if err != nil {
		return lifecycleRun{}, fmt.Errorf("lifecycle shape at %d: %w", level, err)
	}
	for _, id := range ids { // no kycflow work overlaps the ceiling's
		if err := waitIdle(ctx, tc, id); err != nil {
			return lifecycleRun{}, err
		}
	}
	run, err := benchCeiling(ctx, o, lifecycleStream(len(ids)), tc, shape.lifecycleShape, fmt.Sprintf("ceiling-%d-", level))
	if err != nil {
		return lifecycleRun{}, fmt.Errorf("ceiling at %d: %w", level, err)
	}
	return run, nil
}

// sampledShape is the most common shape among sampled kycflow histories.
type sampledShape struct {
	lifecycleShape
	Types   map[string]int `json:"types"`   // activity type → how many, in one history of this shape
	Matched int            `json:"matched"` // sampled histories of this shape
	Sampled int            `json:"sampled"`
}

func (s sampledShape) String() string {
	var types []string
	for _, name := range slices.Sorted(maps.Keys(s.Types)) {
		types = append(types, fmt.Sprintf("%s %d", name, s.Types[name]))
	}
	return fmt.Sprintf("%d (%s); %d before the manual result; onboarding is activity %d; %d of %d sampled histories",
		s.Activities, strings.Join(types, ", "), s.BeforeSecond, s.Completion+1, s.Matched, s.Sampled)
}

// readShape reads the shape of up to ten of the lifecycles ids, spread
// over the run, once each has nothing left running.
func readShape(ctx context.Context, tc client.Client, ids []string) (sampledShape, error) {
	const samples = 10
	count := map[lifecycleShape]int{}
	types := map[lifecycleShape]map[string]int{}
	n := min(samples, len(ids))
	for k := range n {
		id := ids[k*len(ids)/n]
		if err := waitIdle(ctx, tc, id); err != nil {
			return sampledShape{}, err
		}
		sh, ty, err := historyShape(ctx, tc, id)
		if err != nil {
			return sampledShape{}, err
		}
		if count[sh]++; types[sh] == nil {
			types[sh] = ty
		}
	}
	best := sampledShape{Sampled: n}
	for sh, c := range count {
		if c > best.Matched || (c == best.Matched && sh.Activities > best.Activities) {
			best.lifecycleShape, best.Types, best.Matched = sh, types[sh], c
		}
	}
	return best, nil
}

// waitIdle polls a lifecycle until no activity or workflow task is pending.
func waitIdle(ctx context.Context, tc client.Client, id string) error {
	return bench.Poll(ctx, "lifecycle "+id+" idle", 50*time.Millisecond, 30*time.Second, func() (bool, error) {
		d, err := tc.DescribeWorkflowExecution(ctx, id, "")
		if err != nil {
			return false, err
		}
		return len(d.GetPendingActivities()) == 0 && d.GetPendingWorkflowTask() == nil, nil
	})
}

// historyShape counts the activities a lifecycle scheduled.
func historyShape(ctx context.Context, tc client.Client, id string) (lifecycleShape, map[string]int, error) {
	sh, types, signals := lifecycleShape{Completion: -1}, map[string]int{}, 0
	it := tc.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return sh, nil, fmt.Errorf("history of %s: %w", id, err)
		}
		switch ev.GetEventType() {
		case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
			signals++
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			name := ev.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
			types[name]++
			if signals < 2 {
				sh.BeforeSecond++
			}
			if name == workflows.ActivityOnboard && sh.Completion < 0 {
				sh.Completion = sh.Activities
			}
			sh.Activities++
		}
	}
	if sh.Completion < 0 {
		return sh, nil, fmt.Errorf("lifecycle %s made no onboarding call", id)
	}
	return sh, types, nil
}
