package operator

import (
	"context"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"kycflow/store"
)

// QueueCounter counts the compliance queue's open cases by kind and stage
// (store.DB.QueueDepth).
type QueueCounter interface {
	QueueDepth(ctx context.Context) (map[[2]string]int, error)
}

// Metrics are the operator API's metrics.
type Metrics struct {
	refusals *prometheus.CounterVec
}

// NewMetrics creates the operator metrics and registers them on reg:
// kycflow_operator_refusals_total{status}, and kycflow_queue_depth{kind,
// stage}, counted from queue on each scrape.
func NewMetrics(reg prometheus.Registerer, queue QueueCounter) *Metrics {
	m := &Metrics{refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kycflow_operator_refusals_total",
		Help: "Operator API (/v1) requests answered with a 4xx or 5xx status, by status.",
	}, []string{"status"})}
	// The answers the API gives are exported from the start, at zero, so
	// an alert on their rate sees the first one.
	for _, code := range []int{400, 401, 403, 404, 409, 413, 503, 504} {
		m.refusals.WithLabelValues(strconv.Itoa(code))
	}
	reg.MustRegister(m.refusals, &queueDepth{queue: queue, desc: prometheus.NewDesc("kycflow_queue_depth",
		"Cases waiting for a compliance officer, by kind (kyc, kyb) and stage (awaiting_compliance, aml_alert); read from the database on scrape.",
		[]string{"kind", "stage"}, nil)})
	return m
}

// countRefusals counts every /v1 answer of 400 or more (a nil Metrics
// counts nothing).
func (m *Metrics) countRefusals(c *gin.Context) {
	c.Next()
	if code := c.Writer.Status(); m != nil && code >= 400 {
		m.refusals.WithLabelValues(strconv.Itoa(code)).Inc()
	}
}

// queueDepth is a collector that counts the queue when scraped, so the
// gauge is as fresh as the scrape and costs nothing between scrapes.
type queueDepth struct {
	queue QueueCounter
	desc  *prometheus.Desc
}

// scrapeTimeout bounds the count on a scrape: a slow or failing database
// leaves the gauge out of that scrape (its absence is the signal) instead
// of hanging or failing the whole /metrics answer.
const scrapeTimeout = 2 * time.Second

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	// A scrape carries no context: the timeout is the bound.
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	depth, err := q.queue.QueueDepth(ctx)
	if err != nil {
		return
	}
	for _, kind := range []string{store.KindKYC, store.KindKYB} {
		for _, stage := range store.QueueStages {
			ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(depth[[2]string{kind, stage}]), kind, stage)
		}
	}
}
