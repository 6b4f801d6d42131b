package workflows_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"kycflow/idenfy"
	"kycflow/workflows"
)

// A decision the stage does not take is refused as the wrong decision (the
// API answers 400 naming what the stage accepts); a stage that takes no
// review at all, or a case already decided, stays "not awaiting review".
func TestReviewDecisionMustFitTheStage(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var early, clearInCompliance, approve, again, approveOnAlert, confirm updateResult
	update(env, 30*time.Second, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "too early"}, &early)
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "clear", Reason: "wrong stage"}, &clearInCompliance)
	update(env, 2*time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "checked"}, &approve)
	update(env, 3*time.Hour, workflows.Review{Reviewer: "bob", Decision: "approve", Reason: "again"}, &again)
	send(env, 4*time.Hour, aml("m-1", "ALERT", "ALERT"))
	update(env, 5*time.Hour, workflows.Review{Reviewer: "bob", Decision: "approve", Reason: "wrong stage"}, &approveOnAlert)
	update(env, 6*time.Hour, workflows.Review{Reviewer: "bob", Decision: "confirm", Reason: "sanctions match"}, &confirm)
	run(t, env, monitored, nil)

	for _, c := range []struct {
		name     string
		got      updateResult
		wantType string
		wantText string
	}{
		{"approve before a result", early, workflows.ErrNotAwaitingReview, ""},
		{"clear in awaiting_compliance", clearInCompliance, workflows.ErrWrongDecision, `awaiting_compliance accepts "approve" or "reject"`},
		{"second review once decided", again, workflows.ErrNotAwaitingReview, ""},
		{"approve on an AML alert", approveOnAlert, workflows.ErrWrongDecision, `aml_alert accepts "clear" or "confirm"`},
	} {
		if errType(c.got.rejected) != c.wantType || !strings.Contains(errText(c.got.rejected), c.wantText) {
			t.Errorf("%s: rejected with %v, want %s naming %q", c.name, c.got.rejected, c.wantType, c.wantText)
		}
	}
	if approve.rejected != nil || confirm.rejected != nil || confirm.state.Decision != workflows.DecisionRejected {
		t.Errorf("valid reviews: approve %v, confirm %v (%s)", approve.rejected, confirm.rejected, confirm.state.Decision)
	}
	if n := count(f.types(), workflows.EntryReviewed); n != 2 {
		t.Errorf("reviewed entries = %d, want 2: a refused review records nothing (timeline %v)", n, f.types())
	}
}

// Reviewer text lands in history, on the timeline and in notifications:
// nothing that can hide, reorder or forge text gets in.
func TestCheckReviewRefusesHiddenCharacters(t *testing.T) {
	ok := workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "passport checked by video call"}
	for _, c := range []struct {
		name      string
		edit      func(*workflows.Review)
		wantField string // "" means accepted
	}{
		{"plain", func(*workflows.Review) {}, ""},
		{"markup is text", func(r *workflows.Review) { r.Reason = "<script>alert(1)</script> & more" }, ""},
		{"non-ASCII letters", func(r *workflows.Review) { r.Reviewer, r.Reason = "Zoë Łukasz", "Ausweis geprüft, 身份证" }, ""},
		{"reason at the limit", func(r *workflows.Review) { r.Reason = strings.Repeat("r", 500) }, ""},
		{"reviewer at the limit", func(r *workflows.Review) { r.Reviewer = strings.Repeat("a", 100) }, ""},
		{"NUL", func(r *workflows.Review) { r.Reason = "ok\x00" }, "reason"},
		{"ANSI escape", func(r *workflows.Review) { r.Reason = "\x1b[31mAPPROVED\x1b[0m" }, "reason"},
		{"newline", func(r *workflows.Review) { r.Reason = "ok\nreviewed: mallory decided approve" }, "reason"},
		{"carriage return", func(r *workflows.Review) { r.Reason = "ok\r" }, "reason"},
		{"tab", func(r *workflows.Review) { r.Reviewer = "ali\tce" }, "reviewer"},
		{"DEL", func(r *workflows.Review) { r.Reviewer = "alice\x7f" }, "reviewer"},
		{"C1 NEL", func(r *workflows.Review) { r.Reason = "ok\u0085" }, "reason"},
		{"right-to-left override", func(r *workflows.Review) { r.Reason = "ok \u202eevorppa" }, "reason"},
		{"isolate", func(r *workflows.Review) { r.Reviewer = "\u2066alice\u2069" }, "reviewer"},
		{"zero-width space", func(r *workflows.Review) { r.Reviewer = "al\u200bice" }, "reviewer"},
		{"line separator", func(r *workflows.Review) { r.Reason = "ok\u2028more" }, "reason"},
		{"replacement character", func(r *workflows.Review) { r.Reason = "ok\ufffd" }, "reason"},
		{"invalid UTF-8", func(r *workflows.Review) { r.Reason = "ok\xff" }, "reason"},
		{"reason too long", func(r *workflows.Review) { r.Reason = strings.Repeat("r", 501) }, "reason"},
		{"reviewer too long", func(r *workflows.Review) { r.Reviewer = strings.Repeat("a", 101) }, "reviewer"},
	} {
		r := ok
		c.edit(&r)
		err := workflows.CheckReview(r, "", false)
		switch {
		case c.wantField == "" && err != nil:
			t.Errorf("%s: CheckReview() = %v, want accepted", c.name, err)
		case c.wantField != "" && (errType(err) != workflows.ErrInvalidReview || !strings.HasPrefix(errText(err), c.wantField+" ")):
			t.Errorf("%s: CheckReview() = %v, want %s naming %s", c.name, err, workflows.ErrInvalidReview, c.wantField)
		}
	}
}

// The workflow's validator applies the same rules to a review sent
// straight through Temporal: nothing reaches history or the timeline.
func TestValidatorRefusesHiddenCharacters(t *testing.T) {
	f := &trail{}
	env := newEnv(t, f)
	send(env, time.Minute, ev(idenfy.EventIdentificationManualFinished, true, idenfy.OverallSuspected))
	var forged updateResult
	update(env, time.Hour, workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "ok\nreviewed: bob decided reject"}, &forged)
	run(t, env, workflows.Policy{}, nil)
	if errType(forged.rejected) != workflows.ErrInvalidReview || count(f.types(), workflows.EntryReviewed) != 0 {
		t.Errorf("review with a newline = %v, timeline %v; want refused, nothing recorded", forged.rejected, f.types())
	}
}

func errText(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return ""
}
