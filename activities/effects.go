package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"kycflow/idenfy"
	"kycflow/outbound"
	"kycflow/workflows"
)

// Sink is one notification receiver and the events it wants (all when
// Events is empty).
type Sink struct {
	URL    string
	Events []string
}

func (s Sink) wants(event string) bool {
	if len(s.Events) == 0 {
		return true
	}
	for _, e := range s.Events {
		if e == event {
			return true
		}
	}
	return false
}

// Name identifies a sink on the timeline and in history by its host and a
// short fingerprint of the whole URL: the path or query may carry a token
// (Slack-style hook URLs are secrets).
func (s Sink) Name() string {
	host := "sink"
	if u, err := url.Parse(s.URL); err == nil && u.Host != "" {
		host = u.Host
	}
	return host + "~" + s.Key()
}

// Key is the sink's fingerprint in heartbeat details (which Temporal
// keeps): the URL itself never goes there.
func (s Sink) Key() string {
	sum := sha256.Sum256([]byte(s.URL))
	return hex.EncodeToString(sum[:4])
}

// Mailer sends one e-mail.
type Mailer interface {
	Send(ctx context.Context, subject, body string) error
}

// Effects are the downstream side effects: onboarding calls,
// notifications, and iDenfy status reconciliation.
type Effects struct {
	Sender        *outbound.Sender
	OnboardingURL string
	Sinks         []Sink
	Mailer        Mailer   // nil: no e-mail
	MailEvents    []string // events that also go out by e-mail
	IDenfy        *idenfy.Client
	Metrics       *Metrics // optional
}

const refusedPrefix = "refused:"

// onboardingBody is the JSON the onboarding endpoint receives.
type onboardingBody struct {
	Type string `json:"type"`
	workflows.OnboardingRequest
}

// Onboard posts a decision to the onboarding endpoint. The webhook-id is
// the request's MessageID on every attempt. A 2xx is done; a permanent
// refusal is a non-retryable OnboardingRejected error; anything else is
// retried by the activity's retry policy.
func (e *Effects) Onboard(ctx context.Context, req workflows.OnboardingRequest) (workflows.OnboardingOutcome, error) {
	if e.OnboardingURL == "" {
		e.Metrics.onboarded("skipped")
		return workflows.OnboardingOutcome{Skipped: true}, nil
	}
	body, err := json.Marshal(onboardingBody{Type: "verification.decision", OnboardingRequest: req})
	if err != nil {
		return workflows.OnboardingOutcome{}, temporal.NewNonRetryableApplicationError("encode onboarding body", workflows.ErrOnboardingRejected, err)
	}
	stop := heartbeat(ctx, nil)
	status, err := e.Sender.Post(ctx, e.OnboardingURL, req.MessageID, body)
	stop()
	if outbound.IsPermanent(err) {
		e.Metrics.onboarded("refused")
		return workflows.OnboardingOutcome{Status: status}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrOnboardingRejected, nil)
	}
	if err != nil {
		e.Metrics.onboarded("failed")
		return workflows.OnboardingOutcome{Status: status}, err
	}
	e.Metrics.onboarded("accepted")
	return workflows.OnboardingOutcome{Status: status}, nil
}

// Notify sends a notification to every sink that wants its event, and by
// e-mail when configured for it. What went out is kept in the heartbeat,
// so a retry after a partial failure sends only the rest (an e-mail is
// never sent twice by a retry).
func (e *Effects) Notify(ctx context.Context, n workflows.Notification) (workflows.NotifyOutcome, error) {
	return e.notify(ctx, n, true)
}

// mails reports whether a notification also goes out by e-mail.
func (e *Effects) mails(n workflows.Notification) bool {
	return e.Mailer != nil && contains(e.MailEvents, n.Event)
}

