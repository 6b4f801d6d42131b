package workflows_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"

	"kycflow/idenfy"
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

// inOrder fails if the endpoint got an older decision after a newer one.
func inOrder(t *testing.T, f *trail, what string) {
	t.Helper()
	var seqs []int
	for _, o := range f.onboarded {
		seqs = append(seqs, o.DecisionSeq)
	}
	if !slices.IsSorted(seqs) || len(seqs) == 0 || seqs[len(seqs)-1] != f.last().DecisionSeq {
		t.Errorf("%s: decisions onboarded in order %v, last decided %d; want the newest last", what, seqs, f.last().DecisionSeq)
	}
}

func hasFill(r workflows.Record) bool { return len(r.Fill) > 0 }

// Decision 1's Deliver call fails; while its record is stored again (slowly,
// here), decision 2 is made. Decision 1's retry keeps its place in line:
// it never goes out after decision 2, fast or slow.
func TestFailedDeliverKeepsItsPlaceInLine(t *testing.T) {
	for _, slowNewer := range []bool{false, true} {
		f := &trail{failFirst: 1}
		env := newEnv(t, f)
		env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.MatchedBy(hasFill)).After(10 * time.Minute).Return(f.record)
		env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.Anything).Return(f.record)
		if slowNewer {
			env.OnActivity(workflows.ActivityDeliver, mock.Anything, mock.MatchedBy(func(d workflows.Delivery) bool { return d.Onboard.DecisionSeq == 2 })).
				After(20 * time.Minute).Return(f.deliver)
		}
		env.OnActivity(workflows.ActivityDeliver, mock.Anything, mock.Anything).Return(f.deliver)
		send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallDenied))
		send(env, 5*time.Minute, manualApproved())
		run(t, env, workflows.Policy{}, nil)
		inOrder(t, f, fmt.Sprintf("slow newer call %v", slowNewer))
		gapless(t, f)
	}
}

func hasReviewed(r workflows.Record) bool {
	return slices.ContainsFunc(r.Entries, func(e workflows.Entry) bool { return e.Type == workflows.EntryReviewed })
}

// A reviewer's decision is stored by the Update before its call goes out;
// a revision that arrives meanwhile must not overtake it.
func TestReviewCallIsNotOvertaken(t *testing.T) {
	for _, g := range []int{0, workflows.Generation} {
		f := &trail{}
		env := newEnv(t, f)
		env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.MatchedBy(hasReviewed)).After(10 * time.Minute).Return(f.record)
		env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.Anything).Return(f.record)
		send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
		var approve updateResult
		update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok"}, &approve)
		send(env, time.Hour+5*time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallDenied))
		runGeneration(t, env, g, workflows.Policy{}, nil)
		inOrder(t, f, fmt.Sprintf("generation %d", g))
		if g > 0 {
			gapless(t, f)
		}
	}
}

// A lean run sends a reviewer's decision downstream only once the record
// of it is stored, even when another record (a duplicate webhook's) is
// stored first. (Runs before generations launched whatever a record found
// waiting, as they still do on replay.)
func TestReviewCallWaitsForItsRecord(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	var early []string
	stored := func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return slices.ContainsFunc(f.records, hasReviewed)
	}
	check := func(what string) {
		if !stored() {
			early = append(early, what)
		}
	}
	env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.MatchedBy(hasReviewed)).After(10 * time.Minute).Return(f.record)
	env.OnActivity(workflows.ActivityRecordState, mock.Anything, mock.Anything).Return(f.record)
	env.OnActivity(workflows.ActivityOnboard, mock.Anything, mock.Anything).Return(func(ctx context.Context, r workflows.OnboardingRequest) (workflows.OnboardingOutcome, error) {
		check("onboard")
		return f.onboard(ctx, r)
	})
	env.OnActivity(workflows.ActivityDeliver, mock.Anything, mock.Anything).Return(func(ctx context.Context, d workflows.Delivery) (workflows.DeliveryOutcome, error) {
		check("deliver")
		return f.deliver(ctx, d)
	})
	e := ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected)
	send(env, time.Minute, e)
	var approve updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok"}, &approve)
	send(env, time.Hour+time.Minute, e) // the same webhook again
	run(t, env, workflows.Policy{}, nil)
	if len(early) > 0 || len(f.onboarded) != 1 {
		t.Errorf("calls before the review's record was stored: %v; onboarded %d", early, len(f.onboarded))
	}
	gapless(t, f)
}
