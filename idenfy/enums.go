package idenfy

import "strings"

// Overall is status.overall of an identification. The set is open.
type Overall string

// Known overall statuses.
const (
	OverallApproved       Overall = "APPROVED"
	OverallDenied         Overall = "DENIED"
	OverallSuspected      Overall = "SUSPECTED"
	OverallReviewing      Overall = "REVIEWING"
	OverallActive         Overall = "ACTIVE"
	OverallExpired        Overall = "EXPIRED"
	OverallExpiredDeleted Overall = "EXPIRED-DELETED"
	OverallDeleted        Overall = "DELETED"
	OverallArchived       Overall = "ARCHIVED"
)

// Screening statuses shared by KYC (pepsStatus, sanctionsStatus …), KYB and
// AML monitoring. The set is open.
const (
	ScreeningNotChecked    = "NOT_CHECKED"
	ScreeningNoFlags       = "NO_FLAGS"
	ScreeningFlagsFound    = "FLAGS_FOUND"
	ScreeningTruePositive  = "TRUE_POSITIVE"
	ScreeningFalsePositive = "FALSE_POSITIVE"
)

// Kind is the family of a webhook: it decides which payload type the body
// has and which workflow it belongs to.
type Kind string

// Webhook kinds, one route each.
const (
	KindKYC Kind = "kyc"
	KindKYB Kind = "kyb"
	KindAML Kind = "aml"
)

// Kinds lists every webhook kind in route order.
var Kinds = []Kind{KindKYC, KindKYB, KindAML}

// Event types as sent in the Idenfy-Event-Type header. The set is open:
// unknown types are stored and passed on.
const (
	EventIdentification               = "IDENTIFICATION"
	EventIdentificationAutoFinished   = "IDENTIFICATION_AUTO_FINISHED"
	EventIdentificationManualFinished = "IDENTIFICATION_MANUAL_FINISHED"
	EventIdentificationResubmitted    = "IDENTIFICATION_RESUBMITTED"
	EventIdentificationCancelled      = "IDENTIFICATION_CANCELLED"
	EventIdentificationExpired        = "IDENTIFICATION_EXPIRED"
	EventDocumentExpiration           = "DOCUMENT_EXPIRATION"
	EventCompanySubmit                = "COMPANY_SUBMIT"
	EventCompanyReview                = "COMPANY_REVIEW"
	EventCompanyAMLReview             = "COMPANY_AML_REVIEW"
	EventCompanyTokenExpired          = "COMPANY_TOKEN_EXPIRED"
	EventAMLMonitoring                = "AML_MONITORING"
)

// eventTypeSeparators turns spaces and hyphens into underscores.
var eventTypeSeparators = strings.NewReplacer(" ", "_", "-", "_")

// NormalizeEventType canonicalises an Idenfy-Event-Type value: trimmed,
// upper case, spaces and hyphens as underscores, and the dashboard's
// CANCELED spelling as CANCELLED. Unknown values survive in that form.
func NormalizeEventType(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = eventTypeSeparators.Replace(s)
	if s == "IDENTIFICATION_CANCELED" {
		return EventIdentificationCancelled
	}
	return s
}

// KindOf returns the webhook kind that a known event type belongs to, and
// false for an unknown or empty type.
func KindOf(eventType string) (Kind, bool) {
	switch {
	case eventType == EventAMLMonitoring:
		return KindAML, true
	case strings.HasPrefix(eventType, "COMPANY_"):
		return KindKYB, true
	case eventType == EventDocumentExpiration,
		strings.HasPrefix(eventType, EventIdentification):
		return KindKYC, true
	}
	return "", false
}
