package workflows

import (
	"fmt"
	"strings"
	"time"

	"kycflow/idenfy"
)

// Decision is the onboarding decision of a verification.
type Decision string

// Decisions.
const (
	DecisionNone                  Decision = ""
	DecisionApproved              Decision = "approved"
	DecisionRejected              Decision = "rejected"
	DecisionResubmissionRequested Decision = "resubmission_requested"
)

// What to do with a SUSPECTED final result.
const (
	SuspectedReview  = "review"
	SuspectedApprove = "approve"
	SuspectedReject  = "reject"
)

// Policy is the configuration a lifecycle runs under. It is fixed when the
// lifecycle starts and carried across continue-as-new, so history records
// which policy applied.
type Policy struct {
	// Suspected is SuspectedReview (default), SuspectedApprove or
	// SuspectedReject.
	Suspected string `json:"suspected"`
	// ReviewSLA is how long a preliminary result may wait for iDenfy's
	// manual review before the lifecycle is marked stuck (default 24 h).
	ReviewSLA time.Duration `json:"reviewSla"`
	// LateEventWindow is how long a decided lifecycle waits for late or
	// revised events before it closes (default 7 days).
	LateEventWindow time.Duration `json:"lateEventWindow"`
	// MaxEventsPerRun continues a run as new after that many events even
	// if Temporal does not suggest it (default 500).
	MaxEventsPerRun int `json:"maxEventsPerRun"`
	// ComplianceSLA is how long a lifecycle may wait in
	// awaiting_compliance before it escalates (default 48 h).
	ComplianceSLA time.Duration `json:"complianceSla"`
	// FourEyes makes an approval in compliance review wait for a second,
	// different reviewer's confirmation (a rejection needs one), and
	// requires a revision's review to come from another reviewer than the
	// previous review of the same verification.
	FourEyes bool `json:"fourEyes"`
	// ConsoleURL is the compliance console's base URL (…/console): the Web
	// UI's details of a case waiting for a person link to its page there.
	ConsoleURL string `json:"consoleUrl,omitempty"`
	// OnboardingAttempts bounds the attempts of one onboarding call
	// (default 12, backing off from 2 s to 10 min).
	OnboardingAttempts int32 `json:"onboardingAttempts"`
	// AMLMonitoring keeps an approved lifecycle in `monitoring` while
	// iDenfy monitors the person.
	AMLMonitoring bool `json:"amlMonitoring"`
	// AlertAction is what happens downstream on an AML alert:
	// AlertActionHold (default) or AlertActionNone.
	AlertAction string `json:"alertAction"`
	// MonitoringExpiry ends monitoring that hears nothing for this long
	// (default 400 days: iDenfy monitors for a year unless extended).
	MonitoringExpiry time.Duration `json:"monitoringExpiry"`
}

// WithDefaults fills unset fields.
func (p Policy) WithDefaults() Policy {
	if p.Suspected == "" {
		p.Suspected = SuspectedReview
	}
	if p.ReviewSLA <= 0 {
		p.ReviewSLA = 24 * time.Hour
	}
	if p.LateEventWindow <= 0 {
		p.LateEventWindow = 7 * 24 * time.Hour
	}
	if p.MaxEventsPerRun <= 0 {
		p.MaxEventsPerRun = 500
	}
	if p.ComplianceSLA <= 0 {
		p.ComplianceSLA = 48 * time.Hour
	}
	if p.OnboardingAttempts <= 0 {
		p.OnboardingAttempts = 12
	}
	if p.AlertAction == "" {
		p.AlertAction = AlertActionHold
	}
	if p.MonitoringExpiry <= 0 {
		p.MonitoringExpiry = 400 * 24 * time.Hour
	}
	return p
}

// ValidSuspected reports whether s is a known SUSPECTED policy.
func ValidSuspected(s string) bool {
	return s == SuspectedReview || s == SuspectedApprove || s == SuspectedReject
}

// screeningHit are screening statuses that need a person's judgement.
var screeningHit = map[string]bool{idenfy.ScreeningFlagsFound: true, idenfy.ScreeningTruePositive: true}

// decide is the decision policy: a pure function of one final result and the
// policy. It returns DecisionNone when a person must decide, with the reason.
func decide(e Event, p Policy) (Decision, string) {
	if e.lapse() {
		return DecisionResubmissionRequested, fmt.Sprintf("session ended without a result (%s)", e.EventType)
	}
	flags := screeningFlags(e)
	switch e.Overall {
	case idenfy.OverallApproved:
		if flags != "" {
			return DecisionNone, "APPROVED by iDenfy, but screening flagged " + flags
		}
		return DecisionApproved, "APPROVED by iDenfy"
	case idenfy.OverallDenied:
		return DecisionRejected, "DENIED by iDenfy"
	case idenfy.OverallSuspected:
		switch p.Suspected {
		case SuspectedApprove:
			return DecisionApproved, "SUSPECTED by iDenfy; policy approves suspected results"
		case SuspectedReject:
			return DecisionRejected, "SUSPECTED by iDenfy; policy rejects suspected results"
		}
		return DecisionNone, "SUSPECTED by iDenfy; policy sends suspected results to compliance review"
	}
	return DecisionNone, fmt.Sprintf("final status %q has no automatic decision", e.Overall)
}

func screeningFlags(e Event) string {
	var hits []string
	for _, c := range []struct{ name, status string }{
		{"AML", e.AMLResultClass}, {"PEP", e.PEPsStatus}, {"sanctions", e.SanctionsStatus}, {"adverse media", e.AdverseMediaStatus},
	} {
		if screeningHit[c.status] {
			hits = append(hits, c.name)
		}
	}
	if e.AMLSuspected {
		hits = append(hits, "AML service")
	}
	return strings.Join(hits, ", ")
}
