package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// run is one workflow run's machinery around the pure state machine.
type run struct {
	ctx             workflow.Context
	m               machine
	signals         workflow.ReceiveChannel
	wake            workflow.Channel // side-effect coroutines wake the main loop
	inflight        int              // side effects still running
	eventsThisRun   int
	published       map[string]string
	supersede       func() // cancels the onboarding call in flight
	onboarding      int    // onboarding calls running (at most one in cautious runs)
	legacy          bool   // began before effects or monitoring existed
	upgrades        int    // upgrade checks made by a legacy run
	releaseUpgrades int    // release-upgrade checks made by a run without releases
	baseline        bool   // began with the baseline marker
	lean            bool   // a GenerationLean run: decisions go out with one Deliver call
	queued          int    // onboarding calls waiting for their turn (cautious runs)
	firstRecord     bool   // a lean run that loaded its state has not recorded yet
	prior           *State // the stored state that run loaded (nil: none)
	launched        int64  // the order of the newest onboarding call launched (lean runs)

	timer   workflow.Future
	timerAt time.Time
	cancel  workflow.CancelFunc
}

// step waits for the next event or deadline, applies it with whatever else
// is already buffered, and records the result.
func (r *run) step() error {
	sel := workflow.NewSelector(r.ctx)
	sel.AddReceive(r.signals, func(c workflow.ReceiveChannel, _ bool) {
		var e Event
		c.Receive(r.ctx, &e)
		r.apply(e)
	})
	sel.AddReceive(r.wake, func(c workflow.ReceiveChannel, _ bool) { c.ReceiveAsync(nil) })
	fired := false
	if timer := r.deadlineTimer(); timer != nil {
		sel.AddFuture(timer, func(workflow.Future) { fired = true })
	}
	sel.Select(r.ctx)
	// Events first: a final result that lands with the SLA timer is not
	// "stuck", and a late event that lands with the window's end keeps the
	// lifecycle open. onDeadline re-checks the deadline against them.
	r.receiveBuffered()
	if fired {
		r.timer = nil
		r.onDeadline()
	}
	return r.record(r.ctx)
}

func (r *run) apply(e Event) {
	r.upgrade()
	r.eventsThisRun++
	r.m.apply(workflow.Now(r.ctx), e)
}

func (r *run) receiveBuffered() bool {
	got := false
	for {
		var e Event
		if !r.signals.ReceiveAsync(&e) {
			return got
		}
		r.apply(e)
		got = true
	}
}

// quiesce waits for running handlers, then applies and records buffered
// signals until none is left, so a run may return or continue as new with
// nothing unread. The last check and the caller's return happen with no
// yield in between.
func (r *run) quiesce() error {
	for {
		if err := workflow.Await(r.ctx, func() bool { return workflow.AllHandlersFinished(r.ctx) && r.inflight == 0 }); err != nil {
			return err
		}
		if !r.receiveBuffered() {
			return nil
		}
		if err := r.record(r.ctx); err != nil {
			return err
		}
	}
}

func (r *run) onDeadline() {
	r.upgrade()
	now := workflow.Now(r.ctx)
	s := r.m.s
	switch {
	case (s.Stage == StageAutoChecked || s.Stage == StageInReview) && !s.Stuck && !now.Before(s.ReviewDeadline):
		r.m.reviewOverdue(now)
		workflow.GetLogger(r.ctx).Warn("iDenfy review overdue", "subject", s.Subject())
	case s.Stage == StageDecided && !now.Before(s.CloseAt):
		r.m.close(now)
	case s.Stage == StageMonitoring && s.monitored() && !s.Monitoring.Until.IsZero() && !now.Before(s.Monitoring.Until):
		r.m.stopMonitoring(now, 0, fmt.Sprintf("no AML monitoring news for %s: monitoring expired", r.m.p.MonitoringExpiry))
	case s.Stage == StageAwaitingCompliance && !s.Escalated && !s.ComplianceDue.IsZero() && !now.Before(s.ComplianceDue):
		r.m.complianceOverdue(now)
		workflow.GetLogger(r.ctx).Warn("compliance review overdue", "subject", s.Subject())
	}
}

