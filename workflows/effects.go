package workflows

import (
	"fmt"
	"time"

	"kycflow/idenfy"
)

// OnboardingRequest is the downstream onboarding call of one decision. The
// MessageID (webhook-id) is the same on every attempt, so the receiver can
// apply a decision exactly once.
type OnboardingRequest struct {
	MessageID   string          `json:"messageId"`
	ScanRef     string          `json:"scanRef,omitempty"`
	CompanyID   string          `json:"companyId,omitempty"` // KYB decisions
	ClientID    string          `json:"clientId"`
	ExternalRef string          `json:"externalRef"`
	Decision    Decision        `json:"decision"`
	DecisionSeq int             `json:"decisionSequence"`
	Revision    bool            `json:"revision"`
	Reason      string          `json:"reason"`
	Reviewer    string          `json:"reviewer,omitempty"`
	Result      *idenfy.Summary `json:"result,omitempty"`
	DecidedAt   time.Time       `json:"decidedAt"`
}

// label names the call on the timeline: "decision 2 (approved)", or the
// action ("hold", "release") on the decision in force.
func (r OnboardingRequest) label() string {
	if r.Decision == DecisionHold || r.Decision == DecisionRelease {
		return string(r.Decision)
	}
	return fmt.Sprintf("decision %d (%s)", r.DecisionSeq, r.Decision)
}

// OnboardingOutcome is what the onboarding call achieved.
type OnboardingOutcome struct {
	Status  int  `json:"status"`
	Skipped bool `json:"skipped"` // no onboarding URL configured
}

// Notification is one signed notification (and, for some events, e-mail).
type Notification struct {
	MessageID   string    `json:"messageId"`
	Event       string    `json:"event"`
	ScanRef     string    `json:"scanRef,omitempty"`
	CompanyID   string    `json:"companyId,omitempty"` // KYB lifecycles
	ClientID    string    `json:"clientId"`
	ExternalRef string    `json:"externalRef"`
	Stage       Stage     `json:"stage"`
	Status      string    `json:"status"`
	Decision    Decision  `json:"decision"`
	DecisionSeq int       `json:"decisionSequence"`
	Detail      string    `json:"detail"`
	At          time.Time `json:"at"`
	// Sent lists the sinks (and "email") that took this notification in
	// an earlier call: Notify does not send to them again.
	Sent []string `json:"sent,omitempty"`
}

// NotifyOutcome says where a notification went.
type NotifyOutcome struct {
	Delivered []string `json:"delivered"` // sink names (host + path), "email"
	// Sent is what Notify keeps as its progress: the sinks' fingerprints
	// (refused ones prefixed), "email". A later call takes it as Sent.
	Sent []string `json:"sent,omitempty"`
}

// ReconcileOutcome is iDenfy's answer for an overdue verification.
type ReconcileOutcome struct {
	Found bool   `json:"found"`
	Event *Event `json:"event,omitempty"` // set when iDenfy has a result
}
