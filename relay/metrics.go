package relay

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the relay's metrics.
type Metrics struct {
	outcomes *prometheus.CounterVec
	lagSecs  prometheus.Gauge
	pendingN *prometheus.GaugeVec
}

// NewMetrics creates the relay metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kycflow_relay_events_total",
			Help: "Inbox events handled by the relay, by kind and outcome (dispatched, retry, quarantined).",
		}, []string{"kind", "outcome"}),
		lagSecs: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kycflow_inbox_lag_seconds",
			Help: "Age of the oldest pending inbox event the relay delivers; 0 when none is pending.",
		}),
	}
	m.pendingN = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "kycflow_inbox_pending",
		Help: "Pending inbox events by kind (kyc, kyb, aml).",
	}, []string{"kind"})
	reg.MustRegister(m.outcomes, m.lagSecs, m.pendingN)
	return m
}

func (m *Metrics) outcome(kind, outcome string) {
	if m != nil {
		m.outcomes.WithLabelValues(kind, outcome).Inc()
	}
}

func (m *Metrics) lag(d time.Duration) {
	if m != nil {
		m.lagSecs.Set(d.Seconds())
	}
}

func (m *Metrics) pending(counts map[string]int) {
	if m == nil {
		return
	}
	for _, kind := range []string{"kyc", "kyb", "aml"} {
		m.pendingN.WithLabelValues(kind).Set(float64(counts[kind]))
	}
}
