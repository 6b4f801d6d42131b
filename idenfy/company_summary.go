package idenfy

import (
	"encoding/json"
	"fmt"
)

// CompanySummary is the non-personal part of a KYB company webhook: the
// company review status and the screening statuses of the company and the
// people behind it, keyed by iDenfy's subject IDs. Names, registration
// numbers, comments and who set a status stay in the inbox.
type CompanySummary struct {
	ReviewStatus string      `json:"reviewStatus,omitempty"` // COMPANY_REVIEW status
	Screenings   []Screening `json:"screenings,omitempty"`
}

// Screening is one subject's AML screening statuses (NOT_CHECKED, NO_FLAGS,
// FALSE_POSITIVE, TRUE_POSITIVE, FLAGS_FOUND; the set is open).
type Screening struct {
	Subject   string `json:"subject"` // <type>:<iDenfy id>, e.g. BENEFICIARY:b000…
	PEPs      string `json:"peps,omitempty"`
	Sanctions string `json:"sanctions,omitempty"`
	News      string `json:"news,omitempty"`
	Overall   string `json:"overall,omitempty"`
}

// Flagged reports whether any status needs a person's judgement.
func (s Screening) Flagged() bool {
	for _, v := range []string{s.PEPs, s.Sanctions, s.News, s.Overall} {
		if v == ScreeningFlagsFound || v == ScreeningTruePositive {
			return true
		}
	}
	return false
}

// SummarizeCompany extracts the CompanySummary of a KYB webhook body,
// reading only the fields it needs.
func SummarizeCompany(body []byte) (CompanySummary, error) {
	var w struct {
		ID                   *string `json:"id"`
		Status               *string `json:"status"`
		SanctionsCheckStatus *string `json:"sanctionsCheckStatus"`
		AMLCheck             *struct {
			OverallStatus *string `json:"overallStatus"`
		} `json:"amlCheck"`
		Beneficiaries []struct {
			ID              *string `json:"id"`
			PEPsStatus      *string `json:"pepsStatus"`
			SanctionsStatus *string `json:"sanctionsStatus"`
			NewsStatus      *string `json:"newsStatus"`
		} `json:"beneficiaries"`
		AMLReviewSubjectType *string `json:"amlReviewSubjectType"`
		NegativeNewsStatus   *string `json:"negativeNewsStatus"`
		PEPsCheckStatus      *string `json:"pepsCheckStatus"`
		OverallStatus        *string `json:"overallStatus"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return CompanySummary{}, fmt.Errorf("%w: %v", ErrInvalidJSON, jsonErrorKind(err))
	}
	s := CompanySummary{ReviewStatus: deref(w.Status)}
	if t := deref(w.AMLReviewSubjectType); t != "" { // COMPANY_AML_REVIEW
		s.ReviewStatus = ""
		s.Screenings = []Screening{{Subject: t + ":" + deref(w.ID), PEPs: deref(w.PEPsCheckStatus),
			Sanctions: deref(w.SanctionsCheckStatus), News: deref(w.NegativeNewsStatus), Overall: deref(w.OverallStatus)}}
		return s, nil
	}
	if w.SanctionsCheckStatus != nil || w.AMLCheck != nil { // COMPANY_REVIEW
		c := Screening{Subject: SubjectCompany + ":" + deref(w.ID), Sanctions: deref(w.SanctionsCheckStatus)}
		if w.AMLCheck != nil {
			c.Overall = deref(w.AMLCheck.OverallStatus)
		}
		s.Screenings = append(s.Screenings, c)
	}
	for _, b := range w.Beneficiaries {
		s.Screenings = append(s.Screenings, Screening{Subject: SubjectBeneficiary + ":" + deref(b.ID), PEPs: deref(b.PEPsStatus),
			Sanctions: deref(b.SanctionsStatus), News: deref(b.NewsStatus)})
	}
	return s, nil
}
