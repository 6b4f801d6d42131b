package workflows_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"kycflow/idenfy"
	"kycflow/workflows"
)

// trail is a hand-written fake of the activities: the store, the
// onboarding endpoint, the notification sinks and iDenfy's status API.
type trail struct {
	mu         sync.Mutex
	stored     *workflows.State
	records    []workflows.Record
	onboarded  []workflows.OnboardingRequest
	notified   []workflows.Notification
	onboardErr error
	failSeq    int // onboarding calls for this decision fail, retryably
	failFirst  int // the first failFirst onboarding calls fail, retryably
	calls      int // onboarding calls made
	reconciled *workflows.ReconcileOutcome
	reconciles int
	deliveries int // Deliver calls that finished
}

func (f *trail) onboard(_ context.Context, r workflows.OnboardingRequest) (workflows.OnboardingOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.onboardErr != nil {
		return workflows.OnboardingOutcome{}, f.onboardErr
	}
	if r.DecisionSeq == f.failSeq || f.calls <= f.failFirst {
		return workflows.OnboardingOutcome{}, errors.New("receiver answered 503")
	}
	f.onboarded = append(f.onboarded, r)
	return workflows.OnboardingOutcome{Status: 200}, nil
}

func (f *trail) notify(_ context.Context, n workflows.Notification) (workflows.NotifyOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notified = append(f.notified, n)
	return workflows.NotifyOutcome{Delivered: []string{"fake-sink"}}, nil
}

func (f *trail) reconcile(_ context.Context, scanRef string) (workflows.ReconcileOutcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reconciles++
	if f.reconciled == nil {
		return workflows.ReconcileOutcome{}, nil
	}
	return *f.reconciled, nil
}

func (f *trail) events() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notified {
		out = append(out, n.Event)
	}
	return out
}

func (f *trail) load(_ context.Context, scanRef string) (*workflows.State, error) {
	return f.stored, nil
}

func (f *trail) record(_ context.Context, r workflows.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records = append(f.records, r)
	return nil
}

// entries returns the timeline in sequence order (side effects record
// concurrently, so records may complete out of order, as in the store).
func (f *trail) entries() []workflows.Entry {
	var out []workflows.Entry
	taken := map[int64]bool{} // the store keeps the first entry of a sequence number
	for _, r := range f.records {
		for _, e := range append(slices.Clone(r.Entries), r.Fill...) {
			if !taken[e.Seq] {
				taken[e.Seq] = true
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b workflows.Entry) int { return int(a.Seq - b.Seq) })
	return out
}

// types lists the lifecycle's timeline entry types, leaving out the
// outcomes of side effects (asserted separately).
func (f *trail) types() []string {
	var out []string
	for _, e := range f.entries() {
		switch e.Type {
		case workflows.EntryOnboarded, workflows.EntryOnboardFailed, workflows.EntryNotified, workflows.EntryNotifyFailed:
			continue
		}
		out = append(out, e.Type)
	}
	return out
}

func (f *trail) allTypes() []string {
	var out []string
	for _, e := range f.entries() {
		out = append(out, e.Type)
	}
	return out
}

// last is the newest recorded state (highest sequence), as the store keeps it.
func (f *trail) last() workflows.State {
	best := f.records[0].State
	for _, r := range f.records {
		if r.State.Seq > best.Seq {
			best = r.State
		}
	}
	return best
}

func count(types []string, t string) int {
	n := 0
	for _, x := range types {
		if x == t {
			n++
		}
	}
	return n
}

type suite struct {
	testsuite.WorkflowTestSuite
}

func newEnv(t *testing.T, f *trail) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s suite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.VerificationWorkflow})
	env.RegisterWorkflowWithOptions(workflows.Verification, workflow.RegisterOptions{Name: workflows.CompanyWorkflow})
	env.RegisterActivityWithOptions(f.load, activity.RegisterOptions{Name: workflows.ActivityLoadVerification})
	env.RegisterActivityWithOptions(f.load, activity.RegisterOptions{Name: workflows.ActivityLoadCompany})
	env.RegisterActivityWithOptions(f.record, activity.RegisterOptions{Name: workflows.ActivityRecordState})
	env.RegisterActivityWithOptions(f.onboard, activity.RegisterOptions{Name: workflows.ActivityOnboard})
	env.RegisterActivityWithOptions(f.notify, activity.RegisterOptions{Name: workflows.ActivityNotify})
	env.RegisterActivityWithOptions(f.reconcile, activity.RegisterOptions{Name: workflows.ActivityReconcile})
	env.RegisterActivityWithOptions(f.deliver, activity.RegisterOptions{Name: workflows.ActivityDeliver})
	return env
}

