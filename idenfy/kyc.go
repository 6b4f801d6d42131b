package idenfy

import "encoding/json"

// Identification is the body of a KYC identification webhook
// (IDENTIFICATION_AUTO_FINISHED, _MANUAL_FINISHED, _RESUBMITTED, _EXPIRED,
// _CANCELLED and the legacy IDENTIFICATION event).
//
// It holds personal data (Data, FileURLs, ClientIP …): never log it and never
// put it into Temporal history. Summarise it with Event-level fields instead.
type Identification struct {
	Final                 *bool             `json:"final"`
	Platform              *string           `json:"platform"`
	Status                *Status           `json:"status"`
	Data                  *PersonData       `json:"data"`
	FileURLs              map[string]string `json:"fileUrls"`
	AdditionalStepPdfURLs map[string]string `json:"additionalStepPdfUrls"`
	AML                   []CheckResult     `json:"AML"`
	LID                   []CheckResult     `json:"LID"`
	CriminalCheck         json.RawMessage   `json:"CRIMINAL_CHECK"`
	ScanRef               string            `json:"scanRef"`
	ExternalRef           *string           `json:"externalRef"`
	ClientID              string            `json:"clientId"`
	CompanyID             *string           `json:"companyId"`
	BeneficiaryID         *string           `json:"beneficiaryId"`
	StartTime             *int64            `json:"startTime"`
	FinishTime            *int64            `json:"finishTime"`
	ClientIP              *string           `json:"clientIp"`
	ClientIPCountry       *string           `json:"clientIpCountry"`
	ClientLocation        *string           `json:"clientLocation"`
	GDCMatch              *bool             `json:"gdcMatch"`
	ManualAddress         *string           `json:"manualAddress"`
	ManualAddressMatch    *bool             `json:"manualAddressMatch"`

	// Feature-dependent add-ons, kept raw: their shapes are not documented
	// well enough to type, and they are never needed for routing.
	AdditionalData       json.RawMessage `json:"additionalData"`
	RegistryCenterCheck  json.RawMessage `json:"registryCenterCheck"`
	AddressVerification  json.RawMessage `json:"addressVerification"`
	QuestionnaireAnswers json.RawMessage `json:"questionnaireAnswers"`
	RiskAssessment       json.RawMessage `json:"riskAssessment"`
	BankVerification     json.RawMessage `json:"bankVerification"`
	EmailVerification    json.RawMessage `json:"emailVerification"`
	PhoneVerification    json.RawMessage `json:"phoneVerification"`
	DriverLicenseCheck   json.RawMessage `json:"driverLicenseCheck"`
	AdditionalSteps      json.RawMessage `json:"additionalSteps"`
	UtilityData          json.RawMessage `json:"utilityData"`
}

// Status is the status object of an identification webhook.
type Status struct {
	Overall            Overall  `json:"overall"`
	SuspicionReasons   []string `json:"suspicionReasons"`
	DenyReasons        []string `json:"denyReasons"`
	FraudTags          []string `json:"fraudTags"`
	MismatchTags       []string `json:"mismatchTags"`
	AutoFace           *string  `json:"autoFace"`
	ManualFace         *string  `json:"manualFace"`
	AutoDocument       *string  `json:"autoDocument"`
	ManualDocument     *string  `json:"manualDocument"`
	AdditionalSteps    *string  `json:"additionalSteps"`
	AMLResultClass     *string  `json:"amlResultClass"`
	PEPsStatus         *string  `json:"pepsStatus"`
	SanctionsStatus    *string  `json:"sanctionsStatus"`
	AdverseMediaStatus *string  `json:"adverseMediaStatus"`
}

// PersonData is the data object of an identification webhook: the document
// holder's personal data. Every field is nullable.
type PersonData struct {
	DocFirstName           *string         `json:"docFirstName"`
	DocLastName            *string         `json:"docLastName"`
	DocNumber              *string         `json:"docNumber"`
	DocPersonalCode        *string         `json:"docPersonalCode"`
	DocExpiry              *string         `json:"docExpiry"`
	DocDOB                 *string         `json:"docDob"`
	DocDateOfIssue         *string         `json:"docDateOfIssue"`
	DocType                *string         `json:"docType"`
	DocSex                 *string         `json:"docSex"`
	DocNationality         *string         `json:"docNationality"`
	DocIssuingCountry      *string         `json:"docIssuingCountry"`
	SelectedCountry        *string         `json:"selectedCountry"`
	BirthPlace             *string         `json:"birthPlace"`
	Authority              *string         `json:"authority"`
	Address                *string         `json:"address"`
	DocTemporaryAddress    *string         `json:"docTemporaryAddress"`
	MothersMaidenName      *string         `json:"mothersMaidenName"`
	DocBirthName           *string         `json:"docBirthName"`
	DocPatronymic          *string         `json:"docPatronymic"`
	DriverLicenseCategory  *string         `json:"driverLicenseCategory"`
	ManuallyDataChanged    *bool           `json:"manuallyDataChanged"`
	FullName               *string         `json:"fullName"`
	OrgFirstName           *string         `json:"orgFirstName"`
	OrgLastName            *string         `json:"orgLastName"`
	OrgNationality         *string         `json:"orgNationality"`
	OrgBirthPlace          *string         `json:"orgBirthPlace"`
	OrgAuthority           *string         `json:"orgAuthority"`
	OrgAddress             *string         `json:"orgAddress"`
	OrgTemporaryAddress    *string         `json:"orgTemporaryAddress"`
	OrgMothersMaidenName   *string         `json:"orgMothersMaidenName"`
	OrgPatronymic          *string         `json:"orgPatronymic"`
	OrgBirthName           *string         `json:"orgBirthName"`
	AgeEstimate            *string         `json:"ageEstimate"`
	ClientIPProxyRiskLevel *string         `json:"clientIpProxyRiskLevel"`
	DuplicateFaces         []string        `json:"duplicateFaces"`
	DuplicateDocFaces      []string        `json:"duplicateDocFaces"`
	AdditionalData         json.RawMessage `json:"additionalData"`
}

// CheckResult is one AML or LID service result inside an identification
// webhook, and one entry of an AML monitoring webhook's results.
type CheckResult struct {
	Status           *CheckStatus      `json:"status"`
	ServiceName      *string           `json:"serviceName"`
	ServiceGroupType *string           `json:"serviceGroupType"`
	UID              *string           `json:"uid"`
	ErrorMessage     *string           `json:"errorMessage"`
	Data             []json.RawMessage `json:"data"`
}

// CheckStatus is the status of one AML or LID service result.
type CheckStatus struct {
	ServiceSuspected *bool   `json:"serviceSuspected"`
	ServiceUsed      *bool   `json:"serviceUsed"`
	ServiceFound     *bool   `json:"serviceFound"`
	CheckSuccessful  *bool   `json:"checkSuccessful"`
	OverallStatus    *string `json:"overallStatus"`
}
