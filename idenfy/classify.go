package idenfy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Subject types: what Classification.Subject identifies.
const (
	SubjectScanRef    = "scanRef"
	SubjectCompanyID  = "companyId"
	SubjectClientID   = "clientId"
	SubjectMonitoring = "monitoringId"
)

// MaxKeyLen bounds the free-text references Classify keeps (externalRef:
// iDenfy documents at most 40 characters). IDs have their own, tighter
// rules: ValidID and ValidClientID.
const MaxKeyLen = 200

// ErrInvalidJSON means the body is not a JSON object of the expected shape.
var ErrInvalidJSON = errors.New("body is not a valid JSON object")

// ErrMissingKey means a routing key (scanRef, company id, monitoringId …)
// is missing, empty or not an identifier iDenfy would issue (ValidID).
var ErrMissingKey = errors.New("routing key missing or invalid")

// Classification says what a webhook is and whom it concerns. It holds IDs
// and types only, never personal data, so it may be logged and stored in
// indexed columns.
type Classification struct {
	Kind        Kind
	EventType   string
	SubjectType string   // one of the Subject* constants
	Subject     string   // the key of the lifecycle the event belongs to
	ScanRefs    []string // the identifications concerned: one for KYC, the list for AML
	CompanyID   string
	ClientID    string
	ExternalRef string
}

// routing holds the few fields classification reads, with types loose
// enough that a change in an unrelated field can never quarantine an event.
type routing struct {
	routingKeys
	Status json.RawMessage
}

type routingKeys struct {
	ScanRef              *string  `json:"scanRef"`
	ClientID             *string  `json:"clientId"`
	ExternalRef          *string  `json:"externalRef"`
	CompanyID            *string  `json:"companyId"`
	ID                   *string  `json:"id"`
	MonitoringID         *string  `json:"monitoringId"`
	BeneficiaryID        *string  `json:"beneficiaryId"`
	ScanRefList          []string `json:"scanRefList"`
	AMLReviewSubjectType *string  `json:"amlReviewSubjectType"`
	CompanyName          *string  `json:"companyName"`
}

// Classify decides the kind, event type and routing keys of a webhook from
// the route it arrived on, its Idenfy-Event-Type header (may be empty) and
// its raw body. A known event type decides the kind even on another route;
// otherwise the route does. Errors wrap ErrInvalidJSON or ErrMissingKey: the
// caller quarantines such an event, it never drops it.
func Classify(route Kind, eventTypeHeader string, body []byte) (Classification, error) {
	eventType := NormalizeEventType(eventTypeHeader)
	kind, ok := KindOf(eventType)
	if !ok {
		kind = route
	}
	r, summarized, dupKey, dup, err := decode(kind, body)
	if err != nil {
		return Classification{Kind: kind, EventType: eventType}, fmt.Errorf("%w: %v", ErrInvalidJSON, jsonErrorKind(err))
	}
	if dup {
		return Classification{Kind: kind, EventType: eventType}, fmt.Errorf("%w: a key appears twice in one object (%.40q)", ErrInvalidJSON, dupKey)
	}
	c := Classification{
		Kind:        kind,
		EventType:   eventType,
		ClientID:    deref(r.ClientID),
		ExternalRef: deref(r.ExternalRef),
		CompanyID:   deref(r.CompanyID),
	}
	if err := c.checkRefs(r); err != nil {
		return Classification{Kind: kind, EventType: eventType}, err
	}
	switch kind {
	case KindKYB:
		if err = c.kyb(r); err == nil {
			var sum CompanySummary
			if sum, err = SummarizeCompany(body); err == nil {
				err = checkScreenings(sum)
			}
		}
	case KindAML:
		if err = c.aml(r); err == nil {
			_, err = SummarizeMonitoring(body)
		}
	default:
		c.Kind = KindKYC
		if err = c.kyc(r); err == nil && !summarized {
			// The lifecycle decides on the summary: a body it cannot read is
			// quarantined now, with the alert, not later by the relay.
			_, err = Summarize(body)
		}
	}
	if err != nil {
		return Classification{Kind: c.Kind, EventType: c.EventType}, err
	}
	return c, nil
}

func (c *Classification) kyc(r routing) error {
	if c.EventType == "" {
		c.EventType = EventIdentification
	}
	c.SubjectType, c.Subject = SubjectScanRef, deref(r.ScanRef)
	c.ScanRefs = []string{c.Subject}
	if err := checkID(IDScanRef, c.Subject); err != nil {
		return err
	}
	if b := deref(r.BeneficiaryID); b != "" {
		return checkID(IDBeneficiary, b)
	}
	return nil
}