const scanRef = "scan-1"

var inboxIDs int64

func ev(eventType string, final bool, overall idenfy.Overall) workflows.Event {
	inboxIDs++
	e := workflows.Event{InboxID: inboxIDs, Kind: "kyc", EventType: eventType, ScanRef: scanRef, ClientID: "user-1"}
	e.Final, e.Overall = final, overall
	e.AutoDocument, e.AutoFace = "DOC_VALIDATED", "FACE_MATCH"
	if final && eventType == idenfy.EventIdentificationManualFinished {
		e.ManualDocument, e.ManualFace = "DOC_VALIDATED", "FACE_MATCH"
	}
	return e
}

func autoSuspected() workflows.Event {
	return ev(idenfy.EventIdentificationAutoFinished, false, idenfy.OverallSuspected)
}
func manualApproved() workflows.Event {
	return ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallApproved)
}

// send schedules signals at the given offsets from the start.
func send(env *testsuite.TestWorkflowEnvironment, at time.Duration, events ...workflows.Event) {
	env.RegisterDelayedCallback(func() {
		for _, e := range events {
			env.SignalWorkflow(workflows.SignalEvent, e)
		}
	}, at)
}

// stateAt queries the lifecycle's state at the given time after the start.
func stateAt(env *testsuite.TestWorkflowEnvironment, at time.Duration, into *workflows.State) {
	env.RegisterDelayedCallback(func() {
		if v, err := env.QueryWorkflow(workflows.QueryState); err == nil {
			v.Get(into)
		}
	}, at)
}

// run runs a lifecycle of the current generation (what the relay starts).
func run(t *testing.T, env *testsuite.TestWorkflowEnvironment, p workflows.Policy, state *workflows.State) {
	t.Helper()
	runGeneration(t, env, workflows.Generation, p, state)
}

// runGeneration runs a lifecycle of generation g: 0 is a run started before
// generations, whose versioned changes the test sets with OnGetVersion.
func runGeneration(t *testing.T, env *testsuite.TestWorkflowEnvironment, g int, p workflows.Policy, state *workflows.State) {
	t.Helper()
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: g, ScanRef: scanRef, Policy: p, State: state})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
}

// generation is the generation of a run with or without the baseline marker.
func generation(baseline bool) int {
	if baseline {
		return workflows.Generation
	}
	return 0
}

func TestAutoThenManualApproved(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	var mid workflows.State
	stateAt(env, 2*time.Minute, &mid)
	send(env, time.Hour, manualApproved())
	run(t, env, workflows.Policy{}, nil)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if mid.Stage != workflows.StageAutoChecked || mid.Status != "SUSPECTED" {
		t.Errorf("state after the auto result = %s/%s, want auto_checked/SUSPECTED", mid.Stage, mid.Status)
	}
	got := f.last()
	if got.Stage != workflows.StageClosed || got.Decision != workflows.DecisionApproved || got.DecisionSeq != 1 || !got.Final {
		t.Errorf("final state = %s/%s seq %d, want closed/approved seq 1", got.Stage, got.Decision, got.DecisionSeq)
	}
	want := []string{"received", "applied", "received", "applied", "decided", "closed"}
	if diff := slices.Compare(f.types(), want); diff != 0 {
		t.Errorf("timeline = %v, want %v", f.types(), want)
	}
	for i, e := range f.entries() {
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has seq %d", i, e.Seq)
		}
	}
}

