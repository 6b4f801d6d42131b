package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"kycflow/internal/testtemporal"
	"kycflow/workflows"
)

func TestOnboardingIsEffectiveExactlyOnceAcrossRetries(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	down.onboarding.Script(503, 503) // twice unavailable, then accepted
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), env...)
	body := kycBody(t, "kyc_manual_approved.json", "onb-1", 1)
	sys.post(t, "kyc", body, signed(body))
	d := sys.waitUntil(t, "onb-1", 60*time.Second, hasEntry(workflows.EntryOnboarded))
	got := down.onboarding.Effective()
	const id = "kyc-onb-1-decision-1"
	if len(got) != 1 || got[0].ID != id || got[0].Body["decision"] != "approved" || got[0].Body["decisionSequence"] != float64(1) {
		t.Fatalf("effective onboarding calls = %+v, want one for decision 1", got)
	}
	if n := down.onboarding.Attempts(id); n != 3 || down.onboarding.BadSignatures() != 0 {
		t.Errorf("attempts of %s = %d (bad signatures %d), want 3 with the same webhook-id", id, n, down.onboarding.BadSignatures())
	}
	if d.count(workflows.EntryOnboarded) != 1 || d.count(workflows.EntryOnboardFailed) != 0 {
		t.Errorf("timeline = %+v", d.Timeline)
	}
	waitFor(t, 20*time.Second, func() bool { return strings.Contains(strings.Join(down.events(), ","), workflows.NotifyDecided) })
}

func TestOnboardingRefusalIsRecordedAndNotified(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	down.onboarding.Script(400)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), env...)
	body := kycBody(t, "kyc_manual_approved.json", "onb-2", 1)
	sys.post(t, "kyc", body, signed(body))
	d := sys.waitUntil(t, "onb-2", 60*time.Second, hasEntry(workflows.EntryOnboardFailed))
	if d.count(workflows.EntryOnboarded) != 0 || down.onboarding.Attempts("kyc-onb-2-decision-1") != 1 {
		t.Errorf("a 400 was retried or recorded as success: %+v", d.Timeline)
	}
	waitFor(t, 20*time.Second, func() bool {
		return strings.Contains(strings.Join(down.events(), ","), workflows.NotifyOnboardingFailed)
	})
}

func TestComplianceReviewThroughTheAPI(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort(), env...)
	body := kycBody(t, "kyc_auto_suspected.json", "rev-1", 1, func(m map[string]any) { m["final"] = true })
	sys.post(t, "kyc", body, signed(body))
	sys.waitUntil(t, "rev-1", 30*time.Second, func(d detail) bool { return d.Stage == "awaiting_compliance" })
	alice := sys.reviewerToken(t, "alice", "reviewer")

	if code, out := sys.review(t, "rev-1", `{"reviewer":"alice","decision":"approve"}`); code != 400 {
		t.Errorf("review without reason = %d %v, want 400", code, out)
	}
	if code, _ := sys.review(t, "unknown-ref", `{"reviewer":"alice","decision":"approve","reason":"x"}`); code != 404 {
		t.Errorf("review of an unknown scanRef = %d, want 404", code)
	}
	code, out := sys.reviewAs(t, alice, "rev-1", `{"reviewer":"mallory","decision":"approve","reason":"passport checked by video call"}`)
	if code != 200 || out["decision"] != "approved" || out["stage"] != "decided" {
		t.Fatalf("approve = %d %v, want 200 decided/approved", code, out)
	}
	if code, _ := sys.review(t, "rev-1", `{"reviewer":"bob","decision":"reject","reason":"second look"}`); code != 409 {
		t.Errorf("second review = %d, want 409", code)
	}
	d := sys.waitUntil(t, "rev-1", 30*time.Second, hasEntry(workflows.EntryOnboarded))
	if d.Decision != "approved" || d.count(workflows.EntryReviewed) != 1 {
		t.Errorf("after review = %s, timeline %+v", d.Decision, d.Timeline)
	}
	for _, e := range d.Timeline {
		if e.Type == workflows.EntryReviewed && !strings.HasPrefix(e.Detail, "alice decided approve") {
			t.Errorf("reviewed entry = %q, want the token's reviewer, alice", e.Detail)
		}
	}
	if got := down.onboarding.Effective(); len(got) != 1 || got[0].Body["reviewer"] != "alice" {
		t.Errorf("onboarding = %+v, want one call naming the token's reviewer (not the body's)", got)
	}
	// Refused reviews leave no trace in history: exactly one accepted update.
	it := ts.GetDefaultClient().GetWorkflowHistory(context.Background(), workflows.ID("rev-1"), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	updates := 0
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("history holds %d accepted updates, want 1", updates)
	}
}

