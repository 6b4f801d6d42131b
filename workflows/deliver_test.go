package workflows_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"kycflow/workflows"
)

// deliver is the fake Deliver activity: the trail's store, onboarding
// endpoint and sinks, in the real activity's order (record, onboarding
// call, notifications, outcome entry).
func (f *trail) deliver(ctx context.Context, d workflows.Delivery) (workflows.DeliveryOutcome, error) {
	var out workflows.DeliveryOutcome
	if d.Record != nil {
		if err := f.record(ctx, *d.Record); err != nil {
			return out, err
		}
	}
	var err error
	if out.Onboarding, err = f.onboard(ctx, d.Onboard); err != nil {
		return out, err
	}
	for _, n := range d.Notify {
		no, _ := f.notify(ctx, n)
		out.Notified = append(out.Notified, no)
	}
	f.mu.Lock()
	f.deliveries++
	f.mu.Unlock()
	out.Entry, out.Stored = d.OutcomeEntry(time.Now(), out), true
	return out, f.record(ctx, workflows.Record{WorkflowID: d.WorkflowID, State: f.newest(), Entries: []workflows.Entry{out.Entry}})
}

// newest is the newest recorded state, or an empty one.
func (f *trail) newest() workflows.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.records) == 0 {
		return workflows.State{}
	}
	return f.last()
}

// gapless fails unless the timeline's sequence numbers run 1..n: every
// reserved outcome entry was filled.
func gapless(t *testing.T, f *trail) {
	t.Helper()
	for i, e := range f.entries() {
		if e.Seq != int64(i+1) {
			t.Fatalf("timeline seq %d at position %d (a gap): %v", e.Seq, i+1, f.allTypes())
		}
	}
}

// A decision goes out with one Deliver call: the record, the onboarding
// call and the notification; its outcome fills the reserved entry.
func TestDecisionGoesOutInOneDeliverCall(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	run(t, env, monitored, nil)
	if f.deliveries != 1 || len(f.onboarded) != 1 || len(f.notified) != 1 {
		t.Errorf("deliveries %d, onboarding calls %d, notifications %d; want 1 each", f.deliveries, len(f.onboarded), len(f.notified))
	}
	gapless(t, f)
}

// A Deliver call that fails hands over to the separate activities: the
// reserved entry says so, the onboarding call is retried by Onboard with
// its retry policy, the notification goes out by Notify, and the timeline
// has no gap.
func TestFailedDeliverFallsBackToSeparateCalls(t *testing.T) {
	f := &trail{failFirst: 1}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	run(t, env, monitored, nil)
	all := f.allTypes()
	if f.deliveries != 0 || len(f.onboarded) != 1 || count(all, workflows.EntryDeliveryRetried) != 1 || count(all, workflows.EntryOnboarded) != 1 ||
		!slices.Equal(f.events(), []string{workflows.NotifyDecided}) || count(all, workflows.EntryNotified) != 1 {
		t.Errorf("timeline %v, onboarding calls %d, notifications %v; want the call retried separately", all, len(f.onboarded), f.events())
	}
	gapless(t, f)
}

// A rejected call is not retried: onboarding_failed fills the reserved
// entry and the failure is notified.
func TestRejectedDeliverIsRecordedAndNotified(t *testing.T) {
	f := &trail{onboardErr: temporal.NewNonRetryableApplicationError("receiver refused with 400", workflows.ErrOnboardingRejected, nil)}
	env := newEnv(t, f)
	send(env, time.Minute, manualApproved())
	run(t, env, monitored, nil)
	if all := f.allTypes(); count(all, workflows.EntryOnboardFailed) != 1 || f.calls != 1 ||
		!slices.Equal(f.events(), []string{workflows.NotifyOnboardingFailed, workflows.NotifyDecided}) {
		t.Errorf("timeline %v, calls %d, notifications %v; want one call, onboarding_failed, both notified", all, f.calls, f.events())
	}
	gapless(t, f)
}
