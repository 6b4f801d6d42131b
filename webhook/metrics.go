package webhook

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kycflow/idenfy"
)

// Outcomes of a webhook request, as the outcome label and in request logs.
const (
	OutcomeAccepted    = "accepted"
	OutcomeDuplicate   = "duplicate"
	OutcomeQuarantined = "quarantined"
	OutcomeBadSig      = "invalid_signature"
	OutcomeForbidden   = "ip_not_allowed"
	OutcomeTooLarge    = "too_large"
	OutcomeBadRequest  = "bad_request"
	OutcomeUnavailable = "unavailable"
)

// Metrics are the ingest metrics.
type Metrics struct {
	requests      *prometheus.CounterVec
	quarantined   *prometheus.CounterVec
	notAllowedIPs *prometheus.CounterVec
	ack           *prometheus.HistogramVec
}

// NewMetrics creates the ingest metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_webhook_requests_total",
			Help: "Webhook requests by route and outcome.",
		}, []string{"route", "outcome"}),
		quarantined: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_inbox_quarantined_total",
			Help: "Authentic webhooks stored as quarantined because they could not be classified. Alert on any increase.",
		}, []string{"route"}),
		notAllowedIPs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_webhook_ip_not_allowed_total",
			Help: "Webhook requests from addresses outside the allowlist, by route and mode (enforce or report).",
		}, []string{"route", "mode"}),
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kycflow_webhook_ack_seconds",
			Help:    "Time from request start to acknowledgement, by route and outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "outcome"}),
	}
	reg.MustRegister(m.requests, m.quarantined, m.notAllowedIPs, m.ack)
	// The counters operators alert on exist from the start, at zero (an
	// absent series looks like a broken scrape), the allowlist's whether
	// or not an allowlist is configured.
	for _, route := range idenfy.Kinds {
		m.quarantined.WithLabelValues(string(route))
		for _, mode := range []string{ModeEnforce, ModeReport} {
			m.notAllowedIPs.WithLabelValues(string(route), mode)
		}
	}
	return m
}

// The methods accept a nil *Metrics, so tests may leave metrics out.

func (m *Metrics) observe(route idenfy.Kind, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(string(route), outcome).Inc()
	m.ack.WithLabelValues(string(route), outcome).Observe(d.Seconds())
}

func (m *Metrics) quarantine(route idenfy.Kind) {
	if m != nil {
		m.quarantined.WithLabelValues(string(route)).Inc()
	}
}

func (m *Metrics) notAllowed(route idenfy.Kind, mode string) {
	if m != nil {
		m.notAllowedIPs.WithLabelValues(string(route), mode).Inc()
	}
}
