package operator_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"kycflow/internal/fakes"
	"kycflow/operator"
	"kycflow/workflows"
)

// slowTemporal takes no Update: it waits until the caller gives up.
type slowTemporal struct{}

func (slowTemporal) UpdateWorkflow(ctx context.Context, _ client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// Cases.Review is the one classification of a review's outcome that the
// API and the console both answer with.
func TestCasesReviewClassifiesTheOutcome(t *testing.T) {
	decided := workflows.State{ScanRef: "s1", Stage: workflows.StageDecided, Decision: workflows.DecisionApproved}
	waiting := workflows.State{ScanRef: "s1", Stage: workflows.StageAwaitingCompliance, PendingApproval: &workflows.Approval{Reviewer: "alice"}}
	ok := workflows.Review{Reviewer: "alice", Decision: workflows.ReviewApprove, Reason: "checked"}
	for _, c := range []struct {
		name     string
		temporal operator.Temporal
		rv       workflows.Review
		want     operator.ReviewOutcome
		status   int
		reason   string
	}{
		{"decided", &fakes.Temporal{State: decided}, ok, operator.ReviewDecided, http.StatusOK, ""},
		{"first of two", &fakes.Temporal{State: waiting}, ok, operator.ReviewAwaitingSecond, http.StatusAccepted, ""},
		{"invalid before Temporal", &fakes.Temporal{}, workflows.Review{Reviewer: "alice", Decision: "approve"}, operator.ReviewInvalid,
			http.StatusBadRequest, "reason is required"},
		{"wrong decision", &fakes.Temporal{Err: temporal.NewApplicationError("aml_alert accepts clear or confirm", workflows.ErrWrongDecision)}, ok,
			operator.ReviewInvalid, http.StatusBadRequest, "aml_alert accepts"},
		{"nothing to review", &fakes.Temporal{Err: temporal.NewApplicationError("kyc-s1 is decided: nothing to review", workflows.ErrNotAwaitingReview)},
			ok, operator.ReviewNothingToReview, http.StatusConflict, "nothing to review"},
		{"not running", &fakes.Temporal{Err: serviceerror.NewNotFound("workflow not found")}, ok, operator.ReviewNothingToReview,
			http.StatusConflict, "not running"},
		{"already reviewed", &fakes.Temporal{Err: temporal.NewApplicationError("alice already approved", workflows.ErrAlreadyReviewed)}, ok,
			operator.ReviewAlreadyReviewed, http.StatusConflict, "already approved"},
		{"no worker", slowTemporal{}, ok, operator.ReviewTimedOut, http.StatusGatewayTimeout, "is a worker running?"},
		{"Temporal down", &fakes.Temporal{Err: errors.New("connection refused")}, ok, operator.ReviewUnavailable, http.StatusServiceUnavailable, ""},
	} {
		cs := &operator.Cases{Temporal: c.temporal, ReviewTimeout: 20 * time.Millisecond}
		got := cs.Review(context.Background(), "kyc-s1", c.rv)
		if got.Outcome != c.want || got.Status() != c.status || !strings.Contains(got.Reason, c.reason) {
			t.Errorf("%s: Review = %s %d %q, want %s %d with %q", c.name, got.Outcome, got.Status(), got.Reason, c.want, c.status, c.reason)
		}
		if f, ok := c.temporal.(*fakes.Temporal); ok && c.rv.Reason == "" && len(f.Sent()) != 0 {
			t.Errorf("%s: Temporal was sent %+v", c.name, f.Sent())
		}
		if (got.Outcome == operator.ReviewUnavailable) != (got.Err != nil) {
			t.Errorf("%s: Err = %v", c.name, got.Err)
		}
	}
}
