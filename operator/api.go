// Package operator is kycflow's operator API: the read side of the
// lifecycles (list, detail with the evidence trail) for compliance staff and
// tools. Every route requires the bearer token.
package operator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"kycflow/store"
	"kycflow/workflows"
)

// Store is the part of the database the API uses.
type Store interface {
	Verification(ctx context.Context, scanRef string) (store.Verification, error)
	Timeline(ctx context.Context, scanRef string) ([]store.TimelineEvent, error)
	ListVerifications(ctx context.Context, f store.LifecycleFilter) ([]store.Verification, int64, error)
	InboxEvent(ctx context.Context, id int64) (store.InboxEvent, error)
	Requeue(ctx context.Context, id int64, r store.Routing) error
	Company(ctx context.Context, companyID string) (store.Company, error)
	TimelineOf(ctx context.Context, workflowID string) ([]store.TimelineEvent, error)
}

// Temporal is the part of the Temporal client the API uses.
type Temporal interface {
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// Options configure the API.
type Options struct {
	Token string // bearer token; empty refuses every request
	Log   *slog.Logger
	// Requeued is called after a redrive made an event pending (the
	// relay's wake-up).
	Requeued func()
	// ReviewTimeout bounds how long a review waits for the lifecycle to
	// take it (no worker running, Temporal slow); default 30 s.
	ReviewTimeout time.Duration
}

// API serves /v1.
type API struct {
	store     Store
	temporal  Temporal
	tokenHash [sha256.Size]byte
	hasToken  bool
	log       *slog.Logger
	requeued  func()
	reviewFor time.Duration
}

// New returns the API.
func New(s Store, t Temporal, o Options) *API {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Requeued == nil {
		o.Requeued = func() {}
	}
	if o.ReviewTimeout <= 0 {
		o.ReviewTimeout = 30 * time.Second
	}
	return &API{store: s, temporal: t, tokenHash: sha256.Sum256([]byte(o.Token)), hasToken: o.Token != "", log: o.Log, requeued: o.Requeued,
		reviewFor: o.ReviewTimeout}
}

// Register adds the /v1 routes.
func (a *API) Register(r gin.IRouter) {
	v1 := r.Group("/v1", a.authenticate)
	v1.GET("/verifications", a.list)
	v1.GET("/verifications/:scanRef", a.detail)
	v1.POST("/verifications/:scanRef/review", a.review)
	v1.GET("/companies/:id", a.company)
	v1.POST("/companies/:id/review", a.reviewCompany)
	v1.POST("/events/:id/redrive", a.redrive)
}

// authenticate checks the bearer token in constant time (both sides hashed
// to equal length first).
func (a *API) authenticate(c *gin.Context) {
	got, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	sum := sha256.Sum256([]byte(got))
	if !ok || !a.hasToken || subtle.ConstantTimeCompare(sum[:], a.tokenHash[:]) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="kycflow"`)
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "missing or invalid bearer token"})
		return
	}
	c.Next()
}

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
	events, err := a.store.Timeline(ctx, scanRef)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	c.JSON(http.StatusOK, Detail{Verification: view(v), Monitoring: monitoringView(v), Timeline: timelineView(events)})
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

func (a *API) list(c *gin.Context) {
	f := store.LifecycleFilter{Stage: c.Query("stage"), Status: c.Query("status"), Decision: c.Query("decision"), Limit: 50}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "limit must be an integer from 1 to 500"})
			return
		}
		f.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			c.JSON(http.StatusBadRequest, gin.H{"error": "invalid cursor"})
			return
		}
		f.After = n
	}
	vs, next, err := a.store.ListVerifications(c.Request.Context(), f)
	if err != nil {
		a.unavailable(c, err)
		return
	}
	out := List{Items: make([]Verification, len(vs))}
	for i, v := range vs {
		out.Items[i] = view(v)
	}
	if next != 0 {
		s := strconv.FormatInt(next, 10)
		out.NextCursor = &s
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) unavailable(c *gin.Context, err error) {
	a.log.Error("operator API query failed", "path", c.FullPath(), "error", err)
	c.Header("Retry-After", "5")
	c.JSON(http.StatusServiceUnavailable, gin.H{"error": "temporarily unavailable"})
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
