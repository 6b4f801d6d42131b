package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
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

// Name identifies a sink on the timeline without its query string (which
// may carry a token).
func (s Sink) Name() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "sink"
	}
	return u.Host + u.Path
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
		return workflows.OnboardingOutcome{Skipped: true}, nil
	}
	body, err := json.Marshal(onboardingBody{Type: "verification.decision", OnboardingRequest: req})
	if err != nil {
		return workflows.OnboardingOutcome{}, temporal.NewNonRetryableApplicationError("encode onboarding body", workflows.ErrOnboardingRejected, err)
	}
	stop := heartbeat(ctx)
	status, err := e.Sender.Post(ctx, e.OnboardingURL, req.MessageID, body)
	stop()
	if outbound.IsPermanent(err) {
		return workflows.OnboardingOutcome{Status: status}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrOnboardingRejected, nil)
	}
	if err != nil {
		return workflows.OnboardingOutcome{Status: status}, err
	}
	return workflows.OnboardingOutcome{Status: status}, nil
}

// Notify sends a notification to every sink that wants its event, and by
// e-mail when configured for it. What went out is kept in the heartbeat,
// so a retry after a partial failure sends only the rest (an e-mail is
// never sent twice by a retry).
func (e *Effects) Notify(ctx context.Context, n workflows.Notification) (workflows.NotifyOutcome, error) {
	var done []string
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &done)
	}
	sent := map[string]bool{}
	for _, d := range done {
		sent[strings.TrimPrefix(d, refusedPrefix)] = true
	}
	body, err := json.Marshal(n)
	if err != nil {
		return workflows.NotifyOutcome{}, temporal.NewNonRetryableApplicationError("encode notification", "EncodeNotification", err)
	}
	var errs []error
	for _, s := range e.Sinks {
		if !s.wants(n.Event) || sent[s.URL] {
			continue
		}
		_, err := e.Sender.Post(ctx, s.URL, n.MessageID, body)
		if err != nil && !outbound.IsPermanent(err) {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name(), err))
			continue
		}
		mark := s.URL
		if err != nil { // refused for good: retrying cannot help
			mark = refusedPrefix + s.URL
		}
		sent[s.URL] = true
		done = append(done, mark)
		activity.RecordHeartbeat(ctx, done)
	}
	if e.Mailer != nil && contains(e.MailEvents, n.Event) && !sent["email"] {
		if err := e.Mailer.Send(ctx, mailSubject(n), mailBody(n)); err != nil {
			errs = append(errs, fmt.Errorf("e-mail: %w", err))
		} else {
			done = append(done, "email")
			activity.RecordHeartbeat(ctx, done)
		}
	}
	out := workflows.NotifyOutcome{}
	for _, d := range done {
		switch {
		case d == "email":
			out.Delivered = append(out.Delivered, "email")
		case strings.HasPrefix(d, refusedPrefix):
			out.Delivered = append(out.Delivered, Sink{URL: strings.TrimPrefix(d, refusedPrefix)}.Name()+" (refused)")
		default:
			out.Delivered = append(out.Delivered, Sink{URL: d}.Name())
		}
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

// heartbeat reports liveness while a slow call runs, so a killed worker's
// attempt is retried within the heartbeat timeout, not the whole
// start-to-close timeout.
func heartbeat(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
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
