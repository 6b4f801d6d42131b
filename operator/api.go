// Package operator is kycflow's operator API for compliance staff and
// tools: the lifecycles (lists, detail with the evidence trail), the
// compliance queue, the inbox's events, reviews and redrives. Every route
// requires the bearer token; every query string and body is validated
// strictly (unknown or repeated keys are refused).
package operator

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"kycflow/store"
)

// Store is the part of the database the API uses.
type Store interface {
	Verification(ctx context.Context, scanRef string) (store.Verification, error)
	Timeline(ctx context.Context, scanRef string) ([]store.TimelineEvent, error)
	ListVerifications(ctx context.Context, f store.LifecycleFilter) ([]store.Verification, int64, error)
	ListCompanies(ctx context.Context, f store.LifecycleFilter) ([]store.Company, int64, error)
	Queue(ctx context.Context, f store.QueueFilter) ([]store.QueueItem, *store.QueueCursor, error)
	ListInbox(ctx context.Context, f store.InboxFilter) ([]store.InboxSummary, *store.InboxCursor, error)
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
	// Metrics, when set, count the API's refusals (NewMetrics).
	Metrics *Metrics
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
	metrics   *Metrics
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
		reviewFor: o.ReviewTimeout, metrics: o.Metrics}
}

// Register adds the /v1 routes.
func (a *API) Register(r gin.IRouter) {
	v1 := r.Group("/v1", a.metrics.countRefusals, a.authenticate)
	v1.GET("/verifications", a.list)
	v1.GET("/verifications/:scanRef", a.detail)
	v1.POST("/verifications/:scanRef/review", a.review)
	v1.GET("/companies", a.listCompanies)
	v1.GET("/companies/:id", a.company)
	v1.POST("/companies/:id/review", a.reviewCompany)
	v1.GET("/queue", a.queue)
	v1.GET("/events", a.events)
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

func (a *API) unavailable(c *gin.Context, err error) {
	a.log.Error("operator API query failed", "path", c.FullPath(), "error", err)
	c.Header("Retry-After", "5")
	c.JSON(http.StatusServiceUnavailable, gin.H{"error": "temporarily unavailable"})
}
