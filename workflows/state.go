package workflows

import (
	"fmt"
	"slices"
	"time"
)

// Stage is where a lifecycle stands (README: "The lifecycle").
type Stage string

// Stages.
const (
	StageAwaitingResult     Stage = "awaiting_result"
	StageAutoChecked        Stage = "auto_checked"
	StageInReview           Stage = "in_review"
	StageDeciding           Stage = "deciding"
	StageAwaitingCompliance Stage = "awaiting_compliance"
	StageDecided            Stage = "decided"
	StageMonitoring         Stage = "monitoring" // arrives with AML monitoring
	StageClosed             Stage = "closed"
)

// Timeline entry types.
const (
	EntryReceived       = "received"
	EntryApplied        = "applied"
	EntryDuplicate      = "duplicate"
	EntryStale          = "stale"
	EntryReviewRequired = "review_required"
	EntryDecided        = "decided"
	EntryRevised        = "revised"
	EntryStuck          = "stuck"
	EntryClosed         = "closed"
	EntryReopened       = "reopened"
	EntryReviewed       = "reviewed"
	EntryEscalated      = "escalated"
	EntryReconciled     = "reconciled"
	EntryOnboarded      = "onboarding_called"
	EntryOnboardFailed  = "onboarding_failed"
	EntrySuperseded     = "onboarding_superseded"
	// EntryDeliveryRetried fills a Deliver call's outcome entry when the
	// call did not finish; separate calls send the decision again.
	EntryDeliveryRetried = "delivery_retried"
	EntryNotified        = "notified"
	EntryNotifyFailed    = "notify_failed"
)

// maxSeen bounds the dedup keys a lifecycle remembers (and carries across
// continue-as-new). Older keys fall out; the semantic rules (stale,
// never-downgrade) still protect the result against very old replays.
const maxSeen = 256

// Entry is one line of the evidence trail.
type Entry struct {
	Seq     int64     `json:"seq"`
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	InboxID int64     `json:"inboxId,omitempty"`
	Detail  string    `json:"detail,omitempty"`
}

// State is a lifecycle's state: the `state` query answer, the stored
// projection, and what continue-as-new carries. No personal data.
type State struct {
	Kind        string `json:"kind,omitempty"` // KindCompany for KYB; empty for KYC
	ScanRef     string `json:"scanRef"`
	ClientID    string `json:"clientId,omitempty"`
	ExternalRef string `json:"externalRef,omitempty"`
	CompanyID   string `json:"companyId,omitempty"`

	Stage  Stage  `json:"stage"`
	Status string `json:"status,omitempty"` // iDenfy's overall status of the result in force
	Final  bool   `json:"final"`

	Decision       Decision `json:"decision,omitempty"`
	DecisionSeq    int      `json:"decisionSeq,omitempty"` // 1 for the first decision, +1 per revision
	DecisionReason string   `json:"decisionReason,omitempty"`
	ReviewReason   string   `json:"reviewReason,omitempty"` // why a person must decide

	// Verdict is the final result in force (nil until one arrives).
	Verdict *Event `json:"verdict,omitempty"`
	// Lapsed is set when the session expired or was cancelled.
	Lapsed bool `json:"lapsed,omitempty"`

	Stuck          bool      `json:"stuck,omitempty"`
	ReviewDeadline time.Time `json:"reviewDeadline,omitzero"`
	// ComplianceDue is when a waiting compliance review escalates.
	ComplianceDue time.Time `json:"complianceDue,omitzero"`
	Escalated     bool      `json:"escalated,omitempty"`
	// LastReviewer is who decided the last compliance review (four-eyes).
	LastReviewer string `json:"lastReviewer,omitempty"`
	// PendingApproval is a first approval waiting for a second reviewer
	// (four-eyes); nil otherwise.
	PendingApproval *Approval `json:"pendingApproval,omitempty"`
	// Monitoring is the ongoing AML monitoring (nil until there is any).
	Monitoring *Monitoring `json:"monitoring,omitempty"`
	// Company is the KYB part of a company lifecycle.
	Company   *Company  `json:"company,omitempty"`
	CloseAt   time.Time `json:"closeAt,omitzero"`
	UpdatedAt time.Time `json:"updatedAt,omitzero"`

	// Current is the semantic key of the result in force.
	Current string `json:"current,omitempty"`

	Seq    int64    `json:"seq"`    // last timeline sequence number
	Events int      `json:"events"` // events received over the whole lifecycle
	Seen   []string `json:"seen,omitempty"`

	// Carried across continue-as-new: timeline entries and side effects of
	// the last events, applied but not yet recorded (the run continued as
	// new without yielding, so no signal was lost).
	Carried        []Entry  `json:"carried,omitempty"`
	CarriedEffects []effect `json:"carriedEffects,omitempty"`
}

