package operator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"kycflow/store"
	"kycflow/workflows"
)

// review records a compliance officer's decision through the lifecycle's
// validated `review` Update: 200 with the new state (202
// awaiting_second_review for a four-eyes first approval), 400 when the body or
// the review is invalid or the stage takes another decision (nothing is
// recorded), 409 when the stage takes no review (nothing to review, already
// decided), 404 for an unknown scanRef.
func (a *API) review(c *gin.Context) {
	scanRef := c.Param("scanRef")
	a.reviewLifecycle(c, "scanRef", workflows.ID(scanRef), func(ctx context.Context) error {
		_, err := a.store.Verification(ctx, scanRef)
		return err
	}, func(s workflows.State) any { return stateView(s) })
}

// reviewCompany is review for a KYB company lifecycle.
func (a *API) reviewCompany(c *gin.Context) {
	id := c.Param("id")
	a.reviewLifecycle(c, "company", workflows.CompanyID(id), func(ctx context.Context) error {
		_, err := a.store.Company(ctx, id)
		return err
	}, func(s workflows.State) any { return companyStateView(s) })
}

// reviewKeys are the keys of a review body: workflows.Review's JSON names.
// "reviewer" is accepted, whatever its value, for older clients and
// ignored: the reviewer is whom the bearer token proves.
var reviewKeys = []string{"reviewer", "decision", "reason"}

// reviewLifecycle sends a review to the lifecycle workflowID once lookup
// found it (404 naming what otherwise), and answers with view of the new
// state. The review's reviewer is the authenticated principal, whatever
// the body says.
func (a *API) reviewLifecycle(c *gin.Context, what, workflowID string, lookup func(context.Context) error, view func(workflows.State) any) {
	ctx := c.Request.Context()
	var body struct {
		Reviewer json.RawMessage `json:"reviewer"` // ignored
		Decision string          `json:"decision"`
		Reason   string          `json:"reason"`
	}
	if err := readBody(c, &body, false, reviewKeys...); err != nil {
		a.refuse(c, err)
		return
	}
	rv := workflows.Review{Reviewer: principal(c).Name, Decision: body.Decision, Reason: body.Reason}
	if err := workflows.CheckReview(rv, "", false); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": reason(err)})
		return
	}
	if err := lookup(ctx); errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": "unknown " + what})
		return
	} else if err != nil {
		a.unavailable(c, err)
		return
	}
	res := a.cases.Review(ctx, workflowID, rv)
	switch res.Outcome {
	case ReviewAwaitingSecond:
		c.JSON(res.Status(), gin.H{"status": "awaiting_second_review", "approvedBy": res.State.PendingApproval.Reviewer,
			"approvedAt": res.State.PendingApproval.At.UTC(), "case": view(res.State)})
	case ReviewDecided:
		c.JSON(res.Status(), view(res.State))
	case ReviewAlreadyReviewed:
		c.JSON(res.Status(), gin.H{"error": "already approved by you: " + res.Reason})
	case ReviewNothingToReview:
		c.JSON(res.Status(), gin.H{"error": "not awaiting review: " + res.Reason})
	case ReviewInvalid:
		c.JSON(res.Status(), gin.H{"error": res.Reason})
	case ReviewTimedOut:
		c.Header("Retry-After", "30")
		c.JSON(res.Status(), gin.H{"error": res.Reason})
	default:
		a.unavailable(c, res.Err)
	}
}

// ReviewOutcome is how a lifecycle answered a review.
type ReviewOutcome string

// Review outcomes; ReviewResult.Status is each one's HTTP status.
const (
	// ReviewDecided: the review decided the case (or cleared or confirmed
	// an AML alert). 200.
	ReviewDecided ReviewOutcome = "decided"
	// ReviewAwaitingSecond: a four-eyes first approval, recorded; the case
	// waits, undecided, for a second, different reviewer. 202.
	ReviewAwaitingSecond ReviewOutcome = "awaiting_second_review"
	// ReviewInvalid: an invalid review, or a decision the stage does not
	// take; nothing was recorded. 400.
	ReviewInvalid ReviewOutcome = "invalid"
	// ReviewNothingToReview: the case takes no review (already decided,
	// not waiting, or its lifecycle is not running). 409.
	ReviewNothingToReview ReviewOutcome = "nothing_to_review"
	// ReviewAlreadyReviewed: the reviewer who gave the first approval
	// tried to confirm it (four-eyes). 409.
	ReviewAlreadyReviewed ReviewOutcome = "already_reviewed"
	// ReviewTimedOut: the lifecycle did not take the review in time (most
	// likely no worker runs). 504.
	ReviewTimedOut ReviewOutcome = "timeout"
	// ReviewUnavailable: Temporal could not be asked. 503.
	ReviewUnavailable ReviewOutcome = "unavailable"
)

