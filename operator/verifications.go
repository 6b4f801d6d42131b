package operator

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/store"
	"kycflow/workflows"
)

// Verification is a lifecycle as the API shows it.
type Verification struct {
	ScanRef     string    `json:"scanRef"`
	ClientID    string    `json:"clientId"`
	ExternalRef string    `json:"externalRef"`
	WorkflowID  string    `json:"workflowId"`
	Stage       string    `json:"stage"`
	Status      string    `json:"status"`
	Final       bool      `json:"final"`
	Decision    string    `json:"decision"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Detail is a lifecycle with its AML monitoring and whole evidence trail.
type Detail struct {
	Verification
	Monitoring MonitoringView `json:"monitoring"`
	Timeline   []Timeline     `json:"timeline"`
}

// MonitoringView is a lifecycle's AML monitoring.
type MonitoringView struct {
	Active        bool     `json:"active"`
	Alert         bool     `json:"alert"`
	MonitoringIDs []string `json:"monitoringIds"`
}

// Timeline is one line of the evidence trail.
type Timeline struct {
	// Seq orders the lifecycle's own entries; 0 for entries recorded
	// outside it (personal_data_viewed).
	Seq     int64     `json:"seq"`
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	InboxID *int64    `json:"inboxId"`
	Detail  string    `json:"detail"`
}

// List is a page of verifications.
type List struct {
	Items      []Verification `json:"items"`
	NextCursor *string        `json:"nextCursor"`
}

func (a *API) detail(c *gin.Context) {
	ctx := c.Request.Context()
	scanRef := c.Param("scanRef")
	v, err := a.store.Verification(ctx, scanRef)
	if errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": "unknown scanRef"})
		return
	}
	if err != nil {
		a.unavailable(c, err)
		return
	}
	timeline, err := a.cases.VerificationTimeline(ctx, scanRef)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	c.JSON(http.StatusOK, Detail{Verification: view(v), Monitoring: monitoringView(v), Timeline: timeline})
}

func timelineView(events []store.TimelineEvent) []Timeline {
	out := make([]Timeline, len(events))
	for i, e := range events {
		out[i] = Timeline{Seq: e.Seq, Type: e.Type, At: e.At.UTC(), Detail: e.Detail}
		if e.InboxID.Valid {
			id := e.InboxID.Int64
			out[i].InboxID = &id
		}
	}
	return out
}

// lifecycleFilters are the query parameters of the verification and
// company lists.
var lifecycleFilters = map[string]check{"stage": oneOf(stages...), "status": status, "decision": oneOf(decisions...),
	"clientId": identifier, "limit": pageLimit, "cursor": cursorOf(parseID)}

// lifecycleFilter reads the filters of a verification or company list.
func lifecycleFilter(c *gin.Context) (store.LifecycleFilter, error) {
	q, err := readQuery(c, lifecycleFilters)
	if err != nil {
		return store.LifecycleFilter{}, err
	}
	after, _ := parseID(q["cursor"])
	return store.LifecycleFilter{Stage: q["stage"], Status: q["status"], Decision: q["decision"], ClientID: q["clientId"],
		Limit: q.limit(), After: after}, nil
}

func (a *API) list(c *gin.Context) {
	f, err := lifecycleFilter(c)
	if err != nil {
		a.refuse(c, err)
		return
	}
	vs, next, err := a.store.ListVerifications(c.Request.Context(), f)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	out := List{Items: make([]Verification, len(vs)), NextCursor: idCursor(next)}
	for i, v := range vs {
		out.Items[i] = view(v)
	}
	c.JSON(http.StatusOK, out)
}

func view(v store.Verification) Verification {
	return Verification{
		ScanRef: v.ScanRef, ClientID: v.ClientID, ExternalRef: v.ExternalRef, WorkflowID: v.WorkflowID,
		Stage: v.Stage, Status: v.Status, Final: v.Final, Decision: v.Decision, UpdatedAt: v.UpdatedAt.UTC(),
	}
}

// monitoringView reads the monitoring part of the stored workflow state.
func monitoringView(v store.Verification) MonitoringView {
	out := MonitoringView{MonitoringIDs: []string{}}
	var s workflows.State
	if json.Unmarshal([]byte(v.State), &s) != nil || s.Monitoring == nil {
		return out
	}
	out.Active, out.Alert = s.Monitoring.Active, s.Monitoring.Alert
	out.MonitoringIDs = append(out.MonitoringIDs, s.Monitoring.IDs...)
	return out
}
