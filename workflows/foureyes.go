package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Approval is a first approval waiting for a second, different reviewer
// (four-eyes): the case stays in awaiting_compliance, undecided.
type Approval struct {
	Reviewer string    `json:"reviewer"`
	Reason   string    `json:"reason"`
	At       time.Time `json:"at"`
}

// EntryApprovalLapsed records a first approval dropped because a new
// result arrived before the second reviewer confirmed it.
const EntryApprovalLapsed = "approval_lapsed"

// ErrAlreadyReviewed is the error type of a confirmation by the reviewer
// who gave the first approval: a second, different person must confirm.
const ErrAlreadyReviewed = "AlreadyReviewed"

// versionFourEyes: with four-eyes on, an approval waits for a second
// reviewer (before it, one approval decided). Asked only when such an
// approval arrives, so other histories carry no marker for it.
const versionFourEyes = "four-eyes-approval"

// needsSecondReviewer reports whether an approval of the case waits for a
// second reviewer: four-eyes is on, the case waits in compliance review
// with no first approval yet, and the run records the change.
func (r *run) needsSecondReviewer(ctx workflow.Context, rv Review) bool {
	s := r.m.s
	return r.m.p.FourEyes && rv.Decision == ReviewApprove && s.Stage == StageAwaitingCompliance && s.PendingApproval == nil &&
		(r.baseline || workflow.GetVersion(ctx, versionFourEyes, workflow.DefaultVersion, 1) >= 1)
}

// checkSecondReviewer refuses a confirmation by the first approver.
func (s *State) checkSecondReviewer(r Review) error {
	p := s.PendingApproval
	if p == nil || r.Decision != ReviewApprove || !strings.EqualFold(strings.TrimSpace(r.Reviewer), p.Reviewer) {
		return nil
	}
	return temporal.NewApplicationError(fmt.Sprintf("%s already approved %s; a second, different reviewer must confirm (four-eyes)",
		p.Reviewer, s.WorkflowID()), ErrAlreadyReviewed)
}

// firstApproval records an approval that waits for a second reviewer.
func (m *machine) firstApproval(now time.Time, r Review, reviewer string) {
	s := m.s
	s.UpdatedAt = now
	s.PendingApproval = &Approval{Reviewer: reviewer, Reason: r.Reason, At: now}
	m.add(now, EntryReviewed, 0, fmt.Sprintf("%s approved (first of two, four-eyes): %s; waiting for a second reviewer", reviewer, r.Reason))
}

// confirmation describes the decision a second reviewer completes.
func (p *Approval) confirmation(reviewer, reason string) string {
	return fmt.Sprintf("compliance review by %s, confirmed by %s: %s; %s", p.Reviewer, reviewer, p.Reason, reason)
}
