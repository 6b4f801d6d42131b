package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"kycflow/worker"
)

func temporalOptions(cfg Config, log *slog.Logger) client.Options {
	o := client.Options{HostPort: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, Logger: worker.Logger(log.With("component", "temporal"))}
	if cfg.Telemetry != nil {
		o.MetricsHandler = cfg.Telemetry.temporal
	}
	return o
}

// Dial connects to Temporal, waiting (with backoff, until ctx ends)
// while it is not reachable: a worker started before its server simply
// waits for it.
func Dial(ctx context.Context, cfg Config, log *slog.Logger) (client.Client, error) {
	delay := 500 * time.Millisecond
	for {
		c, err := client.DialContext(ctx, temporalOptions(cfg, log))
		if err == nil {
			return c, nil
		}
		log.Warn("Temporal not reachable yet; retrying", "address", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace, "retry_in", delay, "error", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, ctx.Err())
		case <-time.After(delay):
		}
		delay = min(delay*2, 15*time.Second)
	}
}
