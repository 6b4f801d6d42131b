package activities

import "github.com/prometheus/client_golang/prometheus"

// Metrics count what the lifecycles decided and what the side effects
// achieved. A nil *Metrics counts nothing.
type Metrics struct {
	decisions  *prometheus.CounterVec
	onboarding *prometheus.CounterVec
	notify     *prometheus.CounterVec
}

// NewMetrics registers the activities' metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_decisions_total",
			Help: "Decisions recorded, by lifecycle kind (kyc, kyb) and decision (approved, rejected, resubmission_requested), revisions included.",
		}, []string{"kind", "decision"}),
		onboarding: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_onboarding_calls_total",
			Help: "Onboarding call attempts by outcome (accepted, refused, failed, skipped). Alert on refused and on a growing failed rate.",
		}, []string{"outcome"}),
		notify: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_notifications_total",
			Help: "Notification deliveries by outcome (delivered, refused, failed) and channel (sink, email).",
		}, []string{"outcome", "channel"}),
	}
	reg.MustRegister(m.decisions, m.onboarding, m.notify)
	return m
}

func (m *Metrics) decided(kind, decision string) {
	if m != nil {
		m.decisions.WithLabelValues(kind, decision).Inc()
	}
}

func (m *Metrics) onboarded(outcome string) {
	if m != nil {
		m.onboarding.WithLabelValues(outcome).Inc()
	}
}

func (m *Metrics) notified(outcome, channel string) {
	if m != nil {
		m.notify.WithLabelValues(outcome, channel).Inc()
	}
}