func TestDuplicatesAndReorderYieldOneDecision(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	auto, manual := autoSuspected(), manualApproved()
	resent := manual
	resent.InboxID = 999 // same result, different bytes (fresh file URLs)
	send(env, time.Minute, manual, manual, auto, auto, resent, auto)
	run(t, env, workflows.Policy{}, nil)
	types := f.types()
	if n := count(types, "decided"); n != 1 {
		t.Errorf("decisions = %d, want 1 (timeline %v)", n, types)
	}
	if n := count(types, "stale"); n != 1 {
		t.Errorf("stale entries = %d, want 1 (the preliminary after the final)", n)
	}
	if n := count(types, "duplicate"); n != 4 {
		t.Errorf("duplicate entries = %d, want 4", n)
	}
	if got := f.last(); got.Decision != workflows.DecisionApproved || got.Status != "APPROVED" {
		t.Errorf("final state = %s/%s, want approved/APPROVED", got.Decision, got.Status)
	}
}

func TestReviewSLAMarksStuck(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	var stuck workflows.State
	stateAt(env, 3*time.Hour, &stuck)
	send(env, 4*time.Hour, manualApproved())
	run(t, env, workflows.Policy{ReviewSLA: 2 * time.Hour}, nil)
	if !stuck.Stuck || stuck.Stage != workflows.StageAutoChecked {
		t.Errorf("state after the SLA = stuck %v stage %s, want stuck in auto_checked", stuck.Stuck, stuck.Stage)
	}
	types := f.types()
	if count(types, "stuck") != 1 || count(types, "decided") != 1 {
		t.Errorf("timeline = %v, want one stuck then one decided", types)
	}
	if stuck.Details() == "" || f.last().Decision != workflows.DecisionApproved {
		t.Errorf("final decision = %q", f.last().Decision)
	}
}

func TestSuspectedPolicy(t *testing.T) {
	tests := []struct {
		policy    string
		wantStage workflows.Stage
		wantDec   workflows.Decision
	}{
		{workflows.SuspectedReview, workflows.StageAwaitingCompliance, workflows.DecisionNone},
		{workflows.SuspectedApprove, workflows.StageClosed, workflows.DecisionApproved},
		{workflows.SuspectedReject, workflows.StageClosed, workflows.DecisionRejected},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			f := &trail{}
			env := newEnv(t, f)
			send(env, time.Minute, ev(idenfy.EventIdentificationAutoFinished, true, idenfy.OverallSuspected))
			env.SetTestTimeout(time.Minute)
			var got workflows.State
			env.RegisterDelayedCallback(func() {
				v, _ := env.QueryWorkflow(workflows.QueryState)
				v.Get(&got)
			}, 30*24*time.Hour)
			env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: workflows.Policy{Suspected: tt.policy}})
			if tt.wantStage == workflows.StageClosed {
				got = f.last()
			}
			if got.Stage != tt.wantStage || got.Decision != tt.wantDec {
				t.Errorf("state = %s/%q, want %s/%q", got.Stage, got.Decision, tt.wantStage, tt.wantDec)
			}
			if tt.policy == workflows.SuspectedReview && count(f.types(), "review_required") != 1 {
				t.Errorf("timeline = %v, want review_required", f.types())
			}
		})
	}
}

func TestScreeningFlagsNeedReview(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	e := manualApproved()
	e.SanctionsStatus = idenfy.ScreeningFlagsFound
	send(env, time.Minute, e)
	var got workflows.State
	stateAt(env, time.Hour, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef})
	if got.Stage != workflows.StageAwaitingCompliance || got.ReviewReason == "" {
		t.Errorf("state = %s (%q), want awaiting_compliance with a reason", got.Stage, got.ReviewReason)
	}
}

func TestExpiredAndNeverDowngrade(t *testing.T) {
	t.Run("expired requests resubmission", func(t *testing.T) {
		f := &trail{}
		env := newEnv(t, f)
		send(env, time.Minute, ev(idenfy.EventIdentificationExpired, false, idenfy.OverallExpired))
		run(t, env, workflows.Policy{}, nil)
		if got := f.last(); got.Decision != workflows.DecisionResubmissionRequested {
			t.Errorf("decision = %q, want resubmission_requested", got.Decision)
		}
	})
	t.Run("expiry after approval is stale", func(t *testing.T) {
		f := &trail{}
		env := newEnv(t, f)
		send(env, time.Minute, manualApproved())
		send(env, time.Hour, ev(idenfy.EventIdentificationExpired, true, idenfy.OverallExpired), autoSuspected())
		run(t, env, workflows.Policy{}, nil)
		if got := f.last(); got.Decision != workflows.DecisionApproved || got.Status != "APPROVED" || count(f.types(), "stale") != 2 {
			t.Errorf("state = %s/%s, timeline %v; want approval kept, two stale", got.Decision, got.Status, f.types())
		}
	})
}

