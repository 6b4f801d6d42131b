package service

import (
	"context"
	"kycflow/activities"
	"kycflow/worker"
	"log/slog"

	sdkworker "go.temporal.io/sdk/worker"
)

// Worker runs the Temporal worker until ctx ends.
func Worker(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting kycflow worker", "config", cfg)
	db, err := OpenStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.Telemetry = cfg.telemetryOf()
	if cfg.MetricsAddr != "" {
		metricsCtx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := serveMetrics(metricsCtx, cfg.MetricsAddr, cfg.Telemetry, log); err != nil {
				log.Error("worker metrics listener stopped", "error", err)
			}
		}()
	}
	c, err := Dial(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer c.Close()
	if cfg.WorkerCache > 0 {
		sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerCache) // process-wide; before the worker starts
	}
	log.Info("worker polling", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNamespace)
	return worker.Run(ctx, c, cfg.TaskQueue, &activities.Lifecycle{Store: db, Metrics: cfg.Telemetry.Activities}, cfg.Effects())
}
