package workflows_test

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"kycflow/workflows"
)

// TestReplayRecordedHistories replays real histories (recorded by
// cmd/kycflow's TestRecordHistories) through the current workflow code. A
// change that is not deterministic against them fails here: make it a new
// generation (generation.go) or version it with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d recorded histories, want at least 3", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.VerificationWorkflow})
			r.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.CompanyWorkflow})
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Errorf("replay %s: %v", f, err)
			}
		})
	}
}
