package workflows

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"kycflow/idenfy"
)

// Event is what a lifecycle learns from one webhook: IDs, statuses and
// flags, never personal data. The full payload stays in the inbox; an
// activity loads it by InboxID when it needs more.
type Event struct {
	InboxID     int64     `json:"inboxId"`
	Kind        string    `json:"kind"`
	EventType   string    `json:"eventType"`
	ScanRef     string    `json:"scanRef"`
	ClientID    string    `json:"clientId,omitempty"`
	ExternalRef string    `json:"externalRef,omitempty"`
	CompanyID   string    `json:"companyId,omitempty"`
	ReceivedAt  time.Time `json:"receivedAt"`
	// Reconciled marks a result fetched from iDenfy's status API rather
	// than received by webhook.
	Reconciled bool `json:"reconciled,omitempty"`
	// AML is set on AML monitoring events (kind aml) and replaces the
	// identification summary.
	AML *AMLStatus `json:"aml,omitempty"`
	// Company is set on KYB events (kind kyb) and replaces the
	// identification summary.
	Company *idenfy.CompanySummary `json:"company,omitempty"`
	idenfy.Summary
}

// DedupKey is the inbox identity of the event; empty for a reconciled
// result, which has no inbox row (its semantic key still deduplicates it).
func (e Event) DedupKey() string {
	if e.InboxID == 0 {
		return ""
	}
	return "inbox:" + strconv.FormatInt(e.InboxID, 10)
}

// SemanticKey identifies the result the event carries, whatever its bytes:
// a re-sent webhook with fresh file URLs has the same semantic key. It
// covers every field the decision policy reads (the README's lifecycle rules name the
// statuses; the screening flags and tags are added so that a re-sent result
// whose flags changed is never mistaken for a duplicate).
func (e Event) SemanticKey() string {
	if e.AML != nil {
		return e.AML.key()
	}
	return strings.Join([]string{"sem", e.EventType, strconv.FormatBool(e.Final), string(e.Overall),
		e.AutoDocument, e.AutoFace, e.ManualDocument, e.ManualFace,
		sortedList(e.FraudTags), sortedList(e.MismatchTags), sortedList(e.SuspicionReasons),
		e.AMLResultClass, e.PEPsStatus, e.SanctionsStatus, e.AdverseMediaStatus, strconv.FormatBool(e.AMLSuspected)}, "|")
}

func sortedList(s []string) string {
	c := slices.Clone(s)
	slices.Sort(c)
	return strings.Join(c, ",")
}

// lapse reports whether the event says the session ended without a result:
// expired or cancelled.
func (e Event) lapse() bool {
	if e.AML != nil || e.Company != nil {
		return false
	}
	switch e.EventType {
	case idenfy.EventIdentificationExpired, idenfy.EventIdentificationCancelled:
		return true
	}
	switch e.Overall {
	case idenfy.OverallExpired, idenfy.OverallExpiredDeleted:
		return true
	}
	return false
}

// verdict reports whether the event carries a final verification result.
func (e Event) verdict() bool { return e.AML == nil && e.Company == nil && e.Final && !e.lapse() }

// describe is the event's one-line, PII-free description for the timeline.
func (e Event) describe() string {
	if e.AML != nil {
		return e.EventType + " " + e.AML.MonitoringID + " " + orStatus(*e.AML)
	}
	if e.Company != nil {
		return e.describeCompany()
	}
	var b strings.Builder
	b.WriteString(e.EventType)
	b.WriteString(" final=" + strconv.FormatBool(e.Final))
	if e.Overall != "" {
		b.WriteString(" overall=" + string(e.Overall))
	}
	for _, kv := range [][2]string{{"autoDocument", e.AutoDocument}, {"autoFace", e.AutoFace},
		{"manualDocument", e.ManualDocument}, {"manualFace", e.ManualFace}} {
		if kv[1] != "" {
			b.WriteString(" " + kv[0] + "=" + kv[1])
		}
	}
	if len(e.FraudTags) > 0 {
		b.WriteString(" fraudTags=" + strings.Join(e.FraudTags, ","))
	}
	if len(e.MismatchTags) > 0 {
		b.WriteString(" mismatchTags=" + strings.Join(e.MismatchTags, ","))
	}
	if e.Reconciled {
		b.WriteString(" (reconciled)")
	}
	return b.String()
}
