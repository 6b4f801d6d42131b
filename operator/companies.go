package operator

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/idenfy"
	"kycflow/store"
	"kycflow/workflows"
)

// CompanySummary is a KYB company lifecycle in a list: the same stage and
// decision vocabulary as a verification.
type CompanySummary struct {
	CompanyID   string    `json:"companyId"`
	ClientID    string    `json:"clientId"`
	ExternalRef string    `json:"externalRef"`
	WorkflowID  string    `json:"workflowId"`
	Stage       string    `json:"stage"`
	Status      string    `json:"status"`
	Decision    string    `json:"decision"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Company is a KYB company lifecycle with its beneficiaries and screenings.
type Company struct {
	CompanySummary
	Beneficiaries []string           `json:"beneficiaries"` // linked KYC scanRefs
	Screenings    []idenfy.Screening `json:"screenings"`    // per subject, IDs and statuses only
}

// CompanyList is a page of companies.
type CompanyList struct {
	Items      []CompanySummary `json:"items"`
	NextCursor *string          `json:"nextCursor"`
}

// listCompanies is GET /v1/companies: newest first, filtered like the
// verification list.
func (a *API) listCompanies(c *gin.Context) {
	f, err := lifecycleFilter(c)
	if err != nil {
		a.refuse(c, err)
		return
	}
	cs, next, err := a.store.ListCompanies(c.Request.Context(), f)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	out := CompanyList{Items: make([]CompanySummary, len(cs)), NextCursor: idCursor(next)}
	for i, co := range cs {
		out.Items[i] = companySummary(co)
	}
	c.JSON(http.StatusOK, out)
}

func companySummary(co store.Company) CompanySummary {
	return CompanySummary{CompanyID: co.CompanyID, ClientID: co.ClientID, ExternalRef: co.ExternalRef, WorkflowID: co.WorkflowID,
		Stage: co.Stage, Status: co.Status, Decision: co.Decision, UpdatedAt: co.UpdatedAt.UTC()}
}

// CompanyDetail is a company with its evidence trail.
type CompanyDetail struct {
	Company
	Timeline []Timeline `json:"timeline"`
}

func (a *API) company(c *gin.Context) {
	ctx := c.Request.Context()
	co, err := a.store.Company(ctx, c.Param("id"))
	if errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": "unknown company"})
		return
	}
	if err != nil {
		a.unavailable(c, err)
		return
	}
	events, err := a.store.TimelineOf(ctx, co.WorkflowID)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	var s workflows.State
	_ = json.Unmarshal([]byte(co.State), &s) // the columns stand even if the state cannot be read
	out := companyStateView(s)
	out.CompanySummary = companySummary(co) // the columns stand over the state
	c.JSON(http.StatusOK, CompanyDetail{Company: out, Timeline: timelineView(events)})
}

// companyStateView shows a company lifecycle's state in the API's shape.
func companyStateView(s workflows.State) Company {
	out := Company{CompanySummary: CompanySummary{CompanyID: s.CompanyID, ClientID: s.ClientID, ExternalRef: s.ExternalRef,
		WorkflowID: workflows.CompanyID(s.CompanyID), Stage: string(s.Stage), Status: s.Status, Decision: string(s.Decision),
		UpdatedAt: s.UpdatedAt.UTC()}, Beneficiaries: []string{}, Screenings: []idenfy.Screening{}}
	if s.Company != nil {
		out.Beneficiaries = append(out.Beneficiaries, s.Company.Beneficiaries...)
		out.Screenings = append(out.Screenings, s.Company.Screenings...)
	}
	return out
}
