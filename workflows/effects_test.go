package workflows_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"kycflow/idenfy"
	"kycflow/workflows"
)

func TestDecisionOnboardsOnceAndNotifies(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected(), manualApproved())
	run(t, env, workflows.Policy{}, nil)
	if len(f.onboarded) != 1 || f.onboarded[0].MessageID != "kyc-scan-1-decision-1" || f.onboarded[0].Decision != workflows.DecisionApproved ||
		f.onboarded[0].Result == nil || f.onboarded[0].Result.Overall != idenfy.OverallApproved {
		t.Fatalf("onboarding calls = %+v, want one for decision 1", f.onboarded)
	}
	if ev := f.events(); !slices.Equal(ev, []string{workflows.NotifyDecided}) {
		t.Errorf("notifications = %v, want [verification.decided]", ev)
	}
	// One Deliver call made both: its outcome entry names both.
	if all, e := f.allTypes(), f.entries(); count(all, workflows.EntryOnboarded) != 1 || count(all, workflows.EntryNotified) != 0 ||
		f.deliveries != 1 || !strings.Contains(e[len(e)-2].Detail, "decision 1 (approved) accepted by the onboarding endpoint: 200; notified verification.decided → [fake-sink]") {
		t.Errorf("timeline = %v, want the onboarding and the notification recorded in one entry", e)
	}
}

func TestPermanentOnboardingFailureIsRecordedAndNotified(t *testing.T) {
	f := &trail{onboardErr: temporal.NewNonRetryableApplicationError("receiver refused with 400", workflows.ErrOnboardingRejected, nil)}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	run(t, env, workflows.Policy{}, nil)
	if all := f.allTypes(); count(all, workflows.EntryOnboardFailed) != 1 || count(all, workflows.EntryOnboarded) != 0 {
		t.Errorf("timeline = %v, want onboarding_failed", all)
	}
	if ev := f.events(); !slices.Contains(ev, workflows.NotifyOnboardingFailed) {
		t.Errorf("notifications = %v, want verification.onboarding_failed", ev)
	}
}

type updateResult struct {
	rejected error
	err      error
	state    workflows.State
}

func update(env *testsuite.TestWorkflowEnvironment, at time.Duration, rv workflows.Review, out *updateResult) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateReview, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {},
			OnReject: func(err error) { out.rejected = err },
			OnComplete: func(v any, err error) {
				out.err = err
				if s, ok := v.(workflows.State); ok {
					out.state = s
				}
			},
		}, rv)
	}, at)
}

func errType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

func TestComplianceReview(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var early, noReason, approve, second updateResult
	update(env, 30*time.Second, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "too early"}, &early)
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve"}, &noReason)
	update(env, 2*time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "document checked by phone"}, &approve)
	update(env, 3*time.Hour, workflows.Review{Reviewer: "bob", Decision: "reject", Reason: "second opinion"}, &second)
	run(t, env, workflows.Policy{}, nil)

	if errType(early.rejected) != workflows.ErrNotAwaitingReview || errType(noReason.rejected) != workflows.ErrInvalidReview {
		t.Errorf("rejections = %v / %v, want NotAwaitingReview then InvalidReview", early.rejected, noReason.rejected)
	}
	if approve.rejected != nil || approve.err != nil || approve.state.Decision != workflows.DecisionApproved {
		t.Errorf("approve = %+v", approve)
	}
	if errType(second.rejected) != workflows.ErrNotAwaitingReview {
		t.Errorf("second review = %v, want refused: not awaiting review", second.rejected)
	}
	if len(f.onboarded) != 1 || f.onboarded[0].Reviewer != "alice" {
		t.Errorf("onboarding = %+v, want one call naming the reviewer", f.onboarded)
	}
	types := f.types()
	if count(types, workflows.EntryReviewed) != 1 || count(types, workflows.EntryDecided) != 1 || count(types, workflows.EntryReviewRequired) != 1 {
		t.Errorf("timeline = %v", types)
	}
	for _, e := range f.entries() {
		if e.Type == workflows.EntryReviewed && e.Detail != "alice decided approve: document checked by phone" {
			t.Errorf("reviewed entry = %q, want who, what and why", e.Detail)
		}
	}
	if ev := f.events(); !slices.Equal(ev, []string{workflows.NotifyReviewRequired, workflows.NotifyDecided}) {
		t.Errorf("notifications = %v", ev)
	}
}

func TestFourEyesOnARevision(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var first, confirm, same, other updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok"}, &first)
	update(env, time.Hour+time.Minute, workflows.Review{Reviewer: "carol", Decision: "approve", Reason: "agreed"}, &confirm)
	revised := ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected)
	revised.MismatchTags = []string{"DATE_OF_BIRTH"}
	send(env, 2*time.Hour, revised)
	update(env, 3*time.Hour, workflows.Review{Reviewer: "Carol", Decision: "approve", Reason: "still ok"}, &same)
	update(env, 4*time.Hour, workflows.Review{Reviewer: "bob", Decision: "reject", Reason: "DOB mismatch"}, &other)
	run(t, env, workflows.Policy{FourEyes: true}, nil)
	if first.state.Decision != workflows.DecisionNone || confirm.state.Decision != workflows.DecisionApproved ||
		errType(same.rejected) != workflows.ErrInvalidReview || other.state.Decision != workflows.DecisionRejected {
		t.Errorf("reviews: first %+v confirm %+v same %v other %+v", first.state.Decision, confirm.state.Decision, same.rejected, other.state.Decision)
	}
	// approved, held while the revised result waits for review, rejected
	if len(f.onboarded) != 3 || f.onboarded[1].Decision != workflows.DecisionHold || !f.onboarded[2].Revision || f.onboarded[2].MessageID != "kyc-scan-1-decision-2" {
		t.Errorf("onboarding = %+v, want approval, hold, then the revision as decision 2", f.onboarded)
	}
}

