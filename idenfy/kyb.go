package idenfy

import "encoding/json"

// CompanyEvent is the union of the KYB company webhook bodies
// (COMPANY_SUBMIT, COMPANY_REVIEW, COMPANY_AML_REVIEW, COMPANY_TOKEN_EXPIRED).
// Which fields are set depends on the event type; all are optional.
//
// ID is the company id for COMPANY_SUBMIT and COMPANY_REVIEW, and the id of
// the reviewed subject (company, beneficiary or shareholder) for
// COMPANY_AML_REVIEW, whose company is CompanyID.
type CompanyEvent struct {
	ID          *string `json:"id"`
	CompanyID   *string `json:"companyId"`
	ClientID    *string `json:"clientId"`
	ExternalRef *string `json:"externalRef"`

	// COMPANY_SUBMIT
	SubmissionTime *string `json:"submissionTime"`
	SoleProprietor *bool   `json:"soleProprietor"`

	// COMPANY_REVIEW
	CompanyName          *string         `json:"companyName"`
	RegistrationNumber   *string         `json:"registrationNumber"`
	Status               *string         `json:"status"`
	DenyReason           *string         `json:"denyReason"`
	SanctionsCheckStatus *string         `json:"sanctionsCheckStatus"`
	SanctionsStatusSetAt *string         `json:"sanctionsStatusSetAt"`
	StatusChangedBy      *Reviewer       `json:"statusChangedBy"`
	SanctionsStatusSetBy *Reviewer       `json:"sanctionsStatusSetBy"`
	AMLComment           *string         `json:"amlComment"`
	AMLCheck             *AMLCheck       `json:"amlCheck"`
	Beneficiaries        json.RawMessage `json:"beneficiaries"`

	// COMPANY_AML_REVIEW
	AMLReviewSubjectType *string   `json:"amlReviewSubjectType"`
	NegativeNewsComment  *string   `json:"negativeNewsComment"`
	NegativeNewsStatus   *string   `json:"negativeNewsStatus"`
	NewsStatusSetBy      *Reviewer `json:"newsStatusSetBy"`
	NewsStatusSetAt      *string   `json:"newsStatusSetAt"`
	PEPsCheckStatus      *string   `json:"pepsCheckStatus"`
	PEPsStatusSetBy      *Reviewer `json:"pepsStatusSetBy"`
	PEPsStatusSetAt      *string   `json:"pepsStatusSetAt"`
	OverallStatus        *string   `json:"overallStatus"`
	StatusSetBy          *Reviewer `json:"statusSetBy"`
	StatusSetAt          *string   `json:"statusSetAt"`
}

// AML review subject types of COMPANY_AML_REVIEW. The set is open.
const (
	SubjectCompany     = "COMPANY"
	SubjectBeneficiary = "BENEFICIARY"
	SubjectShareholder = "SHAREHOLDER"
)

// Reviewer is the iDenfy staff member who set a status. It is personal data.
type Reviewer struct {
	Username *string `json:"username"`
	Email    *string `json:"email"`
	Name     *string `json:"name"`
	Surname  *string `json:"surname"`
}

// AMLCheck is the amlCheck object of KYB and AML monitoring webhooks. The
// match lists are kept raw: they hold personal data and are never routed on.
type AMLCheck struct {
	OverallStatus *string         `json:"overallStatus"`
	StatusSetAt   *string         `json:"statusSetAt"`
	AdverseMedia  json.RawMessage `json:"adverseMedia"`
	AMLCheck      json.RawMessage `json:"amlCheck"`
}