// ReviewResult is a review's outcome: the new state when the lifecycle
// took it, the reason when it refused it.
type ReviewResult struct {
	Outcome ReviewOutcome
	// State is the lifecycle's new state (ReviewDecided,
	// ReviewAwaitingSecond).
	State workflows.State
	// Reason says why a review was refused or timed out, for the
	// reviewer: the lifecycle's own message, never personal data.
	Reason string
	// Err is the failure behind ReviewUnavailable: log it, never show it.
	Err error
}

// Status is the HTTP status of the outcome.
func (r ReviewResult) Status() int {
	switch r.Outcome {
	case ReviewDecided:
		return http.StatusOK
	case ReviewAwaitingSecond:
		return http.StatusAccepted
	case ReviewInvalid:
		return http.StatusBadRequest
	case ReviewNothingToReview, ReviewAlreadyReviewed:
		return http.StatusConflict
	case ReviewTimedOut:
		return http.StatusGatewayTimeout
	}
	return http.StatusServiceUnavailable
}

// Review sends rv to the lifecycle workflowID through its validated
// `review` Update and waits for the outcome (at most ReviewTimeout). The
// caller has checked that rv.Reviewer is the authenticated principal and
// that its role may decide.
func (cs *Cases) Review(ctx context.Context, workflowID string, rv workflows.Review) ReviewResult {
	if err := workflows.CheckReview(rv, "", false); err != nil {
		return ReviewResult{Outcome: ReviewInvalid, Reason: reason(err)}
	}
	uctx, cancel := context.WithTimeout(ctx, cs.reviewTimeout())
	defer cancel()
	h, err := cs.Temporal.UpdateWorkflow(uctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: workflows.UpdateReview, Args: []any{rv},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var state workflows.State
	if err == nil {
		err = h.Get(uctx, &state)
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil && state.PendingApproval != nil && rv.Decision == workflows.ReviewApprove:
		cs.log().Info("first approval recorded; awaiting a second reviewer", "workflow_id", workflowID, "reviewer", rv.Reviewer)
		return ReviewResult{Outcome: ReviewAwaitingSecond, State: state}
	case err == nil:
		cs.log().Info("compliance review recorded", "workflow_id", workflowID, "decision", state.Decision, "reviewer", rv.Reviewer)
		return ReviewResult{Outcome: ReviewDecided, State: state}
	case errors.As(err, &app) && app.Type() == workflows.ErrAlreadyReviewed:
		return ReviewResult{Outcome: ReviewAlreadyReviewed, Reason: reason(err)}
	case errors.As(err, &app) && (app.Type() == workflows.ErrInvalidReview || app.Type() == workflows.ErrWrongDecision):
		return ReviewResult{Outcome: ReviewInvalid, Reason: reason(err)}
	case errors.As(err, &app) && app.Type() == workflows.ErrNotAwaitingReview:
		return ReviewResult{Outcome: ReviewNothingToReview, Reason: reason(err)}
	case errors.As(err, &notFound):
		return ReviewResult{Outcome: ReviewNothingToReview, Reason: "the lifecycle is not running, nothing to review"}
	case uctx.Err() != nil && ctx.Err() == nil:
		// Nobody took the review in time: most likely no worker runs.
		cs.log().Warn("compliance review timed out", "workflow_id", workflowID, "after", cs.reviewTimeout())
		return ReviewResult{Outcome: ReviewTimedOut, Reason: fmt.Sprintf("the lifecycle did not take the review within %s (is a worker running?); "+
			"it was not recorded, unless a worker picks it up later: check the verification before sending it again", cs.reviewTimeout())}
	}
	return ReviewResult{Outcome: ReviewUnavailable, Err: fmt.Errorf("review %s: %w", workflowID, err)}
}

// reason is an application error's own message, without SDK wrapping.
func reason(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Message()
	}
	return "invalid review"
}

// stateView shows a lifecycle's state in the API's shape.
func stateView(s workflows.State) Verification {
	return Verification{ScanRef: s.ScanRef, ClientID: s.ClientID, ExternalRef: s.ExternalRef, WorkflowID: workflows.ID(s.ScanRef),
		Stage: string(s.Stage), Status: s.Status, Final: s.Final, Decision: string(s.Decision), UpdatedAt: s.UpdatedAt.UTC()}
}