// A worker dies in the middle of the onboarding call: a new worker retries
// it with the same webhook-id and the receiver applies it once.
func TestWorkerKilledDuringOnboarding(t *testing.T) {
	ts := testtemporal.New(t)
	down, env := newDownstream(t)
	held, release := down.onboarding.Hold()
	sys := startSystemWith(t, ts, ts.GetFrontendHostPort(), false, append(env, "KYCFLOW_TASK_QUEUE=kill-test")...)
	first := startKillableWorker(t, ts, sys.cfg, sys.db)
	body := kycBody(t, "kyc_manual_approved.json", "kill-1", 1)
	sys.post(t, "kyc", body, signed(body))
	select {
	case <-held:
	case <-time.After(30 * time.Second):
		t.Fatal("the onboarding call never arrived")
	}
	first.Stop() // killed mid-call
	release()
	startKillableWorker(t, ts, sys.cfg, sys.db)
	d := sys.waitUntil(t, "kill-1", 60*time.Second, hasEntry(workflows.EntryOnboarded))
	const id = "kyc-kill-1-decision-1"
	if got := down.onboarding.Effective(); len(got) != 1 || down.onboarding.Attempts(id) < 2 {
		t.Errorf("effective calls %d, attempts %d; want 1 effective over at least 2 attempts", len(got), down.onboarding.Attempts(id))
	}
	if d.Decision != "approved" || d.count(workflows.EntryDecided) != 1 {
		t.Errorf("lifecycle = %s, timeline %+v", d.Decision, d.Timeline)
	}
}

func TestRedriveRedeliversAStoredEvent(t *testing.T) {
	ts := testtemporal.New(t)
	sys := startSystem(t, ts, ts.GetFrontendHostPort())
	body := kycBody(t, "kyc_manual_approved.json", "redrive-1", 1)
	ack := sys.post(t, "kyc", body, signed(body))
	sys.waitUntil(t, "redrive-1", 30*time.Second, decidedApproved)
	junk := []byte("not json at all")
	q := sys.post(t, "kyc", junk, signed(junk))

	redrive := func(id string) int {
		code, _ := sys.postJSON(t, "/v1/events/"+id+"/redrive", "")
		return code
	}
	if code := redrive(fmt.Sprint(ack.ID)); code != http.StatusAccepted {
		t.Fatalf("redrive = %d, want 202", code)
	}
	d := sys.waitUntil(t, "redrive-1", 30*time.Second, func(d detail) bool { return d.count("received") == 2 })
	if d.count(workflows.EntryDuplicate) != 1 || d.count(workflows.EntryDecided) != 1 {
		t.Errorf("after redrive: %+v, want the event received again as a duplicate, still one decision", d.Timeline)
	}
	if code := redrive(fmt.Sprint(q.ID)); code != http.StatusConflict {
		t.Errorf("redrive of an unroutable event = %d, want 409", code)
	}
	if code := redrive("999999"); code != http.StatusNotFound {
		t.Errorf("redrive of an unknown event = %d, want 404", code)
	}
}
