package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Input starts, or continues as new, a lifecycle.
type Input struct {
	ScanRef string `json:"scanRef,omitempty"`
	// CompanyID is set, instead of ScanRef, for a KYB company lifecycle.
	CompanyID string `json:"companyId,omitempty"`
	Policy    Policy `json:"policy"`
	// State is carried across continue-as-new; nil for a fresh run, which
	// first loads the stored projection (the store is authoritative for a
	// closed lifecycle).
	State *State `json:"state,omitempty"`
	// Generation is the workflow code generation the run began with
	// (generation.go): 0 for runs started before generations existed.
	Generation int `json:"generation,omitempty"`
}

// Record is what the RecordState activity persists: the projection and the
// timeline entries since the last record.
type Record struct {
	WorkflowID string  `json:"workflowId"`
	State      State   `json:"state"`
	Entries    []Entry `json:"entries"`
	// Fill holds entries stored only where their sequence number is free:
	// a Deliver call's outcome, which the call may have stored itself.
	Fill []Entry `json:"fill,omitempty"`
	// RunID and Prior come with a lean run's first record, written by a
	// local activity: Prior is the stored lifecycle the run loaded, which
	// a retried first workflow task must load again (generation.go).
	RunID string `json:"runId,omitempty"`
	Prior *State `json:"prior,omitempty"`
}

const (
	versionEffects    = "decision-effects"
	versionMonitoring = "aml-monitoring"
	versionUpgrade    = "upgrade-legacy-run"
	// versionReleaseUpgrade switches releases on in a run that began
	// without them: upgrade-legacy-run markers recorded before releases
	// existed did not, and must replay as they did.
	versionReleaseUpgrade = "aml-release-upgrade"
	versionCautious       = "cautious-approval"
	versionRelease        = "aml-release"
)

// storeRetry keeps retrying store writes: the trail must not have gaps, and
// the store comes back.
var storeRetry = &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute}

// Verification is the KYC lifecycle of one scanRef (workflow ID kyc-<scanRef>):
// preliminary result → final result → decision → late-event window → closed.
// Registered as CompanyWorkflow too, it is the KYB lifecycle of a company
// (workflow ID kyb-<company id>, Input.CompanyID set).
func Verification(ctx workflow.Context, in Input) error {
	in.Policy = in.Policy.WithDefaults()
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second, RetryPolicy: storeRetry})
	if in.Generation > Generation {
		// Fail the task, to be retried on an upgraded worker: running a
		// newer generation's history with this code would corrupt it.
		panic(fmt.Sprintf("generation %d is newer than this worker's %d: upgrade the worker", in.Generation, Generation))
	}
	lean := in.Generation >= GenerationLean
	s := in.State
	var prior *State // what a lean run loaded, as it was
	if s == nil {
		var err error
		if s, prior, err = loadStored(ctx, in, lean); err != nil {
			return err
		}
	}
	ch := leanChanges
	if !lean {
		ch = askChanges(ctx)
	}
	effects, monitored, cautious, releases := ch.effects, ch.monitored, ch.cautious, ch.releases
	if s.Kind == KindCompany {
		in.Policy.AMLMonitoring = false // iDenfy monitors people, by scanRef
	}
	r := &run{ctx: ctx, m: machine{s: s, p: in.Policy, effects: effects, monitoring: monitored && effects && in.Policy.AMLMonitoring, cautious: cautious,
		releases: releases, baseline: ch.baseline},
		signals: workflow.GetSignalChannel(ctx, SignalEvent), wake: workflow.NewBufferedChannel(ctx, 1), published: map[string]string{},
		legacy: !effects || !monitored || !cautious, baseline: ch.baseline, lean: lean,
		firstRecord: lean && in.State == nil, prior: prior}
	if ch.baseline {
		r.seedPublished()
	}
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (State, error) { return *r.m.s, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReview, r.review,
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, rv Review) error { return r.m.validateReview(rv) }}); err != nil {
		return err
	}
	r.publish()
	if len(s.Carried) > 0 || len(s.CarriedEffects) > 0 {
		r.m.pending, r.m.out, s.Carried, s.CarriedEffects = s.Carried, s.CarriedEffects, nil, nil
		if err := r.record(ctx); err != nil {
			return err
		}
	}
	for {
		if err := r.step(); err != nil {
			return err
		}
		if r.m.s.Stage == StageClosed {
			// Signals left unread when a run returns are lost: apply them;
			// one may reopen the lifecycle.
			if err := r.quiesce(); err != nil {
				return err
			}
			if r.m.s.Stage == StageClosed {
				workflow.GetLogger(ctx).Info("lifecycle closed", "subject", s.Subject(), "decision", s.Decision)
				return nil
			}
			continue
		}
		if r.eventsThisRun >= in.Policy.MaxEventsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.continueAsNew(in)
		}
	}
}

