package workflows

import (
	"fmt"
	"slices"
	"time"

	"kycflow/idenfy"
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
	EntryNotified       = "notified"
	EntryNotifyFailed   = "notify_failed"
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

// machine applies events to a State under a Policy and collects the
// timeline entries they produce. It is pure: time comes in as an argument.
type machine struct {
	s       *State
	p       Policy
	pending []Entry
	// effects enables the side effects that came with the decisions issue
	// (onboarding, notifications, reconciliation, compliance SLA); off when
	// replaying histories recorded before them.
	effects bool
	// monitoring enables AML monitoring after approval (a later versioned
	// change, and the policy's choice).
	monitoring bool
	// cautious (one later versioned change) sends approvals from the
	// status API (no screening results) to review, holds an approved
	// account that needs review again, and lets a newer onboarding call
	// supersede one still retrying.
	cautious bool
	// releases (a later versioned change) lifts an AML alert's hold
	// downstream when the alert is cleared.
	releases bool
	out      []effect
}

// effect is a side effect the machine asks for; the run executes it.
// Its fields are exported so that continue-as-new can carry it.
type effect struct {
	Onboard   *OnboardingRequest `json:"onboard,omitempty"`
	Notify    *Notification      `json:"notify,omitempty"`
	Reconcile bool               `json:"reconcile,omitempty"`
}

func (m *machine) notify(now time.Time, event, detail string) {
	if !m.effects {
		return
	}
	s := m.s
	m.out = append(m.out, effect{Notify: &Notification{
		MessageID: fmt.Sprintf("%s-%s-%d", s.WorkflowID(), event, s.Seq), Event: event, ScanRef: s.ScanRef, CompanyID: s.companyOnly(),
		ClientID: s.ClientID, ExternalRef: s.ExternalRef, Stage: s.Stage, Status: s.Status, Decision: s.Decision,
		DecisionSeq: s.DecisionSeq, Detail: detail, At: now,
	}})
}

func (m *machine) onboard(now time.Time, reviewer string) {
	if !m.effects {
		return
	}
	s := m.s
	req := &OnboardingRequest{
		MessageID: fmt.Sprintf("%s-decision-%d", s.WorkflowID(), s.DecisionSeq), ScanRef: s.ScanRef, CompanyID: s.companyOnly(), ClientID: s.ClientID,
		ExternalRef: s.ExternalRef, Decision: s.Decision, DecisionSeq: s.DecisionSeq, Revision: s.DecisionSeq > 1,
		Reason: s.DecisionReason, Reviewer: reviewer, DecidedAt: now,
	}
	if s.Verdict != nil {
		sum := s.Verdict.Summary
		req.Result = &sum
	}
	m.out = append(m.out, effect{Onboard: req})
}

// takeEffects returns and forgets the side effects asked for so far.
func (m *machine) takeEffects() []effect {
	out := m.out
	m.out = nil
	return out
}

func (m *machine) add(now time.Time, typ string, inboxID int64, detail string) {
	m.s.Seq++
	m.pending = append(m.pending, Entry{Seq: m.s.Seq, Type: typ, At: now, InboxID: inboxID, Detail: detail})
}

// flush returns and forgets the entries collected so far.
func (m *machine) flush() []Entry {
	out := m.pending
	m.pending = nil
	return out
}

// apply applies one event.
func (m *machine) apply(now time.Time, e Event) {
	s := m.s
	s.Events++
	s.UpdatedAt = now
	m.add(now, EntryReceived, e.InboxID, e.describe())
	if (e.Company != nil && m.companyDuplicate(e)) || (e.Company == nil && m.duplicate(e)) {
		m.add(now, EntryDuplicate, e.InboxID, "already applied")
		s.remember(e.DedupKey())
		return
	}
	if e.AML != nil || e.Company != nil {
		s.remember(e.DedupKey())
	} else {
		s.remember(e.DedupKey(), e.SemanticKey())
	}
	s.learnIDs(e)
	if s.Stage == StageClosed {
		m.add(now, EntryReopened, e.InboxID, "event after the lifecycle closed")
	}
	switch {
	case e.AML != nil:
		m.applyAML(now, e)
	case e.Company != nil:
		m.applyCompany(now, e)
	case e.verdict():
		m.applyVerdict(now, e)
	case e.lapse():
		m.applyLapse(now, e)
	default:
		m.applyPreliminary(now, e)
	}
	if s.Stage == StageDecided || s.Stage == StageClosed {
		s.Stage = StageDecided
		s.CloseAt = now.Add(m.p.LateEventWindow)
	}
}

// duplicate reports whether e repeats what the lifecycle already knows: the
// same delivery (inbox id), the result in force, or an earlier preliminary
// result or lapse. An earlier final result is not a duplicate: iDenfy
// re-reviewing back to it (A → B → A) is a revision.
func (m *machine) duplicate(e Event) bool {
	s, sem := m.s, e.SemanticKey()
	if e.AML != nil { // an alert after a clear is a new alert: compare with the last one only
		return s.seen(e.DedupKey()) || (s.Monitoring != nil && sem == s.Monitoring.LastKey)
	}
	switch {
	case s.seen(e.DedupKey()), sem == s.Current:
		return true
	case e.verdict():
		return false
	}
	return s.seen(sem)
}

func (m *machine) applyPreliminary(now time.Time, e Event) {
	s := m.s
	if s.Verdict != nil || s.Lapsed {
		m.add(now, EntryStale, e.InboxID, "preliminary result after the final one; ignored")
		return
	}
	stage := StageAutoChecked
	if e.Overall == idenfy.OverallReviewing || e.EventType == idenfy.EventIdentificationResubmitted {
		stage = StageInReview
	}
	s.Current = e.SemanticKey()
	if s.Stage != stage {
		s.ReviewDeadline = now.Add(m.p.ReviewSLA)
		s.Stuck = false
	}
	s.Stage, s.Status = stage, string(e.Overall)
	m.add(now, EntryApplied, e.InboxID, fmt.Sprintf("preliminary %s; waiting for iDenfy's manual review", e.Overall))
}

func (m *machine) applyLapse(now time.Time, e Event) {
	s := m.s
	if s.Verdict != nil {
		m.add(now, EntryStale, e.InboxID, "session lapse after a final result; the result stands")
		return
	}
	s.Lapsed, s.Final, s.Current = true, true, e.SemanticKey()
	if e.Overall != "" {
		s.Status = string(e.Overall)
	} else {
		s.Status = "EXPIRED"
	}
	m.add(now, EntryApplied, e.InboxID, "session ended without a result")
	m.settle(now, e)
}

func (m *machine) applyVerdict(now time.Time, e Event) {
	s := m.s
	prev, lapsed := s.Verdict, s.Lapsed
	verdict := e
	s.Verdict, s.Final, s.Status, s.Lapsed, s.Current = &verdict, true, string(e.Overall), false, e.SemanticKey()
	switch {
	case prev != nil && prev.Overall != e.Overall:
		m.add(now, EntryRevised, e.InboxID, fmt.Sprintf("final result changed from %s to %s", prev.Overall, e.Overall))
	case lapsed:
		m.add(now, EntryRevised, e.InboxID, "final result "+string(e.Overall)+" after the session had lapsed")
	default:
		m.add(now, EntryApplied, e.InboxID, "final result "+string(e.Overall))
	}
	m.settle(now, e)
}

// settle runs the decision policy on a final result or lapse.
func (m *machine) settle(now time.Time, e Event) {
	s := m.s
	// A lifecycle already waiting for a person keeps its compliance
	// deadline and its hold (cautious runs).
	waiting := m.cautious && s.Stage == StageAwaitingCompliance
	s.Stage = StageDeciding
	decision, reason := decide(e, m.p)
	if m.cautious && decision == DecisionApproved && e.Reconciled {
		// The status API reports no AML/PEP/sanctions screening: an
		// approval needs a person, or the missed webhook, to confirm it.
		decision, reason = DecisionNone, "APPROVED by iDenfy's status API, which reports no screening results; confirm it, or wait for the webhook"
	}
	if decision == DecisionNone {
		s.Stage, s.ReviewReason = StageAwaitingCompliance, reason
		if m.effects && !waiting {
			s.ComplianceDue, s.Escalated = now.Add(m.p.ComplianceSLA), false
		}
		m.add(now, EntryReviewRequired, e.InboxID, reason)
		m.notify(now, NotifyReviewRequired, reason)
		if m.cautious && !waiting && s.Decision == DecisionApproved && m.p.AlertAction == AlertActionHold {
			// The downstream system onboarded this customer: hold the
			// account until a person decides again.
			m.hold(now, "approved earlier; a new result needs compliance review: "+reason)
		}
		return
	}
	s.ReviewReason = ""
	if decision == s.Decision {
		if !s.monitored() {
			s.Stage = StageDecided
		}
		return // same outcome: exactly one decision
	}
	m.decide(now, e.InboxID, decision, reason, "")
}

// decide records a new decision and asks for its onboarding call and
// notification.
func (m *machine) decide(now time.Time, inboxID int64, decision Decision, reason, reviewer string) {
	s := m.s
	detail := fmt.Sprintf("%s (decision %d): %s", decision, s.DecisionSeq+1, reason)
	if s.Decision != DecisionNone {
		detail += "; replaces " + string(s.Decision)
	}
	s.Decision, s.DecisionReason, s.Stage, s.ReviewReason = decision, reason, StageDecided, ""
	s.DecisionSeq++
	m.add(now, EntryDecided, inboxID, detail)
	m.onboard(now, reviewer)
	event := NotifyDecided
	if s.DecisionSeq > 1 {
		event = NotifyRevised
	}
	m.notify(now, event, detail)
	switch {
	case decision == DecisionApproved && m.monitoring:
		m.startMonitoring(now, "approved: ongoing AML monitoring")
	case s.monitored():
		s.Monitoring.Active, s.Monitoring.Alert, s.Monitoring.Until = false, false, time.Time{}
	}
}

// monitored reports whether AML monitoring is running.
func (s *State) monitored() bool { return s.Monitoring != nil && s.Monitoring.Active }

// reviewOverdue marks the lifecycle stuck when iDenfy's manual review passes
// its SLA.
func (m *machine) reviewOverdue(now time.Time) {
	s := m.s
	s.Stuck, s.UpdatedAt = true, now
	detail := fmt.Sprintf("no final result %s after the preliminary one", m.p.ReviewSLA)
	m.add(now, EntryStuck, 0, detail)
	m.notify(now, NotifyStuck, detail)
	if m.effects && s.Kind != KindCompany { // iDenfy's status API knows identifications only
		m.out = append(m.out, effect{Reconcile: true})
	}
}

// complianceOverdue escalates a compliance review nobody decided in time.
func (m *machine) complianceOverdue(now time.Time) {
	s := m.s
	s.Escalated, s.UpdatedAt = true, now
	detail := fmt.Sprintf("no compliance decision within %s: %s", m.p.ComplianceSLA, s.ReviewReason)
	m.add(now, EntryEscalated, 0, detail)
	m.notify(now, NotifyReviewOverdue, detail)
}

// close ends the late-event window.
func (m *machine) close(now time.Time) {
	s := m.s
	s.Stage, s.UpdatedAt, s.CloseAt = StageClosed, now, time.Time{}
	m.add(now, EntryClosed, 0, fmt.Sprintf("no further events within %s of the last one", m.p.LateEventWindow))
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

func (s *State) monitoringIDs() []string {
	if s.Monitoring == nil {
		return nil
	}
	return s.Monitoring.IDs
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
