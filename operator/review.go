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
	ctx, cancel := context.WithTimeout(ctx, a.reviewFor)
	defer cancel()
	h, err := a.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: workflows.UpdateReview, Args: []any{rv},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var state workflows.State
	if err == nil {
		err = h.Get(ctx, &state)
	}
	var app *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case err == nil && state.PendingApproval != nil && rv.Decision == workflows.ReviewApprove:
		// Four-eyes: the approval waits for a second, different reviewer.
		a.log.Info("first approval recorded; awaiting a second reviewer", "workflow_id", workflowID, "reviewer", rv.Reviewer)
		c.JSON(http.StatusAccepted, gin.H{"status": "awaiting_second_review", "approvedBy": state.PendingApproval.Reviewer,
			"approvedAt": state.PendingApproval.At.UTC(), "case": view(state)})
	case err == nil:
		a.log.Info("compliance review recorded", "workflow_id", workflowID, "decision", state.Decision, "reviewer", rv.Reviewer)
		c.JSON(http.StatusOK, view(state))
	case errors.As(err, &app) && app.Type() == workflows.ErrAlreadyReviewed:
		c.JSON(http.StatusConflict, gin.H{"error": "already approved by you: " + reason(err)})
	case errors.As(err, &app) && (app.Type() == workflows.ErrInvalidReview || app.Type() == workflows.ErrWrongDecision):
		c.JSON(http.StatusBadRequest, gin.H{"error": reason(err)})
	case errors.As(err, &app) && app.Type() == workflows.ErrNotAwaitingReview:
		c.JSON(http.StatusConflict, gin.H{"error": "not awaiting review: " + reason(err)})
	case errors.As(err, &notFound):
		c.JSON(http.StatusConflict, gin.H{"error": "not awaiting review: the lifecycle is not running, nothing to review"})
	case ctx.Err() != nil && c.Request.Context().Err() == nil:
		// Nobody took the review in time: most likely no worker runs.
		a.log.Warn("compliance review timed out", "workflow_id", workflowID, "after", a.reviewFor)
		c.Header("Retry-After", "30")
		c.JSON(http.StatusGatewayTimeout, gin.H{"error": fmt.Sprintf("the lifecycle did not take the review within %s (is a worker running?); "+
			"it was not recorded, unless a worker picks it up later: check the verification before sending it again", a.reviewFor)})
	default:
		a.unavailable(c, err)
	}
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