func (c *Classification) kyb(r routing) error {
	if c.EventType == "" {
		c.EventType = inferCompanyEvent(r)
	}
	switch c.EventType {
	case EventCompanyTokenExpired:
		c.SubjectType, c.Subject = SubjectClientID, c.ClientID
		if c.Subject == "" {
			return fmt.Errorf("%w: clientId is missing", ErrMissingKey)
		}
		return nil // checkRefs checked it
	case EventCompanySubmit, EventCompanyReview:
		c.CompanyID = deref(r.ID)
	case EventCompanyAMLReview:
		// id names the reviewed subject; companyId names the company.
	default:
		if c.CompanyID == "" {
			c.CompanyID = deref(r.ID)
		}
	}
	c.SubjectType, c.Subject = SubjectCompanyID, c.CompanyID
	return checkID(IDCompany, c.Subject)
}

func (c *Classification) aml(r routing) error {
	if c.EventType == "" {
		c.EventType = EventAMLMonitoring
	}
	c.SubjectType, c.Subject = SubjectMonitoring, deref(r.MonitoringID)
	if err := checkID(IDMonitoring, c.Subject); err != nil {
		return err
	}
	for i, ref := range r.ScanRefList {
		if err := ValidID(IDScanRef, ref); err != nil {
			return fmt.Errorf("%w: scanRefList[%d]: %w", ErrMissingKey, i, err)
		}
	}
	c.ScanRefs = r.ScanRefList
	return nil
}

// inferCompanyEvent names a KYB event that arrived without a header by the
// fields only that event type carries.
func inferCompanyEvent(r routing) string {
	switch {
	case r.AMLReviewSubjectType != nil:
		return EventCompanyAMLReview
	case r.CompanyName != nil || len(r.Status) > 0:
		return EventCompanyReview
	case r.ID != nil:
		return EventCompanySubmit
	default:
		return EventCompanyTokenExpired
	}
}

// checkID is ValidID for a routing key: its error also wraps ErrMissingKey.
func checkID(kind IDKind, v string) error {
	if err := ValidID(kind, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMissingKey, err)
	}
	return nil
}

// checkRefs checks the references every kind of webhook may carry: a
// clientId (ValidClientID), an externalRef (bounded text) and, when
// present, a companyId (ValidID: a beneficiary's identification links to
// kyb-<companyId>).
func (c *Classification) checkRefs(r routing) error {
	if err := ValidClientID(c.ClientID); err != nil {
		return fmt.Errorf("%w: %w", ErrMissingKey, err)
	}
	if err := checkText("externalRef", c.ExternalRef); err != nil {
		return err
	}
	if c.CompanyID != "" {
		return checkID(IDCompany, c.CompanyID)
	}
	return nil
}

// checkScreenings checks the company and beneficiary IDs a KYB body names
// (shareholders' IDs are kept as they come: iDenfy documents no format).
func checkScreenings(s CompanySummary) error {
	for _, sc := range s.Screenings {
		typ, id, _ := strings.Cut(sc.Subject, ":")
		kind := map[string]IDKind{SubjectCompany: IDCompany, SubjectBeneficiary: IDBeneficiary}[typ]
		if kind == "" || id == "" {
			continue
		}
		if err := checkID(kind, id); err != nil {
			return err
		}
	}
	return nil
}

// checkText accepts an optional ID-like text: bounded, valid UTF-8, no
// control characters (PostgreSQL refuses NUL in text).
func checkText(name, v string) error {
	if len(v) > MaxKeyLen {
		return fmt.Errorf("%w: %s is longer than %d bytes", ErrMissingKey, name, MaxKeyLen)
	}
	for _, r := range v {
		if r == unicode.ReplacementChar || unicode.IsControl(r) {
			return fmt.Errorf("%w: %s has a character not allowed in an identifier", ErrMissingKey, name)
		}
	}
	return nil
}

// jsonErrorKind describes a decoding error without echoing body content.
func jsonErrorKind(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("syntax error at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		// The path names the JSON field, not how routing embeds its keys.
		return fmt.Sprintf("field %q has JSON type %s", strings.TrimPrefix(typ.Field, "routingKeys."), typ.Value)
	default:
		return "malformed"
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
