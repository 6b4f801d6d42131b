package lifecycle

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"kycflow/bench"
)

// Temporal names of the ceiling's trivial lifecycle.
const (
	ceilingQueue    = "bench-ceiling"
	ceilingWorkflow = "BenchTrivial"
	ceilingActivity = "BenchNoop"
	ceilingSignal   = "bench-event"
)

// trivialWorkflow is the ceiling's lifecycle: no-op activities in sequence
// where a kycflow lifecycle runs its activities, the one in the onboarding
// call's place marking completion.
func trivialWorkflow(ctx workflow.Context, shape Shape) error {
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

// Ceiling runs o.Count verifications as trivial workflows of shape, in
// the stream, on the Temporal server of tc. Their workflow IDs start with
// prefix, so that runs on one server do not meet.
func Ceiling(ctx context.Context, o Options, stream []Step, tc client.Client, shape Shape, prefix string) (Result, error) {
	ids := make([]string, o.Count)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	arr := NewArrivals(ids)
	w := sdkworker.New(tc, ceilingQueue, sdkworker.Options{})
	w.RegisterWorkflowWithOptions(trivialWorkflow, workflow.RegisterOptions{Name: ceilingWorkflow})
	w.RegisterActivityWithOptions(func(_ context.Context, id string, completes bool) error {
		if completes {
			arr.Reach(id)
		}
		return nil
	}, activity.RegisterOptions{Name: ceilingActivity})
	if err := w.Start(); err != nil {
		return Result{}, fmt.Errorf("start ceiling worker: %w", err)
	}
	defer w.Stop()
	signal := func(ctx context.Context, i int) error {
		_, err := tc.SignalWithStartWorkflow(ctx, ids[i], ceilingSignal, i, client.StartWorkflowOptions{ID: ids[i], TaskQueue: ceilingQueue}, ceilingWorkflow, shape)
		return err
	}
	cpu := bench.SampleCPU()
	sent := arr.Drive(ctx, "ceiling", o, stream, signal, signal)
	if err := arr.Wait(ctx, o.Timeout, nil); err != nil {
		return Result{}, fmt.Errorf("ceiling: %w", err)
	}
	run := arr.Charge(cpu, "ceiling", sent.Errors)
	// The activities after the completion's still run, so that no trivial
	// workflow outlives its worker (and counts as open in a later level).
	err := bench.Poll(ctx, "ceiling: trivial workflows closing", 100*time.Millisecond, o.Timeout, func() (bool, error) {
		open, err := tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: "WorkflowType = '" + ceilingWorkflow + "' AND ExecutionStatus = 'Running'"})
		if err == nil && open.GetCount() > 0 {
			err = fmt.Errorf("%d still open", open.GetCount())
		}
		return err == nil, err
	})
	return run, err
}
