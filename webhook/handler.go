// Package webhook receives iDenfy webhooks: read → allowlist → verify →
// classify → store in the inbox → acknowledge. The acknowledgement depends on
// one local database commit only, never on Temporal or anything downstream.
package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kycflow/httpserver"
	"kycflow/idenfy"
	"kycflow/store"
)

// Inbox stores authentic deliveries.
type Inbox interface {
	InsertInbox(ctx context.Context, e store.NewInboxEvent) (store.Stored, error)
}

// DefaultMaxBodyBytes is the default body limit: 5 MiB.
const DefaultMaxBodyBytes = 5 << 20

// preallocateBytes is the most buffer a request's Content-Length reserves
// before its bytes arrive.
const preallocateBytes = 64 << 10

// Options configure the handler.
type Options struct {
	// Keys are the active signing keys per route; several allow rotation.
	Keys map[idenfy.Kind][][]byte
	// AllowUnsigned accepts requests without a valid signature on routes
	// that have no keys. Only for local development.
	AllowUnsigned bool
	// MaxBodyBytes limits the body (default 5 MiB).
	MaxBodyBytes int64
	// Allowlist restricts source addresses; nil allows all.
	Allowlist *Allowlist
	// StoreTimeout bounds the inbox write (default 1 s), so a hanging
	// database yields 503 well inside iDenfy's 10-second budget.
	StoreTimeout time.Duration
	// RetryAfter is the Retry-After sent with 503 (default 5 s).
	RetryAfter time.Duration
	Log        *slog.Logger
	Metrics    *Metrics
	Now        func() time.Time
	// OnStored is called after a new event committed as pending (the
	// relay's wake-up). It must not block.
	OnStored func()
}

// Handler serves the webhook routes.
type Handler struct {
	inbox Inbox
	opts  Options
}

// storedHeaders are the request headers kept with each delivery. The
// signature is kept as evidence of authenticity.
var storedHeaders = []string{idenfy.EventTypeHeader, idenfy.SignatureHeader, "Content-Type", "User-Agent", "X-Forwarded-For", "X-Request-Id"}

// New returns a handler that stores deliveries in inbox.
func New(inbox Inbox, opts Options) *Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.StoreTimeout <= 0 {
		opts.StoreTimeout = time.Second
	}
	if opts.RetryAfter <= 0 {
		opts.RetryAfter = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Handler{inbox: inbox, opts: opts}
}

// Path returns the route path of a webhook kind.
func Path(k idenfy.Kind) string { return "/webhooks/idenfy/" + string(k) }

// Register adds POST /webhooks/idenfy/{kyc,kyb,aml}.
func (h *Handler) Register(r gin.IRoutes) {
	for _, k := range idenfy.Kinds {
		r.POST(Path(k), h.ingest(k))
	}
}

// UnsignedRoutes lists the routes that accept unsigned requests.
func (h *Handler) UnsignedRoutes() []idenfy.Kind {
	var out []idenfy.Kind
	for _, k := range idenfy.Kinds {
		if len(h.opts.Keys[k]) == 0 && h.opts.AllowUnsigned {
			out = append(out, k)
		}
	}
	return out
}

