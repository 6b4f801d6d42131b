package workflows

import (
	"encoding/json"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// Workflow code generations. A run's generation comes with its input, set
// by whoever starts it (the relay) and by continue-as-new, so a run knows
// from its first event which code it runs, at no cost in history. Version
// markers (workflow.GetVersion) cost two events each, a marker and an
// upsert of TemporalChangeVersion, and that upsert rewrites the run's
// visibility row; a generation costs nothing.
//
// A worker that does not know the field runs the older code, and a newer
// worker could not replay that history: every worker must know a
// generation before the relay starts runs of it (README, "Generations";
// KYCFLOW_WORKFLOW_GENERATION holds the relay back during an upgrade).
const (
	// GenerationLean (2026-12, issue 22) runs have every change up to the
	// baseline marker without asking, load the stored lifecycle with a
	// local activity, and deliver a decision with one Deliver activity.
	GenerationLean = 1

	// Generation is the newest generation: what the relay starts runs
	// with by default (KYCFLOW_WORKFLOW_GENERATION). A run continues as
	// new in its own generation, so a worker that is not upgraded yet
	// never takes the first task of a run it cannot run, and a worker
	// panics (its task is retried elsewhere) on a newer generation.
	Generation = GenerationLean
)

// leanChanges are the changes a lean run has without asking.
var leanChanges = changes{baseline: true, effects: true, monitored: true, cautious: true, releases: true}

// loadStoredLocally loads the stored lifecycle with a local activity: its
// result is a marker in the first workflow task, not an activity and a
// workflow task of its own. A retried first task loads again, and reads
// what its failed attempt read: the attempt's commands (the activities it
// scheduled) took effect only had it completed, the review Update's
// handler is set only after the load, and the one write the attempt may
// have made itself, its first record (recordLocally), carries the state
// the run loaded, which the load of the same run takes instead. A
// continued run carries its state and loads nothing.
func loadStoredLocally(ctx workflow.Context, name, subject string) (*State, error) {
	var stored *State
	if err := storeLocally(ctx, name, "load stored lifecycle of "+subject, subject, &stored); err != nil {
		return nil, fmt.Errorf("load stored lifecycle: %w", err)
	}
	return stored, nil
}

// storeLocally runs a store activity as a local activity for up to
// localStoreTime, then, while the store stays away, as an activity
// retried until it is back (storeCall): a local activity's retries end
// with its schedule-to-close timeout, and a run must not fail because the
// store was away.
func storeLocally(ctx workflow.Context, name, summary string, arg, result any) error {
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: localStoreTime, RetryPolicy: storeRetry, Summary: summary,
	})
	if err := workflow.ExecuteLocalActivity(lctx, name, arg).Get(ctx, result); err == nil {
		return nil
	}
	return storeCall(ctx, name, summary+" (the store was away)", arg).Get(ctx, result)
}

// localStoreTime is how long a store call stays local.
const localStoreTime = 30 * time.Second

// recordLocally stores a lean run's first record with a local activity: a
// marker in the workflow task that applied the run's first events, not an
// activity and a workflow task of its own. Only there: until that task
// completes, no other write of this run can reach the store (everything
// else it stores goes through activities the task schedules), so a retry
// of the task after a failure (a worker killed) finds nothing but what
// the failed attempt wrote, and writes it again — the same events, in the
// same order, from the same loaded state, make the same entries. The
// attempt's state is the one thing a retry must not read back: the record
// carries the run's ID and the state it loaded, and the load of a run that
// finds its own ID there takes that (activities.LoadVerification). A
// record made later in a run does not have these guarantees (a retried
// task may see events in another order than its failed attempt, and a
// lost Update may leave entries nobody made): it stays an activity.
func recordLocally(ctx workflow.Context, summary string, rec Record) error {
	rec.State = *rec.State.clone() // a local activity gets its argument as it is, not encoded
	return storeLocally(ctx, ActivityRecordState, summary, rec, nil)
}

// clone is a deep copy of s (through JSON, as history carries it).
func (s *State) clone() *State {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode state: %v", err)) // a State always encodes
	}
	var c State
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("decode state: %v", err))
	}
	return &c
}