func TestRevisionRedecides(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	send(env, 2*24*time.Hour, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallDenied))
	run(t, env, workflows.Policy{}, nil)
	got := f.last()
	if got.Decision != workflows.DecisionRejected || got.DecisionSeq != 2 {
		t.Errorf("after revision = %s seq %d, want rejected seq 2", got.Decision, got.DecisionSeq)
	}
	types := f.types()
	if count(types, "revised") != 1 || count(types, "decided") != 2 {
		t.Errorf("timeline = %v, want one revised and two decided", types)
	}
}

func TestLateEventWindow(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	stale := autoSuspected()
	send(env, 6*24*time.Hour, stale) // inside the 7-day window: recorded, extends it
	start := env.Now()
	run(t, env, workflows.Policy{}, nil)
	took := env.Now().Sub(start)
	if took < 13*24*time.Hour || took > 14*24*time.Hour {
		t.Errorf("closed after %v, want 7 days after the late event (about 13 days)", took)
	}
	if got := f.types(); count(got, "stale") != 1 || got[len(got)-1] != "closed" {
		t.Errorf("timeline = %v", got)
	}
}

func TestContinueAsNewCarriesStateAndDedupKeys(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	auto, manual := autoSuspected(), manualApproved()
	send(env, time.Minute, auto)
	send(env, 2*time.Minute, manual)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef, Policy: workflows.Policy{MaxEventsPerRun: 2}})
	var can interface{ Unwrap() error }
	err := env.GetWorkflowError()
	if err == nil || !isContinueAsNew(err) {
		t.Fatalf("workflow error = %v, want continue-as-new", err)
	}
	_ = can
	carried := f.last()
	if carried.Decision != workflows.DecisionApproved || !slices.Contains(carried.Seen, manual.SemanticKey()) {
		t.Fatalf("carried state = %+v", carried)
	}

	// The next run gets the carried state: a resent final is a duplicate,
	// the sequence continues, and there is still one decision.
	g := &trail{}
	next := newEnv(t, g)
	send(next, time.Minute, manual)
	run(t, next, workflows.Policy{}, &carried)
	if types := g.types(); types[1] != "duplicate" || count(append(f.types(), types...), "decided") != 1 {
		t.Errorf("second run timeline = %v", types)
	}
	if first := g.entries()[0].Seq; first != carried.Seq+1 {
		t.Errorf("second run starts at seq %d, want %d", first, carried.Seq+1)
	}
}

func TestContinueAsNewWhenSuggested(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	env.SetContinueAsNewSuggested(true)
	send(env, time.Minute, autoSuspected(), manualApproved())
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef})
	if err := env.GetWorkflowError(); !isContinueAsNew(err) {
		t.Fatalf("workflow error = %v, want continue-as-new", err)
	}
	// Both events were applied before continuing: the second one's entries
	// and its decision's side effects travel with the state, unrecorded.
	in := canInput(t, env.GetWorkflowError())
	if n := count(f.types(), "received"); n != 1 || len(in.State.Carried) == 0 || len(in.State.CarriedEffects) == 0 ||
		in.State.Decision != workflows.DecisionApproved {
		t.Fatalf("recorded %d received; carried %d entries, %d effects; decision %q", n, len(in.State.Carried), len(in.State.CarriedEffects), in.State.Decision)
	}
	// The next run records them first and performs the effects.
	g := &trail{}
	next := newEnv(t, g)
	run(t, next, workflows.Policy{}, in.State)
	if count(g.types(), "received") != 1 || count(g.types(), "decided") != 1 || len(g.onboarded) != 1 {
		t.Errorf("next run recorded %v and onboarded %d times", g.types(), len(g.onboarded))
	}
}

