package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// versionBaseline folds every change before it into one marker: a run that
// records it has onboarding and notifications, AML monitoring, cautious
// approvals, releases and two-person approvals from its start, and takes
// the search attributes the relay set at start as published. Before it,
// each change cost a marker and a search-attribute upsert of its own (a
// visibility write each), and the first publish upserted what the start
// had set. Runs that began before it replay exactly as they were recorded.
const versionBaseline = "lifecycle-baseline-2026-12"

// changes are the versioned behaviours a run has.
type changes struct {
	baseline, effects, monitored, cautious, releases bool
}

// askChanges asks once for the baseline; only a run without it asks for
// each earlier change, as it did when it was recorded.
func askChanges(ctx workflow.Context) changes {
	if workflow.GetVersion(ctx, versionBaseline, workflow.DefaultVersion, 1) >= 1 {
		return changes{baseline: true, effects: true, monitored: true, cautious: true, releases: true}
	}
	return changes{
		// Onboarding, notifications, reconciliation and the compliance
		// SLA came after the first histories were recorded.
		effects: workflow.GetVersion(ctx, versionEffects, workflow.DefaultVersion, 1) >= 1,
		// AML monitoring after approval came later still.
		monitored: workflow.GetVersion(ctx, versionMonitoring, workflow.DefaultVersion, 1) >= 1,
		// Approvals without screening results went to review later still.
		cautious: workflow.GetVersion(ctx, versionCautious, workflow.DefaultVersion, 1) >= 1,
		// A cleared AML alert released its hold downstream later still.
		releases: workflow.GetVersion(ctx, versionRelease, workflow.DefaultVersion, 1) >= 1,
	}
}

// storeCall runs one of the store activities (load, record), retried as
// long as the store is away. They stay activities, not local activities:
// a local activity's write is done before its workflow task completes, so
// a task that fails after it (a worker killed) is retried over writes it
// cannot see in history — a retried first task then loads the state its
// own failed attempt stored, and takes the event as a duplicate (measured:
// one of 500 verifications in TestFaultWorkerKilledRepeatedly decided and
// never onboarded) — and a review Update lost with the failed task leaves
// entries on the timeline that the retry cannot write again.
func storeCall(ctx workflow.Context, name, summary string, args ...any) workflow.Future {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second, RetryPolicy: storeRetry, Summary: summary,
	})
	return workflow.ExecuteActivity(actx, name, args...)
}
