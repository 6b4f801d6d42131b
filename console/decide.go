package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// decideKYC is POST /console/cases/kyc/{scanRef}/decide.
func (c *Console) decideKYC(w http.ResponseWriter, r *http.Request, s store.Session) {
	scanRef := r.PathValue("id")
	c.decide(w, r, s, workflows.ID(scanRef), func(ctx context.Context) error {
		_, err := c.store.Verification(ctx, scanRef)
		return err
	}, func(ctx context.Context) (*caseView, error) { return c.loadKYC(ctx, scanRef, s) })
}

// decideKYB is POST /console/cases/kyb/{companyId}/decide.
func (c *Console) decideKYB(w http.ResponseWriter, r *http.Request, s store.Session) {
	id := r.PathValue("id")
	c.decide(w, r, s, workflows.CompanyID(id), func(ctx context.Context) error {
		_, err := c.store.Company(ctx, id)
		return err
	}, func(ctx context.Context) (*caseView, error) { return c.loadKYB(ctx, id, s) })
}

// decide sends the form's review, by the signed-in reviewer, through the
// same Update as the operator API, and shows the case with the outcome and
// the lifecycle's new state: the status is the API's (200 decided, 202
// waiting for a second reviewer, 400, 409, 504), the page always the case.
func (c *Console) decide(w http.ResponseWriter, r *http.Request, s store.Session, workflowID string,
	lookup func(context.Context) error, load func(context.Context) (*caseView, error)) {
	ctx := r.Context()
	if err := lookup(ctx); err != nil {
		c.showCase(w, r, s, 0, nil, err)
		return
	}
	rv := workflows.Review{Reviewer: s.Reviewer, Decision: r.PostForm.Get("decision"), Reason: r.PostForm.Get("reason")}
	res := c.cases.Review(ctx, workflowID, rv)
	if res.Outcome == operator.ReviewUnavailable {
		c.log.Error("console: review failed", "workflow_id", workflowID, "reviewer", s.Reviewer, "error", res.Err)
	}
	v, err := load(ctx)
	if err != nil {
		c.showCase(w, r, s, 0, nil, err)
		return
	}
	v.applyState(res.State)
	c.finish(v, v.timeline(), s)
	v.Result = reviewResult(res, rv)
	if !v.Result.OK {
		v.Reason = rv.Reason // kept, so the reviewer can correct it
	}
	c.render(w, r, res.Status(), "case", &s, v)
}

// timeline is the page's timeline as loaded.
func (v *caseView) timeline() []operator.Timeline {
	out := make([]operator.Timeline, len(v.Timeline))
	for i, e := range v.Timeline {
		out[i] = e.Timeline
	}
	return out
}

// reviewResult says what a review did, in the reviewer's words.
func reviewResult(res operator.ReviewResult, rv workflows.Review) *result {
	out := &result{Outcome: string(res.Outcome)}
	switch res.Outcome {
	case operator.ReviewDecided:
		out.OK = true
		out.Text = fmt.Sprintf("Your review (%s) is recorded. The case is now %s", rv.Decision, res.State.Stage)
		if res.State.Decision != "" {
			out.Text += ", decision " + string(res.State.Decision)
		}
		out.Text += "."
	case operator.ReviewAwaitingSecond:
		out.OK = true
		out.Text = "Your approval is recorded as the first of two (four-eyes). The case stays undecided, and nothing is " +
			"onboarded, until a second, different reviewer confirms it."
	case operator.ReviewAlreadyReviewed:
		out.Text = "You already approved this case. A second, different reviewer must confirm it (four-eyes); " +
			"your second approval was not recorded."
	case operator.ReviewNothingToReview:
		out.Text = "Nothing to review: the case no longer waits for a review (someone else may have decided it already). " +
			"Your review was not recorded. (" + res.Reason + ")"
	case operator.ReviewInvalid:
		out.Text = "The review was refused and not recorded: " + res.Reason
	case operator.ReviewTimedOut:
		out.Text = "The lifecycle did not take the review in time: " + res.Reason
	default:
		out.Text = "kycflow could not reach Temporal, so the review may not have been recorded. Check the case's timeline before sending it again."
	}
	return out
}

// revealLimit is the most stored payloads one look shows.
const revealLimit = 100

// reveal is POST /console/cases/kyc/{scanRef}/personal-data: the look is
// recorded on the case's evidence trail first (operator.Cases.PersonalData
// fails closed), then the case page shows the decrypted fields.
func (c *Console) reveal(w http.ResponseWriter, r *http.Request, s store.Session) {
	ctx := r.Context()
	scanRef := r.PathValue("id")
	after, err := parseAfter(r.PostForm.Get("after"))
	if err != nil {
		c.render(w, r, http.StatusBadRequest, "message", &s, message{Title: "Bad request", Text: err.Error()})
		return
	}
	data, err := c.cases.PersonalData(ctx, s.Principal(), scanRef, after, revealLimit)
	var refusal *operator.Refusal
	switch {
	case errors.As(err, &refusal) && refusal.Status == http.StatusNotFound:
		c.showCase(w, r, s, 0, nil, store.ErrNotFound)
		return
	case errors.As(err, &refusal):
		c.render(w, r, refusal.Status, "message", &s, message{Title: "Not allowed", Text: refusal.Msg})
		return
	case err != nil:
		c.log.Error("console: personal data not shown: the view could not be recorded", "scan_ref", scanRef, "error", err)
		w.Header().Set("Retry-After", "5")
		c.render(w, r, http.StatusServiceUnavailable, "message", &s, message{Title: "Personal data not shown",
			Text: "Your look could not be recorded on the evidence trail, so nothing is shown. Try again in a moment."})
		return
	}
	v, err := c.loadKYC(ctx, scanRef, s) // after the look: the timeline shows it
	if err != nil {
		c.showCase(w, r, s, 0, nil, err)
		return
	}
	v.Personal = personal(data)
	c.render(w, r, http.StatusOK, "case", &s, v)
}

// parseAfter reads the optional inbox id a look continues after.
func parseAfter(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 || fmt.Sprint(n) != s {
		return 0, errors.New("after must be an inbox event id")
	}
	return n, nil
}
