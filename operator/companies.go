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

// Company is a KYB company lifecycle as the API shows it: the same stage
// and decision vocabulary as a verification.
type Company struct {
	CompanyID     string             `json:"companyId"`
	ClientID      string             `json:"clientId"`
	ExternalRef   string             `json:"externalRef"`
	WorkflowID    string             `json:"workflowId"`
	Stage         string             `json:"stage"`
	Status        string             `json:"status"`
	Decision      string             `json:"decision"`
	UpdatedAt     time.Time          `json:"updatedAt"`
	Beneficiaries []string           `json:"beneficiaries"` // linked KYC scanRefs
	Screenings    []idenfy.Screening `json:"screenings"`    // per subject, IDs and statuses only
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
	out.CompanyID, out.ClientID, out.ExternalRef, out.WorkflowID = co.CompanyID, co.ClientID, co.ExternalRef, co.WorkflowID
	out.Stage, out.Status, out.Decision, out.UpdatedAt = co.Stage, co.Status, co.Decision, co.UpdatedAt.UTC()
	c.JSON(http.StatusOK, CompanyDetail{Company: out, Timeline: timelineView(events)})
}

// companyStateView shows a company lifecycle's state in the API's shape.
func companyStateView(s workflows.State) Company {
	out := Company{CompanyID: s.CompanyID, ClientID: s.ClientID, ExternalRef: s.ExternalRef, WorkflowID: workflows.CompanyID(s.CompanyID),
		Stage: string(s.Stage), Status: s.Status, Decision: string(s.Decision), UpdatedAt: s.UpdatedAt.UTC(),
		Beneficiaries: []string{}, Screenings: []idenfy.Screening{}}
	if s.Company != nil {
		out.Beneficiaries = append(out.Beneficiaries, s.Company.Beneficiaries...)
		out.Screenings = append(out.Screenings, s.Company.Screenings...)
	}
	return out
}