func canInput(t *testing.T, err error) workflows.Input {
	t.Helper()
	var can *workflow.ContinueAsNewError
	if !errors.As(err, &can) {
		t.Fatalf("error %v is not a continue-as-new", err)
	}
	var in workflows.Input
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestClosedLifecycleResumesFromStore(t *testing.T) {
	stored := workflows.NewState(scanRef)
	approved := manualApproved()
	stored.Stage, stored.Status, stored.Final, stored.Verdict = workflows.StageClosed, "APPROVED", true, &approved
	stored.Decision, stored.DecisionSeq, stored.Seq = workflows.DecisionApproved, 1, 6
	f := &trail{stored: stored}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	run(t, env, workflows.Policy{}, nil)
	types := f.types()
	want := []string{"received", "reopened", "stale", "closed"}
	if slices.Compare(types, want) != 0 {
		t.Errorf("timeline = %v, want %v", types, want)
	}
	if got := f.last(); got.Decision != workflows.DecisionApproved || got.DecisionSeq != 1 || f.entries()[0].Seq != 7 {
		t.Errorf("resumed state = %s seq %d; first entry seq %d", got.Decision, got.DecisionSeq, f.entries()[0].Seq)
	}
}

func isContinueAsNew(err error) bool {
	var can *workflow.ContinueAsNewError
	return errors.As(err, &can)
}

func TestResubmittedGoesInReviewAndResetsTheSLA(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, autoSuspected())
	var first, second workflows.State
	stateAt(env, 2*time.Minute, &first)
	send(env, 20*time.Hour, ev(idenfy.EventIdentificationResubmitted, false, idenfy.OverallReviewing))
	env.RegisterDelayedCallback(func() {
		v, _ := env.QueryWorkflow(workflows.QueryState)
		v.Get(&second)
	}, 30*time.Hour) // past the first deadline, before the reset one
	send(env, 40*time.Hour, manualApproved())
	run(t, env, workflows.Policy{}, nil)
	if first.Stage != workflows.StageAutoChecked || second.Stage != workflows.StageInReview || second.Stuck {
		t.Errorf("stages = %s then %s (stuck %v), want auto_checked then in_review, not stuck", first.Stage, second.Stage, second.Stuck)
	}
	if !second.ReviewDeadline.After(first.ReviewDeadline) {
		t.Errorf("review deadline %v not moved past %v on entering in_review", second.ReviewDeadline, first.ReviewDeadline)
	}
	if types := f.types(); count(types, "stuck") != 0 || count(types, "decided") != 1 {
		t.Errorf("timeline = %v, want no stuck (the SLA restarted in in_review) and one decision", types)
	}
}

func TestVerdictAfterLapseIsARevision(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationExpired, false, idenfy.OverallExpired))
	send(env, time.Hour, manualApproved())
	run(t, env, workflows.Policy{}, nil)
	got := f.last()
	if got.Decision != workflows.DecisionApproved || got.DecisionSeq != 2 || count(f.types(), "revised") != 1 {
		t.Errorf("state %s seq %d timeline %v; want approved as decision 2 with a revision", got.Decision, got.DecisionSeq, f.types())
	}
}

func TestRevisionBackToAnEarlierResult(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	approved := manualApproved()
	again := approved
	again.InboxID = 777 // re-reviewed back to APPROVED: new delivery, same result
	send(env, time.Minute, approved)
	send(env, time.Hour, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallDenied))
	send(env, 2*time.Hour, again)
	run(t, env, workflows.Policy{}, nil)
	got := f.last()
	if got.Decision != workflows.DecisionApproved || got.DecisionSeq != 3 || count(f.types(), "revised") != 2 {
		t.Errorf("A→B→A ended %s (decision %d), timeline %v; want approved as decision 3", got.Decision, got.DecisionSeq, f.types())
	}
}

func TestChangedScreeningFlagsAreNotADuplicate(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	clean := manualApproved()
	flagged := clean
	flagged.InboxID = 888
	flagged.PEPsStatus = idenfy.ScreeningFlagsFound
	send(env, time.Minute, clean)
	send(env, time.Hour, flagged)
	var got workflows.State
	stateAt(env, 2*time.Hour, &got)
	env.SetTestTimeout(time.Minute)
	env.ExecuteWorkflow(workflows.VerificationWorkflow, workflows.Input{Generation: workflows.Generation, ScanRef: scanRef})
	if got.Stage != workflows.StageAwaitingCompliance || count(f.types(), "duplicate") != 0 {
		t.Errorf("after a re-sent APPROVED with PEP flags: stage %s, timeline %v; want compliance review", got.Stage, f.types())
	}
}