// continueAsNew lets running side effects and update handlers finish, then
// applies whatever signals are buffered and continues as new without
// yielding again: a steady stream of events cannot postpone it, and the
// unrecorded entries and effects of those last events travel with the state.
func (r *run) continueAsNew(in Input) error {
	if err := workflow.Await(r.ctx, func() bool { return workflow.AllHandlersFinished(r.ctx) && r.inflight == 0 }); err != nil {
		return err
	}
	r.receiveBuffered()
	s := r.m.s
	s.Carried, s.CarriedEffects = r.m.flush(), r.m.takeEffects()
	s.Seen = s.Seen[max(0, len(s.Seen)-maxSeen):]
	return workflow.NewContinueAsNewError(r.ctx, workflow.GetInfo(r.ctx).WorkflowType.Name,
		Input{ScanRef: in.ScanRef, CompanyID: in.CompanyID, Policy: in.Policy, State: s, Generation: in.Generation})
}

// upgrade lets a run that began before onboarding, notifications, AML
// monitoring or cautious approvals existed use them from its next change
// on, instead of recording decisions nobody acts on until it closes; then,
// in its own chain of markers, releases. Each change of such a run asks
// under its own change ID: the changes it made before the upgrade replay
// as they were (no marker), the first one after it records the marker
// that switches the run over. An upgrade-legacy-run marker means what it
// meant when it was recorded, so releases never ride on it.
func (r *run) upgrade() {
	if r.legacy {
		if !r.ask(versionUpgrade, &r.upgrades) {
			return
		}
		r.legacy = false
		r.m.effects, r.m.monitoring, r.m.cautious = true, r.m.p.AMLMonitoring, true
	}
	if !r.m.releases && r.ask(versionReleaseUpgrade, &r.releaseUpgrades) {
		r.m.releases = true
	}
}

// ask asks the next change ID of an upgrade chain (prefix-n) whether the
// run switches over at this change.
func (r *run) ask(prefix string, n *int) bool {
	id := fmt.Sprintf("%s-%d", prefix, *n)
	*n++
	return workflow.GetVersion(r.ctx, id, workflow.DefaultVersion, 1) != workflow.DefaultVersion
}

// loadStored returns the state a new run starts from: the stored lifecycle,
// or a fresh one. A lean run also gets the stored one as it was loaded.
func loadStored(ctx workflow.Context, in Input, lean bool) (s, stored *State, err error) {
	activity, subject, fresh := ActivityLoadVerification, in.ScanRef, NewState(in.ScanRef)
	if in.CompanyID != "" {
		activity, subject, fresh = ActivityLoadCompany, in.CompanyID, &State{Kind: KindCompany, CompanyID: in.CompanyID, Stage: StageAwaitingResult}
	}
	if lean {
		if stored, err = loadStoredLocally(ctx, activity, subject); err != nil {
			return nil, nil, err
		}
		if stored == nil {
			return fresh, nil, nil
		}
		return stored.clone(), stored, nil
	}
	if err := storeCall(ctx, activity, "load stored lifecycle of "+subject, subject).Get(ctx, &stored); err != nil {
		return nil, nil, fmt.Errorf("load stored lifecycle: %w", err)
	}
	if stored == nil {
		return fresh, nil, nil
	}
	return stored, nil, nil
}
