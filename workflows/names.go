// Package workflows holds kycflow's Temporal workflows: the per-scanRef
// verification lifecycle, its deterministic decision policy, and the names
// (workflow types, signals, queries, search attributes) other processes use
// to reach it. Names are string constants so that a Go rename never breaks a
// running history.
//
// Nothing here reads the clock, logs through slog, touches the database or
// the network: side effects are activities.
package workflows

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
)

// Temporal names.
const (
	// VerificationWorkflow is the workflow type of a KYC lifecycle.
	VerificationWorkflow = "KycVerification"
	// CompanyWorkflow is the workflow type of a KYB company lifecycle.
	CompanyWorkflow = "KybVerification"
	// SignalEvent delivers an Event to a lifecycle.
	SignalEvent = "idenfy-event"
	// QueryState returns the lifecycle's State.
	QueryState = "state"

	// UpdateReview records a compliance officer's decision.
	UpdateReview = "review"

	// Activity names.
	ActivityRecordState      = "RecordState"
	ActivityLoadVerification = "LoadVerification"
	ActivityLoadCompany      = "LoadCompany"
	ActivityOnboard          = "Onboard"
	ActivityNotify           = "Notify"
	ActivityReconcile        = "Reconcile"
	// ActivityDeliver stores a record, makes one onboarding call and sends
	// its notifications (Delivery).
	ActivityDeliver = "Deliver"
)

// Notification events.
const (
	NotifyDecided          = "verification.decided"
	NotifyRevised          = "verification.revised"
	NotifyReviewRequired   = "verification.review_required"
	NotifyReviewOverdue    = "verification.review_overdue"
	NotifyStuck            = "verification.stuck"
	NotifyOnboardingFailed = "verification.onboarding_failed"
	NotifyAMLAlert         = "aml.alert"
)

// Error types the review validator and activities return; the API and the
// workflow branch on them, never on message text.
const (
	ErrNotAwaitingReview    = "NotAwaitingReview"
	ErrInvalidReview        = "InvalidReview"
	ErrOnboardingRejected   = "OnboardingRejected"
	ErrReconcileUnavailable = "ReconcileUnavailable"
)

// ID is the workflow ID of the lifecycle of scanRef.
func ID(scanRef string) string { return "kyc-" + scanRef }

// Search attributes shown and filterable in the Temporal Web UI. They hold
// IDs and statuses only, never personal data.
var (
	AttrStage    = temporal.NewSearchAttributeKeyKeyword("KycStage")
	AttrStatus   = temporal.NewSearchAttributeKeyKeyword("KycStatus")
	AttrDecision = temporal.NewSearchAttributeKeyKeyword("KycDecision")
	AttrScanRef  = temporal.NewSearchAttributeKeyKeyword("IdenfyScanRef")
	AttrClientID = temporal.NewSearchAttributeKeyKeyword("IdenfyClientId")

	AttrKybStage    = temporal.NewSearchAttributeKeyKeyword("KybStage")
	AttrKybDecision = temporal.NewSearchAttributeKeyKeyword("KybDecision")
	AttrCompanyID   = temporal.NewSearchAttributeKeyKeyword("IdenfyCompanyId")
)

// SearchAttributes lists kycflow's custom search attributes and their types,
// for registration on a namespace.
func SearchAttributes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKeyKeyword{AttrStage, AttrStatus, AttrDecision, AttrScanRef, AttrClientID,
		AttrKybStage, AttrKybDecision, AttrCompanyID} {
		out[k.GetName()] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	return out
}
