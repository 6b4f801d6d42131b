package workflows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"kycflow/idenfy"
)

// Stages of ongoing AML monitoring.
const (
	StageAMLAlert Stage = "aml_alert"
)

// Timeline entry types of AML monitoring.
const (
	EntryMonitoring        = "monitoring_started"
	EntryAMLAlert          = "aml_alert"
	EntryAMLCleared        = "aml_cleared"
	EntryAMLConfirmed      = "aml_confirmed"
	EntryMonitoringStopped = "monitoring_stopped"
	EntryOrphan            = "orphan"
)

// Review decisions on an AML alert.
const (
	ReviewClear   = "clear"   // false positive: back to monitoring
	ReviewConfirm = "confirm" // true match: offboard (decision rejected)
)

// DecisionHold and DecisionRelease are not lifecycle decisions but
// downstream actions on the decision in force: hold the account while an
// AML alert is open, release it when the alert is cleared.
const (
	DecisionHold    Decision = "hold"
	DecisionRelease Decision = "release"
)

// AML alert actions.
const (
	AlertActionHold = "hold"
	AlertActionNone = "none"
)

// AMLStatus is what an AML monitoring webhook says about one monitored
// subject: statuses only, never the screened person's data.
type AMLStatus struct {
	MonitoringID       string `json:"monitoringId"`
	AlertStatus        string `json:"alertStatus,omitempty"` // v2: ALERT, DECLINED, ACCEPTED, PENDING, STATUS
	Status             string `json:"status,omitempty"`      // v3: ACTIVE, STOPPED, PENDING, ALERT
	PEPsStatus         string `json:"pepsStatus,omitempty"`
	SanctionsStatus    string `json:"sanctionsStatus,omitempty"`
	AdverseMediaStatus string `json:"adverseMediaStatus,omitempty"`
	IsActive           *bool  `json:"isActive,omitempty"`
}

func (a AMLStatus) key() string {
	active := ""
	if a.IsActive != nil {
		active = strconv.FormatBool(*a.IsActive)
	}
	return strings.Join([]string{"aml", a.MonitoringID, a.AlertStatus, a.Status, a.PEPsStatus, a.SanctionsStatus, a.AdverseMediaStatus, active}, "|")
}

func (a AMLStatus) stopped() bool {
	return a.Status == idenfy.MonitoringStopped || a.AlertStatus == idenfy.AlertStatusDeclined || (a.IsActive != nil && !*a.IsActive)
}

func (a AMLStatus) alert() bool {
	return a.AlertStatus == idenfy.AlertStatusAlert || a.Status == idenfy.MonitoringAlert ||
		screeningHit[a.PEPsStatus] || screeningHit[a.SanctionsStatus] || screeningHit[a.AdverseMediaStatus]
}

// Monitoring is the AML monitoring part of a lifecycle's state.
type Monitoring struct {
	Active bool     `json:"active"`
	Alert  bool     `json:"alert"`
	IDs    []string `json:"monitoringIds"`
	// Orphan marks monitoring for a scanRef kycflow has no verification of.
	Orphan  bool      `json:"orphan,omitempty"`
	LastKey string    `json:"lastKey,omitempty"`
	Until   time.Time `json:"until,omitzero"`
}

// startMonitoring moves an approved verification into monitoring.
func (m *machine) startMonitoring(now time.Time, why string) {
	s := m.s
	if s.Monitoring == nil {
		s.Monitoring = &Monitoring{}
	}
	s.Stage, s.Monitoring.Active, s.Monitoring.Alert = StageMonitoring, true, false
	s.Monitoring.Until, s.CloseAt = now.Add(m.p.MonitoringExpiry), time.Time{}
	m.add(now, EntryMonitoring, 0, why)
}

// stopMonitoring ends monitoring; the lifecycle closes after the late-event
// window.
func (m *machine) stopMonitoring(now time.Time, inboxID int64, why string) {
	s := m.s
	s.Monitoring.Active, s.Monitoring.Alert, s.Monitoring.Until = false, false, time.Time{}
	s.Stage, s.CloseAt = StageDecided, now.Add(m.p.LateEventWindow)
	m.add(now, EntryMonitoringStopped, inboxID, why)
}

