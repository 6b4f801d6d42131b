// Package operator is kycflow's operator API for compliance staff and
// tools: the lifecycles (lists, detail with the evidence trail), the
// compliance queue, the inbox's events, reviews, redrives and a case's
// personal data. Every route requires a bearer token that proves a
// reviewer (identity) and a role that may use it; every query string and
// body is validated strictly (unknown or repeated keys are refused).
package operator

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"

	"kycflow/identity"
	"kycflow/store"
)

// Store is the part of the database the API uses.
type Store interface {
	CaseStore
	ListVerifications(ctx context.Context, f store.LifecycleFilter) ([]store.Verification, int64, error)
	ListCompanies(ctx context.Context, f store.LifecycleFilter) ([]store.Company, int64, error)
	Queue(ctx context.Context, f store.QueueFilter) ([]store.QueueItem, *store.QueueCursor, error)
	ListInbox(ctx context.Context, f store.InboxFilter) ([]store.InboxSummary, *store.InboxCursor, error)
	Company(ctx context.Context, companyID string) (store.Company, error)
	TimelineOf(ctx context.Context, workflowID string) ([]store.TimelineEvent, error)
}

// Authenticator tells who a bearer token proves (identity.Authenticator):
// identity.ErrUnauthenticated when nobody, another error when it could not
// tell.
type Authenticator interface {
	Authenticate(ctx context.Context, bearer string) (identity.Principal, error)
}

// Temporal is the part of the Temporal client the API uses.
type Temporal interface {
	UpdateWorkflow(ctx context.Context, options client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// Options configure the API.
type Options struct {
	// Auth authenticates every request's bearer token; nil refuses every
	// request.
	Auth Authenticator
	Log  *slog.Logger
	// Requeued is called after a redrive made an event pending (the
	// relay's wake-up).
	Requeued func()
	// ReviewTimeout (default DefaultReviewTimeout) bounds how long a review waits for the lifecycle to
	// take it (no worker running, Temporal slow); default 30 s.
	ReviewTimeout time.Duration
	// Metrics, when set, count the API's refusals (NewMetrics).
	Metrics *Metrics
}

// API serves /v1.
type API struct {
	store   Store
	cases   *Cases
	auth    Authenticator
	log     *slog.Logger
	metrics *Metrics
}

// New returns the API.
func New(s Store, t Temporal, o Options) *API {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	cases := &Cases{Store: s, Temporal: t, Log: o.Log, Requeued: o.Requeued, ReviewTimeout: o.ReviewTimeout}
	return &API{store: s, cases: cases, auth: o.Auth, log: o.Log, metrics: o.Metrics}
}

// Register adds the /v1 routes, each with the roles that may use it.
func (a *API) Register(r gin.IRouter) {
	v1 := r.Group("/v1", a.metrics.countRefusals, a.authenticate)
	read := allow(identity.Role.CanRead, "read")
	decide := allow(identity.Role.CanDecide, "decide reviews")
	v1.GET("/verifications", read, a.list)
	v1.GET("/verifications/:scanRef", read, a.detail)
	v1.GET("/verifications/:scanRef/personal-data", allow(identity.Role.CanViewPersonalData, "view personal data"), a.personalData)
	v1.POST("/verifications/:scanRef/review", decide, a.review)
	v1.GET("/companies", read, a.listCompanies)
	v1.GET("/companies/:id", read, a.company)
	v1.POST("/companies/:id/review", decide, a.reviewCompany)
	v1.GET("/queue", read, a.queue)
	v1.GET("/events", read, a.events)
	v1.POST("/events/:id/redrive", allow(identity.Role.CanRedrive, "redrive events"), a.redrive)
}

// principalKey holds the request's identity.Principal in the gin context.
const principalKey = "kycflow.principal"

// authenticate finds who the bearer token proves (401 for nobody, 503 when
// it cannot tell) and keeps the Principal in the gin context.
func (a *API) authenticate(c *gin.Context) {
	bearer, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	err := identity.ErrUnauthenticated
	var p identity.Principal
	if ok && a.auth != nil {
		p, err = a.auth.Authenticate(c.Request.Context(), bearer)
	}
	switch {
	case errors.Is(err, identity.ErrUnauthenticated):
		c.Header("WWW-Authenticate", `Bearer realm="kycflow"`)
		c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "missing or invalid bearer token"})
	case err != nil:
		a.unavailable(c, err)
		c.Abort()
	default:
		c.Set(principalKey, p)
		c.Next()
	}
}

// principal is who authenticated the request (the zero Principal, whom
// no role check lets through, before authenticate).
func principal(c *gin.Context) identity.Principal {
	v, _ := c.Get(principalKey)
	p, _ := v.(identity.Principal)
	return p
}

// allow lets a request through when its principal's role can (403
// otherwise, naming the role and what it may not do).
func allow(can func(identity.Role) bool, what string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := principal(c); !can(p.Role) {
			c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": "role " + string(p.Role) + " may not " + what})
			return
		}
		c.Next()
	}
}

func (a *API) unavailable(c *gin.Context, err error) {
	a.log.Error("operator API query failed", "path", c.FullPath(), "error", err)
	c.Header("Retry-After", "5")
	c.JSON(http.StatusServiceUnavailable, gin.H{"error": "temporarily unavailable"})
}
