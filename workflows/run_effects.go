package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// launch starts the side effects the machine asked for, each in its own
// coroutine, so a slow receiver never holds up the lifecycle. Each outcome
// lands on the timeline.
func (r *run) launch(ctx workflow.Context) { r.start(ctx, r.m.takeEffects()) }

// start runs the given side effects, each in its own coroutine.
func (r *run) start(ctx workflow.Context, effects []effect) {
	for _, e := range effects {
		r.inflight++
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer func() {
				r.inflight--
				r.wake.SendAsync(struct{}{})
			}()
			switch {
			case e.Onboard != nil:
				r.onboard(ctx, *e.Onboard, e.Order, r.m.p.OnboardingAttempts, 0)
			case e.Notify != nil:
				r.notify(ctx, *e.Notify)
			case e.Reconcile:
				r.reconcile(ctx)
			}
			if err := r.record(ctx); err != nil {
				workflow.GetLogger(ctx).Error("record side-effect outcome", "error", err)
			}
		})
	}
}

// onboardingBackoff is the onboarding call's first retry interval.
const onboardingBackoff = 2 * time.Second

// onboard makes an onboarding call of at most attempts attempts, the first
// after delay (a retry of a Deliver call's attempt waits the backoff). In
// a lean run, a call whose order is older than one already launched is
// not sent: it was replaced while it waited for its record.
func (r *run) onboard(ctx workflow.Context, req OnboardingRequest, order int64, attempts int32, delay time.Duration) {
	if r.overtaken(order) {
		r.m.add(workflow.Now(ctx), EntrySuperseded, 0, req.label()+" not sent: a newer onboarding call replaced it")
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute, HeartbeatTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: onboardingBackoff, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
			MaximumAttempts: attempts, NonRetryableErrorTypes: []string{ErrOnboardingRejected}},
		Summary: "onboarding call: " + req.label(),
	})
	superseded := false
	if r.m.cautious {
		// A newer onboarding call supersedes one still retrying, and
		// starts only once that one has really stopped (the activity
		// acknowledged its cancellation, or finished): the endpoint never
		// gets an older decision after a newer one.
		if r.supersede != nil {
			r.supersede()
		}
		cancel := func() {}
		r.supersede = func() { superseded = true; cancel() }
		r.queued++
		err := workflow.Await(ctx, func() bool { return r.onboarding == 0 || superseded })
		r.queued--
		if err != nil {
			return
		}
		if superseded { // replaced while it waited its turn
			r.m.add(workflow.Now(ctx), EntrySuperseded, 0, req.label()+" not sent: a newer onboarding call replaced it")
			return
		}
		ao := workflow.GetActivityOptions(actx)
		ao.WaitForCancellation = true
		actx, cancel = workflow.WithCancel(workflow.WithActivityOptions(actx, ao))
		r.onboarding++
		defer func() { r.onboarding-- }()
	}
	if delay > 0 && workflow.Sleep(actx, delay) != nil { // cancelled: replaced by a newer call
		r.m.add(workflow.Now(ctx), EntrySuperseded, 0, req.label()+" not sent again: a newer onboarding call replaced it")
		return
	}
	var out OnboardingOutcome
	err := workflow.ExecuteActivity(actx, ActivityOnboard, req).Get(ctx, &out)
	now := workflow.Now(ctx)
	switch {
	case err != nil && superseded:
		r.m.add(now, EntrySuperseded, 0, req.label()+" not delivered: a newer onboarding call replaced it")
		return
	case err == nil:
		r.m.add(now, EntryOnboarded, 0, out.detail(req))
	default:
		detail := fmt.Sprintf("%s not delivered: %s", req.label(), failure(err))
		r.m.add(now, EntryOnboardFailed, 0, detail)
		r.m.notify(now, NotifyOnboardingFailed, detail)
	}
}

func (r *run) notify(ctx workflow.Context, n Notification) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute, HeartbeatTimeout: 20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute, MaximumAttempts: 8},
		Summary:     "notify " + n.Event,
	})
	var out NotifyOutcome
	err := workflow.ExecuteActivity(actx, ActivityNotify, n).Get(ctx, &out)
	now := workflow.Now(ctx)
	switch {
	case err != nil:
		r.m.add(now, EntryNotifyFailed, 0, fmt.Sprintf("%s: %s", n.Event, failure(err)))
	case len(out.Delivered) > 0:
		r.m.add(now, EntryNotified, 0, fmt.Sprintf("%s → %v", n.Event, out.Delivered))
	}
}

// reconcile asks iDenfy's status API once (backing off on errors) for an
// overdue verification and applies a final answer like a webhook.
func (r *run) reconcile(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Minute, BackoffCoefficient: 2, MaximumInterval: time.Hour,
			MaximumAttempts: 5, NonRetryableErrorTypes: []string{ErrReconcileUnavailable}},
		Summary: "ask iDenfy's status API (overdue manual review)",
	})
	var out ReconcileOutcome
	err := workflow.ExecuteActivity(actx, ActivityReconcile, r.m.s.ScanRef).Get(ctx, &out)
	now := workflow.Now(ctx)
	switch {
	case err != nil:
		detail := "iDenfy status not available: " + failure(err)
		r.m.add(now, EntryEscalated, 0, detail)
		r.m.notify(now, NotifyStuck, detail)
	case out.Event != nil && out.Event.Final:
		r.m.add(now, EntryReconciled, 0, "iDenfy reports a final result")
		r.apply(*out.Event)
	default:
		detail := "iDenfy has no final result either; a person must follow up"
		if out.Event != nil {
			detail = fmt.Sprintf("iDenfy still reports %s without a final result; a person must follow up", out.Event.Overall)
		}
		r.m.add(now, EntryEscalated, 0, detail)
		r.m.notify(now, NotifyStuck, detail)
	}
}

// review is the UpdateReview handler (the validator has accepted it).
func (r *run) review(ctx workflow.Context, rv Review) (State, error) {
	r.upgrade()
	r.m.review(workflow.Now(ctx), rv, r.needsSecondReviewer(ctx, rv))
	if err := r.save(ctx, true); err != nil {
		return State{}, err
	}
	if r.m.effects {
		// The main loop re-arms its timer. Runs that began before the
		// side effects (and were not upgraded by this review) never did:
		// their histories have no timer here.
		r.wake.SendAsync(struct{}{})
	}
	return *r.m.s, nil
}

// failure describes an activity error by type and message, without
// wrapping noise.
func failure(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if app.Type() != "" {
			return app.Type() + ": " + app.Error()
		}
		return app.Error()
	}
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "timed out"
	}
	return err.Error()
}