func (h *Handler) ingest(route idenfy.Kind) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := h.opts.Now()
		ip := c.ClientIP()
		if !h.allowed(c, route, ip) {
			h.finish(c, route, start, OutcomeForbidden, http.StatusForbidden, gin.H{"error": "source address not allowed"})
			return
		}
		body, outcome := h.readBody(c)
		if outcome != "" {
			status := http.StatusBadRequest
			if outcome == OutcomeTooLarge {
				status = http.StatusRequestEntityTooLarge
			}
			h.finish(c, route, start, outcome, status, gin.H{"error": http.StatusText(status)})
			return
		}
		if !h.authentic(route, body, c.GetHeader(idenfy.SignatureHeader)) {
			sum := sha256.Sum256(body)
			h.opts.Log.Warn("webhook signature invalid", "route", route, "remote_ip", ip, "bytes", len(body),
				"body_sha256", hex.EncodeToString(sum[:]), "signature_present", c.GetHeader(idenfy.SignatureHeader) != "")
			h.finish(c, route, start, OutcomeBadSig, http.StatusUnauthorized, gin.H{"error": "invalid signature"})
			return
		}
		class, classErr := idenfy.Classify(route, c.GetHeader(idenfy.EventTypeHeader), body)
		stored, err := h.store(c.Request.Context(), route, body, c.Request.Header, ip, class, classErr)
		if err != nil {
			h.opts.Log.Error("webhook not stored", "route", route, "error", err)
			c.Header("Retry-After", retryAfter(h.opts.RetryAfter))
			h.finish(c, route, start, OutcomeUnavailable, http.StatusServiceUnavailable, gin.H{"error": "temporarily unavailable"})
			return
		}
		httpserver.Annotate(c, "inbox_id", stored.ID, "event_type", class.EventType, "subject", class.Subject)
		switch {
		case stored.Duplicate:
			h.finish(c, route, start, OutcomeDuplicate, http.StatusOK, gin.H{"status": OutcomeDuplicate, "id": stored.ID})
		case classErr != nil:
			h.opts.Metrics.quarantine(route)
			h.opts.Log.Warn("webhook quarantined", "route", route, "inbox_id", stored.ID, "event_type", class.EventType, "reason", classErr.Error())
			h.finish(c, route, start, OutcomeQuarantined, http.StatusAccepted, gin.H{"status": OutcomeQuarantined, "id": stored.ID})
		default:
			if h.opts.OnStored != nil {
				h.opts.OnStored()
			}
			h.finish(c, route, start, OutcomeAccepted, http.StatusOK, gin.H{"status": OutcomeAccepted, "id": stored.ID})
		}
	}
}

func (h *Handler) allowed(c *gin.Context, route idenfy.Kind, ip string) bool {
	a := h.opts.Allowlist
	if a.Allows(ip) {
		return true
	}
	mode := ModeReport
	if a.Enforced() {
		mode = ModeEnforce
	}
	h.opts.Metrics.notAllowed(route, mode)
	h.opts.Log.Warn("webhook from address outside the allowlist", "route", route, "remote_ip", ip, "mode", mode)
	return !a.Enforced()
}

// readBody reads the whole raw body within the limit. It returns a non-empty
// outcome when the request must be refused.
func (h *Handler) readBody(c *gin.Context) ([]byte, string) {
	if c.Request.ContentLength > h.opts.MaxBodyBytes {
		return nil, OutcomeTooLarge
	}
	limited := http.MaxBytesReader(c.Writer, c.Request.Body, h.opts.MaxBodyBytes)
	var (
		body []byte
		err  error
	)
	if n := c.Request.ContentLength; n > 0 && n <= preallocateBytes {
		// Read into one buffer of the announced size instead of one grown
		// from 512 bytes (nearly every webhook).
		buf := bytes.NewBuffer(make([]byte, 0, n+bytes.MinRead))
		_, err = buf.ReadFrom(limited)
		body = buf.Bytes()
	} else {
		body, err = io.ReadAll(limited)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, OutcomeTooLarge
	case err != nil:
		return nil, OutcomeBadRequest
	}
	return body, ""
}

func (h *Handler) authentic(route idenfy.Kind, body []byte, signature string) bool {
	keys := h.opts.Keys[route]
	if len(keys) == 0 {
		return h.opts.AllowUnsigned
	}
	return idenfy.Verify(body, signature, keys)
}

// store writes the delivery. The write is detached from the client's
// cancellation: an authentic event is kept even if iDenfy hangs up.
func (h *Handler) store(ctx context.Context, route idenfy.Kind, body []byte, header http.Header, ip string,
	class idenfy.Classification, classErr error) (store.Stored, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.opts.StoreTimeout)
	defer cancel()
	e := store.NewInboxEvent{
		Route: string(route), Body: body, Headers: selectHeaders(header), RemoteIP: ip,
		Status: store.StatusPending, Kind: string(class.Kind), EventType: class.EventType,
		SubjectType: class.SubjectType, Subject: class.Subject, ScanRefs: class.ScanRefs,
		CompanyID: class.CompanyID, ClientID: class.ClientID, ExternalRef: class.ExternalRef,
	}
	if classErr != nil {
		e.Status, e.QuarantineReason = store.StatusQuarantined, classErr.Error()
	}
	return h.inbox.InsertInbox(ctx, e)
}

func (h *Handler) finish(c *gin.Context, route idenfy.Kind, start time.Time, outcome string, status int, body gin.H) {
	httpserver.Annotate(c, "route", string(route), "outcome", outcome)
	h.opts.Metrics.observe(route, outcome, h.opts.Now().Sub(start))
	c.JSON(status, body)
}

func selectHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			out[name] = v
		}
	}
	return out
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}
