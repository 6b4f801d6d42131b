package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"

	"kycflow/workflows"
)

// A worker refuses a run of a newer generation than its own: its task
// fails, to be retried on an upgraded worker, and nothing is recorded.
func TestNewerGenerationFailsTheTask(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation + 1, ScanRef: scanRef})
	if err := env.GetWorkflowError(); err == nil || !strings.Contains(err.Error(), "upgrade the worker") || len(f.records) != 0 {
		t.Errorf("run of generation %d: error %v, %d records; want the task failed, nothing recorded", workflows.Generation+1, err, len(f.records))
	}
}

// A lean run's local store calls give way to activities while the store
// is away: the run neither fails nor loses its first event (a local
// activity's retries end with its schedule-to-close timeout).
func TestStoreAwayAtTheFirstRecordAndTheLoad(t *testing.T) {
	for _, activityName := range []string{workflows.ActivityRecordState, workflows.ActivityLoadVerification} {
		f := &trail{}
		env := newEnv(t, f)
		fails := 0
		away := errors.New("store away")
		if activityName == workflows.ActivityRecordState {
			env.OnActivity(activityName, mock.Anything, mock.Anything).Return(func(ctx context.Context, r workflows.Record) error {
				if fails < 6 {
					fails++
					return away
				}
				return f.record(ctx, r)
			})
		} else {
			env.OnActivity(activityName, mock.Anything, mock.Anything).Return(func(context.Context, string) (*workflows.State, error) {
				if fails < 6 {
					fails++
					return nil, away
				}
				return nil, nil
			})
		}
		send(env, time.Minute, autoSuspected())
		send(env, time.Hour, manualApproved())
		env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: monitored})
		if err := env.GetWorkflowError(); err != nil || fails != 6 || len(f.onboarded) != 1 || f.newest().Decision != workflows.DecisionApproved {
			t.Errorf("%s away for 6 calls: run error %v, %d failed calls, onboarded %d, decision %q; want the lifecycle unharmed",
				activityName, err, fails, len(f.onboarded), f.newest().Decision)
		}
	}
}