// applyAML applies an AML monitoring event (dedup already done).
func (m *machine) applyAML(now time.Time, e Event) {
	s, a := m.s, *e.AML
	if s.Monitoring == nil {
		s.Monitoring = &Monitoring{}
	}
	mon := s.Monitoring
	mon.LastKey = a.key()
	if a.MonitoringID != "" && !slices.Contains(mon.IDs, a.MonitoringID) {
		mon.IDs = append(mon.IDs, a.MonitoringID)
	}
	if !m.monitoring {
		m.add(now, EntryApplied, e.InboxID, "AML monitoring event recorded (monitoring is off)")
		return
	}
	if s.Stage == StageAwaitingResult && s.Verdict == nil && !s.Lapsed {
		mon.Orphan = true
		m.startMonitoring(now, "AML monitoring for a scanRef without a stored verification")
		m.add(now, EntryOrphan, e.InboxID, "no verification is known for this scanRef; an operator should look")
	}
	switch {
	case a.stopped():
		if mon.Active && mon.Alert && m.baseline {
			// The open alert was never decided and the account is held:
			// it stays for a person to clear (release) or confirm.
			mon.Active, mon.Until = false, time.Time{}
			m.add(now, EntryMonitoringStopped, e.InboxID, fmt.Sprintf("iDenfy stopped monitoring %s (%s); the open AML alert still waits for a compliance decision",
				a.MonitoringID, orStatus(a)))
			return
		}
		if mon.Active {
			m.stopMonitoring(now, e.InboxID, fmt.Sprintf("iDenfy stopped monitoring %s (%s)", a.MonitoringID, orStatus(a)))
			return
		}
		m.add(now, EntryApplied, e.InboxID, "monitoring stop for a lifecycle not being monitored")
	case a.alert() && (s.Stage == StageMonitoring || s.Stage == StageAMLAlert):
		if s.Stage == StageAMLAlert {
			m.add(now, EntryApplied, e.InboxID, "alert still open: "+orStatus(a))
			return
		}
		s.Stage, mon.Alert = StageAMLAlert, true
		detail := fmt.Sprintf("AML alert on %s: %s", a.MonitoringID, orStatus(a))
		m.add(now, EntryAMLAlert, e.InboxID, detail)
		m.notify(now, NotifyAMLAlert, detail)
		if m.p.AlertAction == AlertActionHold {
			m.hold(now, "AML alert open; hold until a compliance officer clears or confirms it")
		}
	case !a.alert() && s.Stage == StageAMLAlert:
		m.alertClosed(now)
		detail := "iDenfy resolved the match: " + orStatus(a)
		m.add(now, EntryAMLCleared, e.InboxID, detail)
		m.release(now, detail, "")
	default:
		m.add(now, EntryApplied, e.InboxID, "AML monitoring: "+orStatus(a))
	}
}

func orStatus(a AMLStatus) string {
	var parts []string
	for _, kv := range [][2]string{{"alertStatus", a.AlertStatus}, {"status", a.Status}, {"peps", a.PEPsStatus},
		{"sanctions", a.SanctionsStatus}, {"adverseMedia", a.AdverseMediaStatus}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// hold asks the onboarding endpoint to hold an onboarded account while a
// person looks at an AML alert or a changed result.
func (m *machine) hold(now time.Time, reason string) {
	m.downstream(now, DecisionHold, reason, "")
}

// release lifts the hold an AML alert put on the account, once the alert
// is cleared (by a person or by iDenfy). Runs that began before releases
// existed send none until they are upgraded.
func (m *machine) release(now time.Time, reason, reviewer string) {
	if m.releases && m.p.AlertAction == AlertActionHold {
		m.downstream(now, DecisionRelease, reason, reviewer)
	}
}

// downstream asks for an onboarding call that acts on the decision in
// force without changing it (hold, release). Its webhook-id names the
// action and the timeline sequence, so it is stable across retries.
func (m *machine) downstream(now time.Time, action Decision, reason, reviewer string) {
	if !m.effects {
		return
	}
	s := m.s
	m.out = append(m.out, effect{Onboard: &OnboardingRequest{
		MessageID: fmt.Sprintf("%s-%s-%d", s.WorkflowID(), action, s.Seq), ScanRef: s.ScanRef, CompanyID: s.companyOnly(), ClientID: s.ClientID,
		ExternalRef: s.ExternalRef, Decision: action, DecisionSeq: s.DecisionSeq, Reason: reason, Reviewer: reviewer, DecidedAt: now,
	}, Order: s.Seq})
}

// alertClosed ends an AML alert: back to monitoring, or, when iDenfy
// stopped monitoring while it was open, decided and closing after the
// late-event window.
func (m *machine) alertClosed(now time.Time) {
	s := m.s
	s.Monitoring.Alert = false
	if s.monitored() {
		s.Stage = StageMonitoring
		return
	}
	s.Stage, s.CloseAt = StageDecided, now.Add(m.p.LateEventWindow)
}

// reviewAlert applies a compliance officer's verdict on an AML alert.
func (m *machine) reviewAlert(now time.Time, r Review, reviewer string) {
	s := m.s
	if r.Decision == ReviewClear {
		// A later ALERT is a new alert, even with the same statuses: a
		// person cleared this one.
		m.alertClosed(now)
		s.Monitoring.LastKey = ""
		detail := fmt.Sprintf("false positive, cleared by %s: %s", reviewer, r.Reason)
		m.add(now, EntryAMLCleared, 0, detail)
		m.release(now, detail, reviewer)
		return
	}
	m.add(now, EntryAMLConfirmed, 0, fmt.Sprintf("true match, confirmed by %s: %s", reviewer, r.Reason))
	m.decide(now, 0, DecisionRejected, fmt.Sprintf("AML alert confirmed by %s: %s", reviewer, r.Reason), reviewer)
	m.stopMonitoring(now, 0, "offboarded after a confirmed AML alert")
}
