package idenfy

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Summary is the non-personal part of an identification webhook: the
// statuses, tags and screening flags a lifecycle decides on. It may be logged
// and put into Temporal history; the payload it comes from may not.
type Summary struct {
	Final              bool     `json:"final"`
	Overall            Overall  `json:"overall,omitempty"`
	AutoDocument       string   `json:"autoDocument,omitempty"`
	AutoFace           string   `json:"autoFace,omitempty"`
	ManualDocument     string   `json:"manualDocument,omitempty"`
	ManualFace         string   `json:"manualFace,omitempty"`
	FraudTags          []string `json:"fraudTags,omitempty"`
	MismatchTags       []string `json:"mismatchTags,omitempty"`
	SuspicionReasons   []string `json:"suspicionReasons,omitempty"`
	AMLResultClass     string   `json:"amlResultClass,omitempty"`
	PEPsStatus         string   `json:"pepsStatus,omitempty"`
	SanctionsStatus    string   `json:"sanctionsStatus,omitempty"`
	AdverseMediaStatus string   `json:"adverseMediaStatus,omitempty"`
	// AMLSuspected is true when an AML or LID service result in the
	// payload reports a suspicion.
	AMLSuspected bool `json:"amlSuspected,omitempty"`
}

// summaryWire decodes only the fields a Summary needs, with types loose
// enough that a change in any other field cannot break it.
type summaryWire struct {
	Final  *bool `json:"final"`
	Status *struct {
		Overall            *string  `json:"overall"`
		AutoDocument       *string  `json:"autoDocument"`
		AutoFace           *string  `json:"autoFace"`
		ManualDocument     *string  `json:"manualDocument"`
		ManualFace         *string  `json:"manualFace"`
		FraudTags          []string `json:"fraudTags"`
		MismatchTags       []string `json:"mismatchTags"`
		SuspicionReasons   []string `json:"suspicionReasons"`
		AMLResultClass     *string  `json:"amlResultClass"`
		PEPsStatus         *string  `json:"pepsStatus"`
		SanctionsStatus    *string  `json:"sanctionsStatus"`
		AdverseMediaStatus *string  `json:"adverseMediaStatus"`
	} `json:"status"`
	AML []checkWire `json:"AML"`
	LID []checkWire `json:"LID"`
}

type checkWire struct {
	Status *struct {
		ServiceSuspected *bool   `json:"serviceSuspected"`
		OverallStatus    *string `json:"overallStatus"`
	} `json:"status"`
}

// Summarize extracts the Summary of an identification webhook body.
func Summarize(body []byte) (Summary, error) {
	var w summaryWire
	if err := json.Unmarshal(body, &w); err != nil {
		return Summary{}, fmt.Errorf("%w: %v", ErrInvalidJSON, jsonErrorKind(err))
	}
	var s Summary
	if w.Final != nil {
		s.Final = *w.Final
	}
	if st := w.Status; st != nil {
		s.Overall = Overall(deref(st.Overall))
		s.AutoDocument, s.AutoFace = deref(st.AutoDocument), deref(st.AutoFace)
		s.ManualDocument, s.ManualFace = deref(st.ManualDocument), deref(st.ManualFace)
		s.FraudTags, s.MismatchTags, s.SuspicionReasons = st.FraudTags, st.MismatchTags, st.SuspicionReasons
		s.AMLResultClass, s.PEPsStatus = deref(st.AMLResultClass), deref(st.PEPsStatus)
		s.SanctionsStatus, s.AdverseMediaStatus = deref(st.SanctionsStatus), deref(st.AdverseMediaStatus)
	}
	for _, c := range slices.Concat(w.AML, w.LID) {
		if c.Status == nil {
			continue
		}
		if (c.Status.ServiceSuspected != nil && *c.Status.ServiceSuspected) || deref(c.Status.OverallStatus) == "SUSPECTED" {
			s.AMLSuspected = true
		}
	}
	return s, nil
}

// MonitoringSummary is the non-personal part of an AML monitoring webhook.
type MonitoringSummary struct {
	MonitoringID       string   `json:"monitoringId"`
	ScanRefs           []string `json:"scanRefList"`
	AlertStatus        string   `json:"alertStatus,omitempty"`
	Status             string   `json:"status,omitempty"`
	PEPsStatus         string   `json:"pepsStatus,omitempty"`
	SanctionsStatus    string   `json:"sanctionsStatus,omitempty"`
	AdverseMediaStatus string   `json:"adverseMediaStatus,omitempty"`
	IsActive           *bool    `json:"isActive,omitempty"`
}

// SummarizeMonitoring extracts the MonitoringSummary of an AML monitoring
// body, reading only the fields it needs.
func SummarizeMonitoring(body []byte) (MonitoringSummary, error) {
	var w struct {
		MonitoringID       *string  `json:"monitoringId"`
		ScanRefList        []string `json:"scanRefList"`
		AlertStatus        *string  `json:"alertStatus"`
		Status             *string  `json:"status"`
		PEPsStatus         *string  `json:"pepsStatus"`
		SanctionsStatus    *string  `json:"sanctionsStatus"`
		AdverseMediaStatus *string  `json:"adverseMediaStatus"`
		IsActive           *bool    `json:"isActive"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return MonitoringSummary{}, fmt.Errorf("%w: %v", ErrInvalidJSON, jsonErrorKind(err))
	}
	return MonitoringSummary{MonitoringID: deref(w.MonitoringID), ScanRefs: w.ScanRefList, AlertStatus: deref(w.AlertStatus),
		Status: deref(w.Status), PEPsStatus: deref(w.PEPsStatus), SanctionsStatus: deref(w.SanctionsStatus),
		AdverseMediaStatus: deref(w.AdverseMediaStatus), IsActive: w.IsActive}, nil
}
