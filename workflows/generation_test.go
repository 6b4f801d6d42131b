package workflows_test

import (
	"strings"
	"testing"
	"time"

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
