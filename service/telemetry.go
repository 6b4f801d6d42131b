package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	tallyv4 "github.com/uber-go/tally/v4"
	promreporter "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"

	"kycflow/activities"
)

// Telemetry is one process's metrics: kycflow's own and the Temporal SDK's,
// on one Prometheus registry (so /metrics shows both).
type Telemetry struct {
	reg      *prometheus.Registry
	temporal client.MetricsHandler
	// Activities are the activity metrics on the same registry.
	Activities *activities.Metrics
}

func NewTelemetry() *Telemetry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reporter := promreporter.NewReporter(promreporter.Options{Registerer: reg, OnRegisterError: func(error) {}})
	// No scope prefix: the SDK already names its metrics temporal_… (as
	// Temporal's SDK metrics reference lists them); a "temporal" prefix
	// exported temporal_temporal_request.
	scope, _ := tallyv4.NewRootScope(tallyv4.ScopeOptions{CachedReporter: reporter, Separator: promreporter.DefaultSeparator,
		SanitizeOptions: &sdktally.PrometheusSanitizeOptions}, time.Second)
	return &Telemetry{reg: reg, temporal: sdktally.NewMetricsHandler(scope), Activities: activities.NewMetrics(reg)}
}

// telemetryOf returns the process's Telemetry: the one dev shares between
// its serve and worker, or a new one.
func (c Config) telemetryOf() *Telemetry {
	if c.Telemetry != nil {
		return c.Telemetry
	}
	return NewTelemetry()
}

func (t *Telemetry) handler() http.Handler { return promhttp.HandlerFor(t.reg, promhttp.HandlerOpts{}) }

// serveMetrics serves GET /metrics on addr until ctx ends (the worker's
// metrics listener, KYCFLOW_METRICS_ADDR).
func serveMetrics(ctx context.Context, addr string, t *Telemetry, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s (KYCFLOW_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{"status":"ok"}`)) })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	log.Info("worker metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
