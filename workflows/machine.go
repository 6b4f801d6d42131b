package workflows

import (
	"fmt"
	"time"
)

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
	// baseline runs (versionBaseline) keep a monitored lifecycle's stage
	// when a new result repeats its decision, and an open AML alert (and
	// its hold) for a person when iDenfy stops monitoring.
	baseline bool
	out      []effect
}

// effect is a side effect the machine asks for; the run executes it.
// Its fields are exported so that continue-as-new can carry it.
type effect struct {
	Onboard   *OnboardingRequest `json:"onboard,omitempty"`
	Notify    *Notification      `json:"notify,omitempty"`
	Reconcile bool               `json:"reconcile,omitempty"`
	// Order is an onboarding call's place among the lifecycle's calls
	// (the timeline position that asked for it): in a lean run, a call
	// never goes out after a newer one has.
	Order int64 `json:"order,omitempty"`
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

// takeEffects returns and forgets the side effects asked for so far.
func (m *machine) takeEffects() []effect {
	out := m.out
	m.out = nil
	return out
}

func (m *machine) notify(now time.Time, event, detail string) {
	if !m.effects {
		return
	}
	m.out = append(m.out, effect{Notify: m.notification(now, event, detail)})
}

// notification is a notification of the lifecycle as it stands.
func (m *machine) notification(now time.Time, event, detail string) *Notification {
	s := m.s
	return &Notification{
		MessageID: fmt.Sprintf("%s-%s-%d", s.WorkflowID(), event, s.Seq), Event: event, ScanRef: s.ScanRef, CompanyID: s.companyOnly(),
		ClientID: s.ClientID, ExternalRef: s.ExternalRef, Stage: s.Stage, Status: s.Status, Decision: s.Decision,
		DecisionSeq: s.DecisionSeq, Detail: detail, At: now,
	}
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
	m.out = append(m.out, effect{Onboard: req, Order: s.Seq})
}
