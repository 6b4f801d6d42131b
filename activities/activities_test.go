package activities_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
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

// A lean run's first record carries the run's ID and the state it loaded:
// the same run loading again (a retried first workflow task) gets that
// state, not what its failed attempt stored; any other run gets the record.
func TestLoadAfterAFailedFirstTask(t *testing.T) {
	for name, open := range testenv.Stores(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			var s testsuite.WorkflowTestSuite
			env := s.NewTestActivityEnvironment() // its run ID is "default-test-run-id"
			a := &activities.Lifecycle{Store: db}
			env.RegisterActivity(a)
			load := func() *workflows.State {
				t.Helper()
				v, err := env.ExecuteLocalActivity(a.LoadVerification, "scan-1")
				if err != nil {
					t.Fatal(err)
				}
				var got *workflows.State
				if v.HasValue() {
					if err := v.Get(&got); err != nil {
						t.Fatal(err)
					}
				}
				return got
			}
			closed := workflows.NewState("scan-1")
			closed.Stage, closed.Seq = workflows.StageClosed, 4
			reopened := *closed
			reopened.Stage, reopened.Seq = workflows.StageAutoChecked, 6
			at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
			for _, tc := range []struct {
				run   string
				prior *workflows.State
				want  workflows.Stage // "" for none
			}{
				{"default-test-run-id", nil, ""},                       // a fresh run's failed first task
				{"default-test-run-id", closed, workflows.StageClosed}, // a reopening run's
				{"an-earlier-run", closed, workflows.StageAutoChecked}, // another run's record
			} {
				rec := workflows.Record{WorkflowID: "kyc-scan-1", State: reopened, RunID: tc.run, Prior: tc.prior,
					Entries: []workflows.Entry{{Seq: 5, Type: "received", At: at}, {Seq: 6, Type: "applied", At: at}}}
				if _, err := env.ExecuteLocalActivity(a.RecordState, rec); err != nil {
					t.Fatal(err)
				}
				got := load()
				if (got == nil) != (tc.want == "") || (got != nil && got.Stage != tc.want) {
					t.Errorf("run %s, prior %v: loaded %+v, want stage %q", tc.run, tc.prior != nil, got, tc.want)
				}
			}
		})
	}
}

// A decision is counted once, however often its record is stored (a
// retried activity, a failed Deliver call's record stored again).
func TestDecisionIsCountedOnce(t *testing.T) {
	db := testenv.Stores(t)["sqlite"](t)
	reg := prometheus.NewRegistry()
	a := &activities.Lifecycle{Store: db, Metrics: activities.NewMetrics(reg)}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	state := workflows.NewState("scan-1")
	state.Stage, state.Decision, state.Seq = workflows.StageDecided, workflows.DecisionApproved, 1
	rec := workflows.Record{WorkflowID: "kyc-scan-1", State: *state, Entries: []workflows.Entry{{Seq: 1, Type: workflows.EntryDecided, At: time.Now()}}}
	for range 2 {
		if _, err := env.ExecuteActivity(a.RecordState, rec); err != nil {
			t.Fatal(err)
		}
	}
	want := `# HELP kycflow_decisions_total Decisions recorded, by lifecycle kind (kyc, kyb) and decision (approved, rejected, resubmission_requested), revisions included.
# TYPE kycflow_decisions_total counter
kycflow_decisions_total{decision="approved",kind="kyc"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "kycflow_decisions_total"); err != nil {
		t.Error(err)
	}
}
