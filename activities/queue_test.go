package activities_test

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/testsuite"

	"kycflow/activities"
	"kycflow/internal/testenv"
	"kycflow/workflows"
)

// RecordState puts a case waiting for a person into the compliance queue:
// its due time and its reason, in one line.
func TestRecordStateFillsTheQueueColumns(t *testing.T) {
	db := testenv.SQLite(t)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	a := &activities.Lifecycle{Store: db}
	env.RegisterActivity(a)
	due := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

	waiting := workflows.NewState("waiting")
	waiting.Stage, waiting.ComplianceDue, waiting.ReviewReason, waiting.Seq = workflows.StageAwaitingCompliance, due, "SUSPECTED by iDenfy;\npolicy sends it to review", 1
	alerted := workflows.NewState("alerted")
	alerted.Stage, alerted.Seq = workflows.StageAMLAlert, 1
	alerted.Monitoring = &workflows.Monitoring{Active: true, Alert: true, IDs: []string{"m-1"}}
	decided := workflows.NewState("decided")
	decided.Stage, decided.ComplianceDue, decided.ReviewReason, decided.Seq = workflows.StageDecided, due, "stale", 1
	company := &workflows.State{Kind: workflows.KindCompany, CompanyID: "co-1", Stage: workflows.StageAwaitingCompliance,
		ComplianceDue: due, ReviewReason: "beneficiary flagged", Seq: 1}
	for _, st := range []*workflows.State{waiting, alerted, decided, company} {
		if _, err := env.ExecuteActivity(a.RecordState, workflows.Record{WorkflowID: st.WorkflowID(), State: *st}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	w, _ := db.Verification(ctx, "waiting")
	if !w.DueAt.Valid || !w.DueAt.Time.Equal(due) || w.Reason != "SUSPECTED by iDenfy; policy sends it to review" {
		t.Errorf("waiting: due %v reason %q", w.DueAt, w.Reason)
	}
	al, _ := db.Verification(ctx, "alerted")
	if al.DueAt.Valid || al.Reason != alerted.Details() {
		t.Errorf("alerted: due %v reason %q, want no due time and %q", al.DueAt, al.Reason, alerted.Details())
	}
	if d, _ := db.Verification(ctx, "decided"); d.DueAt.Valid || d.Reason != "" {
		t.Errorf("decided: due %v reason %q, want out of the queue", d.DueAt, d.Reason)
	}
	if c, _ := db.Company(ctx, "co-1"); !c.DueAt.Valid || !c.DueAt.Time.Equal(due) || c.Reason != "beneficiary flagged" {
		t.Errorf("company: due %v reason %q", c.DueAt, c.Reason)
	}
}
