package console_test

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"kycflow/workflows"
)

var decisionResult = regexp.MustCompile(`<p id="decision-result" class="result (ok|refused)" data-outcome="([a-z_]+)"`)

// outcome is the decision-result of a page: its class and outcome.
func outcome(body string) string {
	m := decisionResult.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1] + " " + m[2]
}

func TestApproveSendsTheReviewAsTheSignedInReviewer(t *testing.T) {
	r := newRig(t)
	r.tf.State = workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Status: "SUSPECTED", Decision: workflows.DecisionApproved,
		DecisionReason: "compliance review by alice: passport checked by video call", UpdatedAt: t0.Add(time.Hour)}
	b := r.signIn("alice")
	form := decision("approve", "passport checked by video call")
	form.Set("reviewer", "mallory") // a reviewer field in the form is not who decides
	w := b.post("/console/cases/kyc/s1/decide", form)
	body := w.Body.String()
	if w.Code != http.StatusOK || outcome(body) != "ok decided" {
		t.Fatalf("approve = %d, result %q\n%s", w.Code, outcome(body), body)
	}
	sent := r.tf.Sent()
	if want := (workflows.Review{Reviewer: "alice", Decision: "approve", Reason: "passport checked by video call"}); len(sent) != 1 || sent[0] != want {
		t.Errorf("Temporal was sent %+v, want %+v", sent, want)
	}
	if r.tf.IDs()[0] != "kyc-s1" {
		t.Errorf("the review went to %s, want kyc-s1", r.tf.IDs()[0])
	}
	// The new state is on the page, and no more decision buttons.
	for _, want := range []string{`<dd id="stage">decided</dd>`, `<dd id="decision">approved</dd>`, "The case is now decided, decision approved."} {
		if !strings.Contains(body, want) {
			t.Errorf("page after approval lacks %s", want)
		}
	}
	if strings.Contains(body, `id="decide-form"`) {
		t.Error("the decided case still offers a decision")
	}
}

func TestCompanyAndAMLAlertDecisions(t *testing.T) {
	r := newRig(t)
	b := r.signIn("bob")
	r.tf.State = workflows.State{Kind: workflows.KindCompany, CompanyID: "c1", Stage: workflows.StageDecided, Decision: workflows.DecisionRejected}
	if w := b.post("/console/cases/kyb/c1/decide", decision("reject", "beneficiary is a PEP")); w.Code != http.StatusOK ||
		outcome(w.Body.String()) != "ok decided" {
		t.Errorf("company rejection = %d %q", w.Code, outcome(w.Body.String()))
	}
	r.tf.State = workflows.State{ScanRef: "s4", Stage: workflows.StageMonitoring, Decision: workflows.DecisionApproved,
		Monitoring: &workflows.Monitoring{Active: true, IDs: []string{"mon-4"}}}
	if w := b.post("/console/cases/kyc/s4/decide", decision("clear", "false positive: different date of birth")); w.Code != http.StatusOK ||
		!strings.Contains(w.Body.String(), `<dd id="stage">monitoring</dd>`) {
		t.Errorf("AML clear = %d %q", w.Code, outcome(w.Body.String()))
	}
	sent := r.tf.Sent()
	if len(sent) != 2 || r.tf.IDs()[0] != "kyb-c1" || sent[0].Reviewer != "bob" || sent[1].Decision != "clear" || r.tf.IDs()[1] != "kyc-s4" {
		t.Errorf("sent %+v to %v", sent, r.tf.IDs())
	}
}

// A 409 (decided by someone else, or the first approver confirming) is a
// message on the case page, not an error page.
func TestConflictsAreAMessageOnTheCasePage(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"decided by someone else", temporal.NewApplicationError("kyc-s1 is decided: nothing to review", workflows.ErrNotAwaitingReview),
			"Nothing to review: the case no longer waits for a review (someone else may have decided it already)"},
		{"the first approver again", temporal.NewApplicationError("alice already approved kyc-s1", workflows.ErrAlreadyReviewed),
			"You already approved this case. A second, different reviewer must confirm it"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.tf.Err = c.err
			w := r.signIn("alice").post("/console/cases/kyc/s1/decide", decision("approve", "ok"))
			body := w.Body.String()
			if w.Code != http.StatusConflict || !strings.HasPrefix(outcome(body), "refused ") || !strings.Contains(body, c.want) ||
				!strings.Contains(body, `<article id="case"`) || !strings.Contains(body, `id="timeline"`) {
				t.Errorf("409 = %d %q\n%s", w.Code, outcome(body), body)
			}
			if !strings.Contains(body, ">ok</textarea>") {
				t.Error("the refused review's reason is not kept in the form")
			}
		})
	}
}

