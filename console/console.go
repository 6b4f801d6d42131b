// Package console is the compliance officers' pages at /console: the queue
// of cases waiting for a person, each case with the reasons that put it
// there and its evidence trail, decisions sent through the lifecycle's
// review Update, an explicit and recorded look at a case's personal data,
// and, for admins, the quarantined inbox events with a redrive button.
//
// It is html/template over embedded assets and needs no JavaScript. A
// reviewer signs in through an OpenID Connect provider (OIDC) or with a
// local password (LocalReviewer, for `kycflow dev`); the session is stored
// in the database (the cookie holds a random id, the table its SHA-256), so
// every serve replica knows it. Every form post carries the session's CSRF
// token, the whole console sits behind net/http's CrossOriginProtection,
// and every answer carries a strict Content-Security-Policy.
package console

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"kycflow/identity"
	"kycflow/operator"
	"kycflow/store"
	"kycflow/workflows"
)

// Path is where the console is served.
const Path = "/console"

// Store is the part of the database the console reads and its sessions.
type Store interface {
	Verification(ctx context.Context, scanRef string) (store.Verification, error)
	Company(ctx context.Context, companyID string) (store.Company, error)
	TimelineOf(ctx context.Context, workflowID string) ([]store.TimelineEvent, error)
	Queue(ctx context.Context, f store.QueueFilter) ([]store.QueueItem, *store.QueueCursor, error)
	ListInbox(ctx context.Context, f store.InboxFilter) ([]store.InboxSummary, *store.InboxCursor, error)
	CreateSession(ctx context.Context, idHash []byte, p identity.Principal, csrfToken string, ttl time.Duration) (store.Session, error)
	Session(ctx context.Context, idHash []byte) (store.Session, error)
	DeleteSession(ctx context.Context, idHash []byte) error
	DeleteExpiredSessions(ctx context.Context) (int64, error)
}

// Cases is what the console does to a case, shared with the operator API
// (operator.Cases).
type Cases interface {
	Review(ctx context.Context, workflowID string, rv workflows.Review) operator.ReviewResult
	PersonalData(ctx context.Context, p identity.Principal, scanRef string, after int64, limit int) (operator.PersonalData, error)
	Redrive(ctx context.Context, id int64) error
	VerificationTimeline(ctx context.Context, scanRef string) ([]operator.Timeline, error)
}

// OIDC is sign-in through an OpenID Connect provider. Begin sends the
// browser to the provider; Finish completes the provider's callback and
// returns who signed in, or an error (a sign-in refused, for example
// because the provider names no known role). An error with a
// `UserMessage() string` method in its chain is shown with that message;
// any other gets a generic refusal page.
type OIDC interface {
	Begin(w http.ResponseWriter, r *http.Request)
	Finish(w http.ResponseWriter, r *http.Request) (identity.Principal, error)
}

// Options configure the console.
type Options struct {
	// Log receives IDs, names and types only; nil discards.
	Log *slog.Logger
	// Local are the reviewers who sign in with a password (kycflow dev);
	// empty: no password sign-in.
	Local []LocalReviewer
	// OIDC, when not nil, signs reviewers in through an identity
	// provider. With neither OIDC nor Local, the console is off and says
	// how to turn it on.
	OIDC OIDC
	// InsecureCookies drops the session cookie's Secure attribute, for
	// plain-HTTP development only (kycflow dev).
	InsecureCookies bool
	// SessionTTL is a session's absolute lifetime (default 8 h).
	SessionTTL time.Duration
	// TemporalUIURL, when set, links each case to its workflow in the
	// Temporal Web UI, in Namespace.
	TemporalUIURL, Namespace string
	// Now is the clock of what the pages show (overdue reviews); default
	// time.Now. Sessions use the store's clock.
	Now func() time.Time
}

// DefaultSessionTTL is a session's lifetime unless configured.
const DefaultSessionTTL = 8 * time.Hour

// Console serves /console.
type Console struct {
	store   Store
	cases   Cases
	o       Options
	log     *slog.Logger
	pages   *pages
	dummy   []byte // a bcrypt hash compared when a name is unknown
	handler http.Handler
}

// New returns the console over s and cases.
func New(s Store, cases Cases, o Options) *Console {
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Console{store: s, cases: cases, o: o, log: o.Log, pages: mustParsePages()}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.dummy = dummyHash(o.Local)
	c.handler = c.routes()
	return c
}

// On reports whether anyone can sign in: an identity provider or local
// reviewers are configured.
func (c *Console) On() bool { return c.o.OIDC != nil || len(c.o.Local) > 0 }

// ServeHTTP serves a console request, every answer with the security
// headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	secureHeaders(w.Header())
	c.handler.ServeHTTP(w, r)
}
