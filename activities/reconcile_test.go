package activities_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"kycflow/activities"
	"kycflow/idenfy"
	"kycflow/internal/fakes"
	"kycflow/internal/testenv"
	"kycflow/worker"
	"kycflow/workflows"
)

// An overdue manual review is reconciled through (a fake of) iDenfy's
// status API once the SLA passes — with the workflow test suite skipping
// the 24 hours — and escalates when iDenfy has no result either.
func TestOverdueReviewReconciledThroughTheStatusAPI(t *testing.T) {
	manual := "DOC_VALIDATED"
	for _, tt := range []struct {
		name      string
		status    idenfy.StatusResult
		wantStage workflows.Stage
		wantEntry string
	}{
		{"iDenfy has the final result", idenfy.StatusResult{Status: "DENIED", ManualDocument: &manual, ManualFace: &manual}, workflows.StageClosed, workflows.EntryReconciled},
		{"iDenfy has nothing final", idenfy.StatusResult{Status: "SUSPECTED"}, workflows.StageAutoChecked, workflows.EntryEscalated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := fakes.NewIDenfy(t, "key", "secret")
			tt.status.ScanRef = "scan-r"
			api.Set(tt.status)
			db := testenv.SQLite(t)
			var s testsuite.WorkflowTestSuite
			env := s.NewTestWorkflowEnvironment()
			worker.Register(env, &activities.Lifecycle{Store: db}, &activities.Effects{IDenfy: &idenfy.Client{BaseURL: api.URL, APIKey: "key", APISecret: "secret"}})
			auto := workflows.Event{InboxID: 1, Kind: "kyc", EventType: idenfy.EventIdentificationAutoFinished, ScanRef: "scan-r"}
			auto.Overall, auto.AutoDocument, auto.AutoFace = idenfy.OverallSuspected, "DOC_VALIDATED", "FACE_MATCH"
			env.RegisterDelayedCallback(func() { env.SignalWorkflow(workflows.SignalEvent, auto) }, time.Minute)
			env.SetTestTimeout(time.Minute)
			env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{ScanRef: "scan-r", Policy: workflows.Policy{LateEventWindow: time.Hour}})

			v, err := db.Verification(context.Background(), "scan-r")
			if err != nil {
				t.Fatal(err)
			}
			tl, err := db.Timeline(context.Background(), "scan-r")
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, e := range tl {
				types = append(types, e.Type)
			}
			if v.Stage != string(tt.wantStage) || !contains(types, tt.wantEntry) || !contains(types, workflows.EntryStuck) {
				t.Errorf("stage %s, timeline %v; want %s with %s", v.Stage, types, tt.wantStage, tt.wantEntry)
			}
			if n := api.Calls("scan-r"); n != 1 {
				t.Errorf("status API called %d times, want once (iDenfy forbids polling)", n)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
