package workflows

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
)

// Review is a compliance officer's decision on a lifecycle waiting in
// awaiting_compliance (approve or reject) or aml_alert (clear or confirm).
type Review struct {
	Reviewer string `json:"reviewer"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// Review decisions.
const (
	ReviewApprove = "approve"
	ReviewReject  = "reject"
)

// ErrWrongDecision is the error type of a review whose decision the
// lifecycle's stage does not take (approve on an AML alert, clear on a
// compliance review), while the stage does take reviews.
const ErrWrongDecision = "WrongReviewDecision"

// Bounds of the reviewer and the reason: they land in history, on the
// timeline and in notifications.
const (
	maxReviewer = 100
	maxReason   = 500
)

// reviewDecisions are the decisions each stage that waits for a person
// takes; a stage not listed takes no review.
var reviewDecisions = map[Stage][2]string{
	StageAwaitingCompliance: {ReviewApprove, ReviewReject},
	StageAMLAlert:           {ReviewClear, ReviewConfirm},
}

// validateReview accepts or refuses a review without changing anything; a
// refused review leaves no trace in history. A stage that takes no review
// (or a case already decided) is ErrNotAwaitingReview; a well-formed review
// whose decision the stage does not take is ErrWrongDecision.
func (m *machine) validateReview(r Review) error {
	s := m.s
	accepts, ok := reviewDecisions[s.Stage]
	if !ok {
		return temporal.NewApplicationError(fmt.Sprintf("%s is %s: nothing to review", s.WorkflowID(), s.Stage), ErrNotAwaitingReview)
	}
	if err := CheckReview(r, s.LastReviewer, m.p.FourEyes); err != nil {
		return err
	}
	if err := s.checkSecondReviewer(r); err != nil {
		return err
	}
	if r.Decision != accepts[0] && r.Decision != accepts[1] {
		return temporal.NewApplicationError(fmt.Sprintf("%s is %s: %s accepts %q or %q, not %q",
			s.WorkflowID(), s.Stage, s.Stage, accepts[0], accepts[1], r.Decision), ErrWrongDecision)
	}
	return nil
}

// CheckReview validates a review's fields; lastReviewer and fourEyes apply
// the four-eyes rule. The API calls it too, to answer 400 before touching
// Temporal. Each problem names its field first.
func CheckReview(r Review, lastReviewer string, fourEyes bool) error {
	var problems []string
	problems = append(problems, checkText("reviewer", r.Reviewer, maxReviewer)...)
	problems = append(problems, checkText("reason", r.Reason, maxReason)...)
	switch r.Decision {
	case ReviewApprove, ReviewReject, ReviewClear, ReviewConfirm:
	default:
		problems = append(problems, `decision must be "approve" or "reject" (compliance review), or "clear" or "confirm" (AML alert)`)
	}
	if fourEyes && lastReviewer != "" && strings.EqualFold(strings.TrimSpace(r.Reviewer), lastReviewer) {
		problems = append(problems, "reviewer: four-eyes rule: this revision must be reviewed by someone other than "+lastReviewer)
	}
	if len(problems) > 0 {
		return temporal.NewApplicationError(strings.Join(problems, "; "), ErrInvalidReview)
	}
	return nil
}

// checkText refuses a missing or over-long field, and any character that
// can hide, reorder or forge text where the field is shown: control
// characters (C0 with tab, CR and LF, DEL, C1), invisible format
// characters (bidi overrides and isolates, zero-width characters), line
// and paragraph separators, and invalid UTF-8 or U+FFFD.
func checkText(field, v string, limit int) []string {
	var problems []string
	if strings.TrimSpace(v) == "" {
		problems = append(problems, field+" is required")
	}
	if len(v) > limit {
		problems = append(problems, fmt.Sprintf("%s must be at most %d bytes", field, limit))
	}
	if !utf8.ValidString(v) {
		return append(problems, field+" must be valid UTF-8")
	}
	for i, c := range v {
		if hiddenRune(c) {
			return append(problems, fmt.Sprintf("%s must not contain %U (byte %d): control, invisible and bidi characters are refused", field, c, i))
		}
	}
	return problems
}

func hiddenRune(c rune) bool {
	return c == utf8.RuneError || unicode.IsControl(c) || unicode.In(c, unicode.Cf, unicode.Zl, unicode.Zp)
}

// review applies a validated review: who decided what, when and why. With
// secondNeeded, an approval only waits for a second reviewer.
func (m *machine) review(now time.Time, r Review, secondNeeded bool) {
	s := m.s
	reviewer := strings.TrimSpace(r.Reviewer)
	if secondNeeded {
		m.firstApproval(now, r, reviewer)
		return
	}
	s.UpdatedAt, s.LastReviewer = now, reviewer
	m.add(now, EntryReviewed, 0, fmt.Sprintf("%s decided %s: %s", reviewer, r.Decision, r.Reason))
	if s.Stage == StageAMLAlert {
		m.reviewAlert(now, r, reviewer)
		return
	}
	decision, why := DecisionApproved, fmt.Sprintf("compliance review by %s: %s", reviewer, r.Reason)
	if r.Decision == ReviewReject {
		decision = DecisionRejected
	} else if s.PendingApproval != nil {
		why = s.PendingApproval.confirmation(reviewer, r.Reason)
	}
	s.PendingApproval = nil
	m.decide(now, 0, decision, why, reviewer)
	if s.Stage == StageDecided {
		s.CloseAt = now.Add(m.p.LateEventWindow)
	}
}

// Waiting says whether the lifecycle waits for a compliance officer and,
// if so, when the review is due (zero for an AML alert, which has no due
// time) and why, in one line: the compliance queue's view of it.
func (s *State) Waiting() (due time.Time, reason string, ok bool) {
	switch s.Stage {
	case StageAwaitingCompliance:
		return s.ComplianceDue, strings.Join(strings.Fields(s.ReviewReason), " "), true
	case StageAMLAlert:
		return time.Time{}, strings.Join(strings.Fields(s.Details()), " "), true
	}
	return time.Time{}, "", false
}
