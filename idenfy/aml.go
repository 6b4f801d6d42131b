package idenfy

// Monitoring is the body of an AML_MONITORING webhook: a change in the
// ongoing AML screening of a person or company linked to one or more
// identifications (ScanRefList).
type Monitoring struct {
	MonitoringID       string        `json:"monitoringId"`
	Name               *string       `json:"name"`
	Surname            *string       `json:"surname"`
	Nationality        *string       `json:"nationality"`
	DOB                *string       `json:"dob"`
	IsActive           *bool         `json:"isActive"`
	Expiration         *string       `json:"expiration"`
	ScanRefList        []string      `json:"scanRefList"`
	AlertStatus        *string       `json:"alertStatus"`
	Status             *string       `json:"status"`
	PEPsStatus         *string       `json:"pepsStatus"`
	SanctionsStatus    *string       `json:"sanctionsStatus"`
	AdverseMediaStatus *string       `json:"adverseMediaStatus"`
	Results            []CheckResult `json:"results"`
	AMLCheck           *AMLCheck     `json:"amlCheck"`
}

// Monitoring alert statuses: v2 alertStatus and v3 status. Both sets are open.
const (
	AlertStatusAlert    = "ALERT"
	AlertStatusDeclined = "DECLINED"
	AlertStatusAccepted = "ACCEPTED"
	AlertStatusPending  = "PENDING"
	AlertStatusStatus   = "STATUS"

	MonitoringActive  = "ACTIVE"
	MonitoringStopped = "STOPPED"
	MonitoringPending = "PENDING"
	MonitoringAlert   = "ALERT"
)
