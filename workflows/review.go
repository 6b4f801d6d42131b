package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
)

// Review is a compliance officer's decision on a verification waiting in
// awaiting_compliance.
type Review struct {
	Reviewer string `json:"reviewer"`
	Decision string `json:"decision"` // "approve" or "reject"
	Reason   string `json:"reason"`
}

// Review decisions.
const (
	ReviewApprove = "approve"
	ReviewReject  = "reject"
)

// maxReviewText bounds reviewer and reason: they land in history and on the
// timeline.
const maxReviewText = 500

// validateReview accepts or refuses a review without changing anything; a
// refused review leaves no trace in history.
func (m *machine) validateReview(r Review) error {
	s := m.s
	want := StageAwaitingCompliance
	if r.Decision == ReviewClear || r.Decision == ReviewConfirm {
		want = StageAMLAlert
	}
	if s.Stage != want {
		return temporal.NewApplicationError(fmt.Sprintf("%s is %s, not %s", s.WorkflowID(), s.Stage, want), ErrNotAwaitingReview)
	}
	return CheckReview(r, s.LastReviewer, m.p.FourEyes)
}

// CheckReview validates a review's fields; lastReviewer and fourEyes apply
// the four-eyes rule. The API calls it too, to answer 400 before touching
// Temporal.
func CheckReview(r Review, lastReviewer string, fourEyes bool) error {
	var problems []string
	if strings.TrimSpace(r.Reviewer) == "" {
		problems = append(problems, "reviewer is required")
	}
	if strings.TrimSpace(r.Reason) == "" {
		problems = append(problems, "reason is required")
	}
	switch r.Decision {
	case ReviewApprove, ReviewReject, ReviewClear, ReviewConfirm:
	default:
		problems = append(problems, `decision must be "approve" or "reject" (compliance review), or "clear" or "confirm" (AML alert)`)
	}
	if len(r.Reviewer) > maxReviewText || len(r.Reason) > maxReviewText {
		problems = append(problems, fmt.Sprintf("reviewer and reason must be at most %d bytes", maxReviewText))
	}
	if fourEyes && lastReviewer != "" && strings.EqualFold(strings.TrimSpace(r.Reviewer), lastReviewer) {
		problems = append(problems, "four-eyes rule: this revision must be reviewed by someone other than "+lastReviewer)
	}
	if len(problems) > 0 {
		return temporal.NewApplicationError(strings.Join(problems, "; "), ErrInvalidReview)
	}
	return nil
}

// review applies a validated review: who decided what, when and why.
func (m *machine) review(now time.Time, r Review) {
	s := m.s
	reviewer := strings.TrimSpace(r.Reviewer)
	s.UpdatedAt, s.LastReviewer = now, reviewer
	m.add(now, EntryReviewed, 0, fmt.Sprintf("%s decided %s: %s", reviewer, r.Decision, r.Reason))
	if s.Stage == StageAMLAlert {
		m.reviewAlert(now, r, reviewer)
		return
	}
	decision := DecisionApproved
	if r.Decision == ReviewReject {
		decision = DecisionRejected
	}
	m.decide(now, 0, decision, fmt.Sprintf("compliance review by %s: %s", reviewer, r.Reason), reviewer)
	if s.Stage == StageDecided {
		s.CloseAt = now.Add(m.p.LateEventWindow)
	}
}