// deadlineTimer returns a timer for the state's next deadline, reusing the
// running one when the deadline has not moved.
func (r *run) deadlineTimer() workflow.Future {
	at, ok := r.m.s.deadline()
	if r.timer != nil && ok && at.Equal(r.timerAt) {
		return r.timer
	}
	if r.cancel != nil {
		r.cancel()
		r.timer, r.cancel = nil, nil
	}
	if !ok {
		return nil
	}
	tctx, cancel := workflow.WithCancel(r.ctx)
	summary := "iDenfy manual review SLA"
	switch r.m.s.Stage {
	case StageDecided:
		summary = "late-event window"
	case StageAwaitingCompliance:
		summary = "compliance review SLA"
	case StageMonitoring:
		summary = "AML monitoring expiry"
	}
	r.timer = workflow.NewTimerWithOptions(tctx, max(at.Sub(workflow.Now(r.ctx)), 0), workflow.TimerOptions{Summary: summary})
	r.timerAt, r.cancel = at, cancel
	return r.timer
}

// record persists new timeline entries and the projection, then updates
// what the Web UI shows and starts the side effects they asked for. In a
// lean run, a decision that goes downstream is stored by the Deliver call
// that sends it (still before it is sent).
func (r *run) record(ctx workflow.Context) error { return r.save(ctx, false) }

// save is record; storeFirst stores the state before it returns, as the
// review Update must (its caller reads the store next). A lean run starts
// the side effects the flushed entries asked for, and only those, after
// their record: effects asked for while it is stored wait for theirs.
func (r *run) save(ctx workflow.Context, storeFirst bool) error {
	entries := r.m.flush()
	if len(entries) == 0 {
		return nil
	}
	var effects []effect
	if r.lean {
		effects = r.m.takeEffects()
	}
	first := r.firstRecord
	r.firstRecord = false
	s := r.m.s
	if !storeFirst {
		if d, fast := r.delivery(effects); fast {
			d.Record = &Record{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, State: *s, Entries: entries}
			r.publish()
			r.deliver(ctx, d)
			return nil
		}
	}
	rec := Record{WorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, State: *s, Entries: entries}
	summary := fmt.Sprintf("record %d timeline entries; stage %s", len(entries), s.Stage)
	var err error
	if first && !storeFirst {
		rec.RunID, rec.Prior = workflow.GetInfo(ctx).WorkflowExecution.RunID, r.prior
		err = recordLocally(ctx, summary, rec)
	} else {
		err = storeCall(ctx, ActivityRecordState, summary, rec).Get(ctx, nil)
	}
	if err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	r.publish()
	if !r.lean {
		r.launch(ctx) // side effects only after the state that asked for them is stored
		return nil
	}
	if d, fast := r.delivery(effects); fast {
		r.deliver(ctx, d)
	} else {
		r.start(ctx, effects)
	}
	return nil
}

// seedPublished takes the search attributes the run started with (the
// relay sets stage, scanRef or company ID, and client ID at start; a
// continued run keeps its predecessor's) as published, so publish upserts
// only what changes.
func (r *run) seedPublished() {
	sa := workflow.GetTypedSearchAttributes(r.ctx)
	for _, k := range []temporal.SearchAttributeKeyKeyword{AttrStage, AttrStatus, AttrDecision, AttrScanRef, AttrClientID,
		AttrKybStage, AttrKybDecision, AttrCompanyID} {
		if v, ok := sa.GetKeyword(k); ok {
			r.published[k.GetName()] = v
		}
	}
}

// publish upserts the search attributes that changed and the current
// details line.
func (r *run) publish() {
	s := r.m.s
	type attr struct {
		key temporal.SearchAttributeKeyKeyword
		val string
	}
	want := []attr{{AttrStage, string(s.Stage)}, {AttrStatus, s.Status}, {AttrDecision, string(s.Decision)},
		{AttrScanRef, s.ScanRef}, {AttrClientID, s.ClientID}}
	if s.Kind == KindCompany {
		want = []attr{{AttrKybStage, string(s.Stage)}, {AttrKybDecision, string(s.Decision)}, {AttrCompanyID, s.CompanyID}, {AttrClientID, s.ClientID}}
	}
	var updates []temporal.SearchAttributeUpdate
	for _, w := range want {
		if w.val == "" || r.published[w.key.GetName()] == w.val {
			continue
		}
		r.published[w.key.GetName()] = w.val
		updates = append(updates, w.key.ValueSet(w.val))
	}
	if len(updates) > 0 {
		if err := workflow.UpsertTypedSearchAttributes(r.ctx, updates...); err != nil {
			workflow.GetLogger(r.ctx).Error("upsert search attributes", "error", err)
		}
	}
	workflow.SetCurrentDetails(r.ctx, s.Details()+consoleLink(r.m.p.ConsoleURL, s))
}