// NewState returns the state of a lifecycle that has seen nothing yet.
func NewState(scanRef string) *State {
	return &State{ScanRef: scanRef, Stage: StageAwaitingResult}
}

// WorkflowID is the ID of the lifecycle's workflow.
func (s *State) WorkflowID() string {
	if s.Kind == KindCompany {
		return CompanyID(s.CompanyID)
	}
	return ID(s.ScanRef)
}

// Subject is the scanRef, or the company ID of a KYB lifecycle.
func (s *State) Subject() string {
	if s.Kind == KindCompany {
		return s.CompanyID
	}
	return s.ScanRef
}

// companyOnly is the company ID for a KYB lifecycle's messages; a
// beneficiary's KYC messages do not name the company.
func (s *State) companyOnly() string {
	if s.Kind == KindCompany {
		return s.CompanyID
	}
	return ""
}

func (s *State) learnIDs(e Event) {
	if e.ClientID != "" {
		s.ClientID = e.ClientID
	}
	if e.ExternalRef != "" {
		s.ExternalRef = e.ExternalRef
	}
	if e.CompanyID != "" {
		s.CompanyID = e.CompanyID
	}
}

func (s *State) seen(key string) bool { return key != "" && slices.Contains(s.Seen, key) }

func (s *State) remember(keys ...string) {
	for _, k := range keys {
		if k != "" && !s.seen(k) {
			s.Seen = append(s.Seen, k)
		}
	}
	if over := len(s.Seen) - maxSeen; over > 0 {
		s.Seen = slices.Delete(s.Seen, 0, over)
	}
}

// monitored reports whether AML monitoring is running.
func (s *State) monitored() bool { return s.Monitoring != nil && s.Monitoring.Active }

func (s *State) monitoringIDs() []string {
	if s.Monitoring == nil {
		return nil
	}
	return s.Monitoring.IDs
}

// deadline is the next moment the lifecycle acts by itself, if any.
func (s *State) deadline() (time.Time, bool) {
	switch {
	case (s.Stage == StageAutoChecked || s.Stage == StageInReview) && !s.Stuck && !s.ReviewDeadline.IsZero():
		return s.ReviewDeadline, true
	case s.Stage == StageDecided && !s.CloseAt.IsZero():
		return s.CloseAt, true
	case s.Stage == StageAwaitingCompliance && !s.Escalated && !s.ComplianceDue.IsZero():
		return s.ComplianceDue, true
	case s.Stage == StageMonitoring && s.monitored() && !s.Monitoring.Until.IsZero():
		return s.Monitoring.Until, true
	}
	return time.Time{}, false
}

// Details is the one-line "where it stands and why" shown in the Web UI.
func (s *State) Details() string {
	switch s.Stage {
	case StageAwaitingResult:
		return "Waiting for iDenfy's first result."
	case StageAutoChecked, StageInReview:
		if s.Stuck {
			return fmt.Sprintf("STUCK: preliminary %s, iDenfy's manual review is overdue.", s.Status)
		}
		return fmt.Sprintf("Preliminary %s; waiting for iDenfy's manual review (due %s).", s.Status, s.ReviewDeadline.UTC().Format(time.RFC3339))
	case StageAwaitingCompliance:
		if p := s.PendingApproval; p != nil {
			return fmt.Sprintf("Approved by %s; waiting for a second reviewer to confirm (four-eyes): %s", p.Reviewer, s.ReviewReason)
		}
		if s.Escalated {
			return "ESCALATED: compliance review overdue: " + s.ReviewReason
		}
		return "Waiting for compliance review: " + s.ReviewReason
	case StageDecided:
		return fmt.Sprintf("Decided %s: %s. Open for late events until %s.", s.Decision, s.DecisionReason, s.CloseAt.UTC().Format(time.RFC3339))
	case StageMonitoring:
		if s.Monitoring != nil && s.Monitoring.Orphan {
			return fmt.Sprintf("ORPHAN: AML monitoring %v for a scanRef without a stored verification.", s.Monitoring.IDs)
		}
		return fmt.Sprintf("Approved; ongoing AML monitoring %v.", s.monitoringIDs())
	case StageAMLAlert:
		return fmt.Sprintf("AML ALERT on %v: waiting for a compliance officer to clear or confirm.", s.monitoringIDs())
	case StageClosed:
		return fmt.Sprintf("Closed with decision %s (%s).", s.Decision, s.Status)
	}
	return string(s.Stage)
}