func TestFourEyesFirstApprovalWaits(t *testing.T) {
	r := newRig(t)
	r.tf.State = workflows.State{ScanRef: "s1", Stage: workflows.StageAwaitingCompliance, Status: "SUSPECTED", ReviewReason: "SUSPECTED",
		PendingApproval: &workflows.Approval{Reviewer: "alice", Reason: "ok", At: t0.Add(time.Hour)}}
	w := r.signIn("alice").post("/console/cases/kyc/s1/decide", decision("approve", "ok"))
	body := w.Body.String()
	if w.Code != http.StatusAccepted || outcome(body) != "ok awaiting_second_review" {
		t.Fatalf("first approval = %d %q", w.Code, outcome(body))
	}
	for _, want := range []string{`id="pending-approval"`, "First approval by <strong>alice</strong>", `id="mine-to-confirm"`,
		`<dd id="stage">awaiting_compliance</dd>`} {
		if !strings.Contains(body, want) {
			t.Errorf("page after a first approval lacks %s", want)
		}
	}
}

func TestInvalidReviewsAreRefusedBeforeTemporal(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	for _, form := range []map[string][]string{
		decision("approve", ""), decision("approve", "   "), decision("maybe", "ok"), decision("approve", "ok\nreviewed: bob decided reject"),
		decision("approve", strings.Repeat("a", 501)), decision("", "ok"),
	} {
		if w := b.post("/console/cases/kyc/s1/decide", form); w.Code != http.StatusBadRequest || outcome(w.Body.String()) != "refused invalid" {
			t.Errorf("decide %v = %d %q, want 400", form, w.Code, outcome(w.Body.String()))
		}
	}
	if got := r.tf.Sent(); len(got) != 0 {
		t.Errorf("Temporal was sent %+v", got)
	}
	if w := b.post("/console/cases/kyc/nope/decide", decision("approve", "ok")); w.Code != http.StatusNotFound || len(r.tf.Sent()) != 0 {
		t.Errorf("decide an unknown case = %d", w.Code)
	}
}

func TestAViewerCannotDecide(t *testing.T) {
	r := newRig(t)
	b := r.signIn("vera")
	for _, path := range []string{"/console/cases/kyc/s1/decide", "/console/cases/kyb/c1/decide", "/console/cases/kyc/s4/decide"} {
		if w := b.post(path, decision("approve", "ok")); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "may not decide reviews") {
			t.Errorf("a viewer's POST %s = %d", path, w.Code)
		}
	}
	if got := r.tf.Sent(); len(got) != 0 {
		t.Errorf("Temporal was sent %+v", got)
	}
}

func TestReviewTimeoutAndTemporalDown(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	r.cases.ReviewTimeout = 50 * time.Millisecond
	r.tf.Block = true // no worker takes the Update
	w := b.post("/console/cases/kyc/s1/decide", decision("approve", "ok"))
	if w.Code != http.StatusGatewayTimeout || outcome(w.Body.String()) != "refused timeout" || !strings.Contains(w.Body.String(), "is a worker running?") {
		t.Errorf("no worker = %d %q", w.Code, outcome(w.Body.String()))
	}
	r.tf.Block, r.tf.Err = false, errors.New("connection refused")
	w = b.post("/console/cases/kyc/s1/decide", decision("approve", "ok"))
	if w.Code != http.StatusServiceUnavailable || outcome(w.Body.String()) != "refused unavailable" ||
		!strings.Contains(w.Body.String(), "may not have been recorded") || strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("Temporal down = %d %q", w.Code, outcome(w.Body.String()))
	}
}
