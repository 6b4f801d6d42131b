package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// delivery makes one Deliver call of the side effects a record asked for
// when they are a lean run's decision going downstream: one onboarding
// call and its notifications, with no other onboarding call running or
// waiting its turn (a cautious run sends them one at a time, and a call
// that waited would hold up the record it carries). It reserves the
// timeline entry of the call's outcome.
func (r *run) delivery(effects []effect) (Delivery, bool) {
	if !r.lean || r.onboarding > 0 || r.queued > 0 {
		return Delivery{}, false
	}
	var d Delivery
	onboards := 0
	for _, e := range effects {
		switch {
		case e.Onboard != nil:
			onboards++
			d.Onboard, d.Order = *e.Onboard, e.Order
		case e.Notify != nil:
			d.Notify = append(d.Notify, *e.Notify)
		default:
			return Delivery{}, false
		}
	}
	if onboards != 1 {
		return Delivery{}, false
	}
	s := r.m.s
	s.Seq++
	d.WorkflowID, d.ScanRef, d.OutcomeSeq = s.WorkflowID(), s.ScanRef, s.Seq
	return d, true
}

// overtaken reports whether a lean run has launched an onboarding call
// newer than order; otherwise the call of that order is the newest.
func (r *run) overtaken(order int64) bool {
	if !r.lean {
		return false
	}
	if order < r.launched {
		return true
	}
	r.launched = order
	return false
}

// deliver runs a Deliver call in its own coroutine. It is tried once:
// the separate activities, with their retry policies, take over whatever
// it did not finish. A newer onboarding call supersedes it as it does an
// Onboard call (run_effects.go); one that went out while this call's
// record was stored (a review's) means this one is not sent.
func (r *run) deliver(ctx workflow.Context, d Delivery) {
	r.inflight++
	r.onboarding++
	superseded := r.overtaken(d.Order)
	actx, cancel := workflow.WithCancel(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute, HeartbeatTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		WaitForCancellation: true,
		Summary:             "deliver " + d.Onboard.label(),
	}))
	r.supersede = func() { superseded = true; cancel() }
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() {
			r.inflight--
			r.wake.SendAsync(struct{}{})
		}()
		var out DeliveryOutcome
		err := errOvertaken
		if !superseded {
			err = workflow.ExecuteActivity(actx, ActivityDeliver, d).Get(ctx, &out)
		}
		r.onboarding-- // a call that falls back below must not wait for this one
		if err := r.delivered(ctx, d, out, err, superseded); err != nil {
			workflow.GetLogger(ctx).Error("record delivery outcome", "error", err)
		}
	})
}

// errOvertaken is the outcome of a Deliver call never made.
var errOvertaken = errors.New("a newer onboarding call went out first")

// delivered takes a Deliver call's outcome: on success, notifications
// some sink did not take are sent again; otherwise the call's outcome
// entry says what happened, its record is stored (again: storing is
// idempotent), and the separate activities send what it did not, the
// onboarding call with the attempts it has left.
func (r *run) delivered(ctx workflow.Context, d Delivery, out DeliveryOutcome, err error, superseded bool) error {
	var effects []effect
	var fill []Entry
	var retry *OnboardingRequest
	now := workflow.Now(ctx)
	label := d.Onboard.label()
	attemptsLeft := r.m.p.OnboardingAttempts - 1
	failed := func(detail string) {
		fill = append(fill, Entry{Seq: d.OutcomeSeq, Type: EntryOnboardFailed, At: now, Detail: detail})
		n := r.m.notification(now, NotifyOnboardingFailed, detail)
		n.MessageID = fmt.Sprintf("%s-%s-%d", d.WorkflowID, NotifyOnboardingFailed, d.OutcomeSeq)
		effects = append(effects, effect{Notify: n})
	}
	switch {
	case err == nil:
		for _, i := range out.Unsent {
			n := d.Notify[i]
			n.Sent = out.Notified[i].Sent
			effects = append(effects, effect{Notify: &n})
		}
		if out.Stored {
			r.start(ctx, effects)
			return nil
		}
		fill = append(fill, d.OutcomeEntry(now, out))
	case superseded:
		fill = append(fill, Entry{Seq: d.OutcomeSeq, Type: EntrySuperseded, At: now, Detail: label + " not delivered: a newer onboarding call replaced it"})
	case isRejected(err) || attemptsLeft <= 0:
		failed(fmt.Sprintf("%s not delivered: %s", label, failure(err)))
	default:
		fill = append(fill, Entry{Seq: d.OutcomeSeq, Type: EntryDeliveryRetried, At: now,
			Detail: fmt.Sprintf("%s: the first attempt did not finish (%s); retrying", label, failure(err))})
		retry = &d.Onboard
	}
	if err != nil {
		for i := range d.Notify {
			effects = append(effects, effect{Notify: &d.Notify[i]})
		}
	}
	var entries []Entry
	if d.Record != nil {
		entries = d.Record.Entries
	}
	replaced := false
	if retry != nil {
		// The retry keeps its place in line while the record is stored:
		// a newer call neither starts before it nor is replaced by it.
		r.queued++
		r.supersede = func() { replaced = true }
	}
	s := r.m.s
	rec := Record{WorkflowID: d.WorkflowID, State: *s, Entries: append(entries, r.m.flush()...), Fill: fill}
	theirs := r.m.takeEffects() // asked for by the entries flushed with this record
	summary := fmt.Sprintf("record the outcome of %s; stage %s", label, s.Stage)
	err = storeCall(ctx, ActivityRecordState, summary, rec).Get(ctx, nil)
	if retry != nil {
		r.queued--
	}
	if err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	r.publish()
	r.start(ctx, append(effects, theirs...))
	switch {
	case retry == nil:
		return nil
	case replaced:
		r.m.add(workflow.Now(ctx), EntrySuperseded, 0, label+" not sent again: a newer onboarding call replaced it")
	default: // in line at once (no yield since the check), after the policy's first backoff
		r.onboard(ctx, *retry, d.Order, attemptsLeft, onboardingBackoff)
	}
	return r.record(ctx)
}

func isRejected(err error) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == ErrOnboardingRejected
}
