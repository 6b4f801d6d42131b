package workflows

import (
	"fmt"
	"time"

	"kycflow/idenfy"
)

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
	if p := s.PendingApproval; p != nil {
		// The first approval was of the result this one replaces.
		s.PendingApproval = nil
		m.add(now, EntryApprovalLapsed, e.InboxID, fmt.Sprintf("%s's first approval no longer stands: a new result arrived", p.Reviewer))
	}
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
		switch {
		case !s.monitored():
			s.Stage = StageDecided
		case m.baseline && s.Monitoring.Alert:
			s.Stage = StageAMLAlert
		case m.baseline:
			s.Stage = StageMonitoring // before the baseline it stayed "deciding", losing its monitoring deadline
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
