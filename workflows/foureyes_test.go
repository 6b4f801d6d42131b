package workflows_test

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/workflow"

	"kycflow/idenfy"
	"kycflow/workflows"
)

// With four-eyes, an approval waits for a second, different reviewer: the
// first approver cannot confirm their own approval, nothing is onboarded
// until the second approval, and then exactly once.
func TestFourEyesApprovalWaitsForASecondReviewer(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var first, again, second, late updateResult
	var waiting workflows.State
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "passport checked"}, &first)
	stateAt(env, 2*time.Hour, &waiting)
	update(env, 3*time.Hour, workflows.Review{Reviewer: " Alice ", Decision: "approve", Reason: "again"}, &again)
	update(env, 4*time.Hour, workflows.Review{Reviewer: "bob", Decision: "approve", Reason: "agreed"}, &second)
	update(env, 5*time.Hour, workflows.Review{Reviewer: "carol", Decision: "approve", Reason: "late"}, &late)
	run(t, env, workflows.Policy{FourEyes: true}, nil)

	if first.err != nil || first.state.Stage != workflows.StageAwaitingCompliance || first.state.Decision != workflows.DecisionNone ||
		first.state.PendingApproval == nil || first.state.PendingApproval.Reviewer != "alice" {
		t.Errorf("first approval = %+v, want still awaiting compliance with alice's approval pending", first.state)
	}
	if !strings.Contains(waiting.Details(), "second reviewer") {
		t.Errorf("details while waiting = %q", waiting.Details())
	}
	if errType(again.rejected) != workflows.ErrAlreadyReviewed {
		t.Errorf("alice confirming her own approval = %v, want %s", again.rejected, workflows.ErrAlreadyReviewed)
	}
	if second.err != nil || second.state.Decision != workflows.DecisionApproved || second.state.PendingApproval != nil {
		t.Errorf("second approval = %+v, want approved", second.state)
	}
	if errType(late.rejected) != workflows.ErrNotAwaitingReview {
		t.Errorf("a third approval = %v, want nothing to review", late.rejected)
	}
	if len(f.onboarded) != 1 || f.onboarded[0].Reviewer != "bob" || !strings.Contains(f.onboarded[0].Reason, "alice") {
		t.Errorf("onboarding = %+v, want one call, by bob, naming alice's approval", f.onboarded)
	}
	if n := count(f.types(), workflows.EntryReviewed); n != 2 {
		t.Errorf("reviewed entries = %d, want 2 (timeline %v)", n, f.types())
	}
}

// A rejection needs one reviewer, also while an approval waits.
func TestFourEyesRejectionNeedsOneReviewer(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var first, reject updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "looks fine"}, &first)
	update(env, 2*time.Hour, workflows.Review{Reviewer: "bob", Decision: "reject", Reason: "document altered"}, &reject)
	run(t, env, workflows.Policy{FourEyes: true}, nil)
	if reject.err != nil || reject.state.Decision != workflows.DecisionRejected || len(f.onboarded) != 1 || f.onboarded[0].Decision != workflows.DecisionRejected {
		t.Errorf("reject = %+v, onboarding %+v; want rejected once", reject.state, f.onboarded)
	}
}

// A new result while an approval waits makes the first approver look
// again: the approval lapses, and the next approval is a first one.
func TestFourEyesApprovalLapsesWithANewResult(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var first, after updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok"}, &first)
	revised := ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected)
	revised.FraudTags = []string{"DOC_PHOTO_TAMPERED"}
	send(env, 2*time.Hour, revised)
	update(env, 3*time.Hour, workflows.Review{Reviewer: "bob", Decision: "approve", Reason: "ok"}, &after)
	run(t, env, workflows.Policy{FourEyes: true}, nil)
	if count(f.types(), workflows.EntryApprovalLapsed) != 1 || after.state.PendingApproval == nil || after.state.PendingApproval.Reviewer != "bob" ||
		len(f.onboarded) != 0 {
		t.Errorf("after a new result: %+v, timeline %v, onboarding %+v; want bob's approval waiting, nothing onboarded", after.state, f.types(), f.onboarded)
	}
}

// Histories recorded before two-person approvals replay with one approval
// deciding (no marker), as they were.
func TestFourEyesApprovalIsVersioned(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	env.OnGetVersion("lifecycle-baseline-2026-12", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion("four-eyes-approval", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var first updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok"}, &first)
	runGeneration(t, env, 0, workflows.Policy{FourEyes: true}, nil)
	if first.state.Decision != workflows.DecisionApproved || len(f.onboarded) != 1 {
		t.Errorf("legacy approval = %+v, onboarding %+v; want decided by one reviewer", first.state, f.onboarded)
	}
}
