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

func TestRecordStateThenLoad(t *testing.T) {
	for name, open := range testenv.Stores(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment()
			a := &activities.Lifecycle{Store: db}
			env.RegisterActivity(a)

			state := workflows.NewState("scan-1")
			state.Stage, state.Decision, state.Seq, state.Seen = workflows.StageDecided, workflows.DecisionApproved, 2, []string{"inbox:7"}
			at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
			rec := workflows.Record{WorkflowID: "kyc-scan-1", State: *state, Entries: []workflows.Entry{
				{Seq: 1, Type: "received", At: at, InboxID: 7}, {Seq: 2, Type: "decided", At: at},
			}}
			for range 2 { // a retried activity must not duplicate the trail
				if _, err := env.ExecuteActivity(a.RecordState, rec); err != nil {
					t.Fatal(err)
				}
			}
			tl, err := db.Timeline(context.Background(), "scan-1")
			if err != nil {
				t.Fatal(err)
			}
			if len(tl) != 2 || !tl[0].InboxID.Valid || tl[1].InboxID.Valid {
				t.Errorf("timeline = %+v, want two entries, the first with its inbox id", tl)
			}
			v, err := env.ExecuteActivity(a.LoadVerification, "scan-1")
			if err != nil {
				t.Fatal(err)
			}
			var loaded *workflows.State
			if err := v.Get(&loaded); err != nil {
				t.Fatal(err)
			}
			if loaded == nil || loaded.Decision != workflows.DecisionApproved || loaded.Seq != 2 || loaded.Seen[0] != "inbox:7" {
				t.Errorf("LoadVerification() = %+v", loaded)
			}
			none, err := env.ExecuteActivity(a.LoadVerification, "unknown")
			if err != nil {
				t.Fatal(err)
			}
			var missing *workflows.State
			if none.HasValue() {
				if err := none.Get(&missing); err != nil || missing != nil {
					t.Errorf("LoadVerification(unknown) = %+v, %v; want nil", missing, err)
				}
			}
		})
	}
}