func TestComplianceSLAEscalates(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var got workflows.State
	stateAt(env, 10*time.Hour, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: workflows.Policy{ComplianceSLA: 8 * time.Hour}})
	if !got.Escalated || count(f.types(), workflows.EntryEscalated) != 1 || !slices.Contains(f.events(), workflows.NotifyReviewOverdue) {
		t.Errorf("escalated %v, timeline %v, notifications %v", got.Escalated, f.types(), f.events())
	}
}

// An approval from the status API carries no screening results: it waits
// for a person, and the missed webhook, arriving later, settles it.
func TestOverdueReviewIsReconciled(t *testing.T) {
	final := manualApproved()
	final.InboxID, final.Reconciled, final.EventType = 0, true, "STATUS_API"
	f := &trail{reconciled: &workflows.ReconcileOutcome{Found: true, Event: &final}}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	var waiting workflows.State
	stateAt(env, 10*time.Hour, &waiting)
	send(env, 30*time.Hour, manualApproved())
	run(t, env, workflows.Policy{ReviewSLA: time.Hour}, nil)
	types := f.types()
	if f.reconciles != 1 || count(types, workflows.EntryStuck) != 1 || count(types, workflows.EntryReconciled) != 1 || count(types, workflows.EntryDecided) != 1 {
		t.Errorf("reconciles %d, timeline %v", f.reconciles, types)
	}
	if waiting.Stage != workflows.StageAwaitingCompliance || waiting.Decision != workflows.DecisionNone {
		t.Errorf("after reconciliation = %s/%s, want awaiting_compliance without a decision", waiting.Stage, waiting.Decision)
	}
	if got := f.last(); got.Decision != workflows.DecisionApproved || got.Stage != workflows.StageClosed || len(f.onboarded) != 1 {
		t.Errorf("after the webhook = %s/%s, onboarding %d", got.Stage, got.Decision, len(f.onboarded))
	}
}

// A customer approved and onboarded whose result later needs review (new
// screening flags) is put on hold downstream until a person decides again.
func TestApprovedCustomerNeedingReviewIsHeld(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	flagged := manualApproved()
	flagged.PEPsStatus = idenfy.ScreeningFlagsFound
	send(env, time.Hour, flagged)
	var out updateResult
	update(env, 2*time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "PEP match is a namesake"}, &out)
	run(t, env, workflows.Policy{}, nil)
	var got []workflows.Decision
	for _, o := range f.onboarded {
		got = append(got, o.Decision)
	}
	if want := []workflows.Decision{workflows.DecisionApproved, workflows.DecisionHold, workflows.DecisionApproved}; !slices.Equal(got, want) {
		t.Errorf("onboarding calls = %v, want %v", got, want)
	}
	if out.err != nil || out.rejected != nil {
		t.Errorf("review = %+v", out)
	}
}

func TestOverdueReviewWithoutResultEscalates(t *testing.T) {
	f := &trail{reconciled: &workflows.ReconcileOutcome{Found: true, Event: func() *workflows.Event { e := autoSuspected(); e.InboxID = 0; return &e }()}}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	var got workflows.State
	stateAt(env, 5*time.Hour, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: workflows.Policy{ReviewSLA: time.Hour}})
	if f.reconciles != 1 || count(f.types(), workflows.EntryEscalated) != 1 || count(f.events(), workflows.NotifyStuck) != 2 || !got.Stuck {
		t.Errorf("reconciles %d, timeline %v, notifications %v", f.reconciles, f.types(), f.events())
	}
}

// A run that began before onboarding and monitoring existed (no version
// markers) and receives its final result after the upgrade still onboards
// and enters monitoring; what it did before the upgrade stays as it was.
func TestLegacyRunActsOnDecisionsAfterTheUpgrade(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	env.OnGetVersion("decision-effects", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion("aml-monitoring", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	env.OnGetVersion("upgrade-legacy-run-0", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
	send(env, time.Minute, autoSuspected())
	send(env, time.Hour, manualApproved())
	runGeneration(t, env, 0, monitored, nil)
	if len(f.onboarded) != 1 || f.onboarded[0].Decision != workflows.DecisionApproved {
		t.Fatalf("onboarding calls = %+v, want one for the approval", f.onboarded)
	}
	if all := f.allTypes(); count(all, workflows.EntryMonitoring) != 1 {
		t.Errorf("timeline = %v, want monitoring started", all)
	}
}

// An onboarding call still retrying when a newer decision is made is
// cancelled: the endpoint never gets the older decision after the newer.
func TestNewerDecisionSupersedesARetryingOnboardingCall(t *testing.T) {
	f := &trail{failSeq: 1}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallDenied))
	send(env, 10*time.Minute, manualApproved())
	run(t, env, workflows.Policy{}, nil)
	if len(f.onboarded) != 1 || f.onboarded[0].DecisionSeq != 2 || f.onboarded[0].Decision != workflows.DecisionApproved {
		t.Errorf("onboarding calls = %+v, want only decision 2", f.onboarded)
	}
	if all := f.allTypes(); count(all, workflows.EntrySuperseded) != 1 || count(all, workflows.EntryOnboardFailed) != 0 {
		t.Errorf("timeline = %v, want decision 1 superseded, nothing failed", all)
	}
}