// notify is Notify, by e-mail too when mail is set.
func (e *Effects) notify(ctx context.Context, n workflows.Notification, mail bool) (workflows.NotifyOutcome, error) {
	prior := slices.Clone(n.Sent) // taken by an earlier call (a Deliver)
	if activity.HasHeartbeatDetails(ctx) {
		var beat []string
		_ = activity.GetHeartbeatDetails(ctx, &beat)
		for _, d := range beat {
			if !slices.Contains(prior, d) {
				prior = append(prior, d)
			}
		}
	}
	p := &progress{done: prior}
	sent := map[string]bool{}
	for i, d := range prior {
		if key := strings.TrimPrefix(d, refusedPrefix); strings.Contains(key, "://") {
			// An attempt from before sinks were named by fingerprint kept
			// the URL: use its fingerprint, never let the URL travel on.
			prior[i] = strings.TrimSuffix(d, key) + Sink{URL: key}.Key()
		}
		sent[strings.TrimPrefix(prior[i], refusedPrefix)] = true
	}
	body, err := json.Marshal(n)
	if err != nil {
		return workflows.NotifyOutcome{}, temporal.NewNonRetryableApplicationError("encode notification", "EncodeNotification", err)
	}
	// Heartbeat all along, not only between sinks: several slow sinks
	// must not look like a dead worker and get the finished ones resent.
	stop := heartbeat(ctx, p.snapshot)
	defer stop()
	var errs []error
	names := map[string]string{"email": "email"}
	for _, s := range e.Sinks {
		names[s.Key()] = s.Name()
		if !s.wants(n.Event) || sent[s.Key()] {
			continue
		}
		_, err := e.Sender.Post(ctx, s.URL, n.MessageID, body)
		if err != nil && !outbound.IsPermanent(err) {
			e.Metrics.notified("failed", "sink")
			errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
			continue
		}
		mark := s.Key()
		if err != nil { // refused for good: retrying cannot help
			e.Metrics.notified("refused", "sink")
			mark = refusedPrefix + mark
		} else {
			e.Metrics.notified("delivered", "sink")
		}
		sent[s.Key()] = true
		p.add(ctx, mark)
	}
	if mail && e.mails(n) && !sent["email"] {
		if err := e.Mailer.Send(ctx, mailSubject(n), mailBody(n)); err != nil {
			e.Metrics.notified("failed", "email")
			errs = append(errs, fmt.Errorf("e-mail: %w", err))
		} else {
			e.Metrics.notified("delivered", "email")
			p.add(ctx, "email")
		}
	}
	done := p.snapshot().([]string)
	out := workflows.NotifyOutcome{Sent: done}
	for _, d := range done {
		key := strings.TrimPrefix(d, refusedPrefix)
		name := names[key]
		if name == "" {
			name = "sink~" + key // removed from the configuration since
		}
		if key != d {
			name += " (refused)"
		}
		out.Delivered = append(out.Delivered, name)
	}
	return out, errors.Join(errs...)
}

// Reconcile asks iDenfy's status API for the current result of an overdue
// verification. iDenfy forbids polling: the workflow calls this once per
// overdue verification, and the retry policy backs off.
func (e *Effects) Reconcile(ctx context.Context, scanRef string) (workflows.ReconcileOutcome, error) {
	if e.IDenfy == nil {
		return workflows.ReconcileOutcome{}, temporal.NewNonRetryableApplicationError("iDenfy API not configured", workflows.ErrReconcileUnavailable, idenfy.ErrNotConfigured)
	}
	r, err := e.IDenfy.Status(ctx, scanRef)
	var apiErr *idenfy.APIError
	switch {
	case errors.Is(err, idenfy.ErrNotConfigured):
		return workflows.ReconcileOutcome{}, temporal.NewNonRetryableApplicationError("iDenfy API key and secret are not configured", workflows.ErrReconcileUnavailable, nil)
	case errors.As(err, &apiErr) && apiErr.Status == 404:
		return workflows.ReconcileOutcome{Found: false}, nil
	case errors.As(err, &apiErr) && !apiErr.Retryable():
		return workflows.ReconcileOutcome{}, temporal.NewNonRetryableApplicationError(apiErr.Error(), workflows.ErrReconcileUnavailable, nil)
	case err != nil:
		return workflows.ReconcileOutcome{}, err
	}
	ev := &workflows.Event{Kind: string(idenfy.KindKYC), EventType: "STATUS_API", ScanRef: scanRef, ClientID: r.ClientID,
		ReceivedAt: time.Now().UTC(), Reconciled: true, Summary: r.Summary()}
	return workflows.ReconcileOutcome{Found: true, Event: ev}, nil
}

// heartbeat reports liveness, with details when given, while a slow call
// runs, so a killed worker's attempt is retried within the heartbeat
// timeout, not the whole start-to-close timeout.
func heartbeat(ctx context.Context, details func() any) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if details != nil {
					activity.RecordHeartbeat(ctx, details())
				} else {
					activity.RecordHeartbeat(ctx)
				}
			}
		}
	}()
	return func() { close(done) }
}

// progress is what a notification has delivered so far, shared with the
// heartbeat goroutine.
type progress struct {
	mu   sync.Mutex
	done []string
}

func (p *progress) add(ctx context.Context, mark string) {
	p.mu.Lock()
	p.done = append(p.done, mark)
	snap := slices.Clone(p.done)
	p.mu.Unlock()
	activity.RecordHeartbeat(ctx, snap)
}

func (p *progress) snapshot() any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.done)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mailSubject(n workflows.Notification) string {
	return fmt.Sprintf("[kycflow] %s: %s", n.Event, n.ScanRef)
}

func mailBody(n workflows.Notification) string {
	return fmt.Sprintf("Event: %s\nscanRef: %s\nclientId: %s\nexternalRef: %s\nStage: %s\nStatus: %s\nDecision: %s\n\n%s\n\nAt: %s\n",
		n.Event, n.ScanRef, n.ClientID, n.ExternalRef, n.Stage, n.Status, n.Decision, n.Detail, n.At.UTC().Format(time.RFC3339))
}
