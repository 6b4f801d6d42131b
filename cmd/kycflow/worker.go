package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
	sdkworker "go.temporal.io/sdk/worker"

	"kycflow/activities"
	"kycflow/worker"
)

func newWorkerCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "worker",
		Short: "Run the Temporal worker that executes the lifecycles",
		Long: `worker polls KYCFLOW_TASK_QUEUE on the Temporal server at TEMPORAL_ADDRESS
(namespace TEMPORAL_NAMESPACE) and runs the verification workflows and their activities,
which write the projection and timeline to the configured database. Run as many as you
need. On SIGTERM/Ctrl-C it stops polling and lets running activities finish.

` + configHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			return ignoreCanceled(runWorker(cmd.Context(), cfg, log))
		},
	}
}

func runWorker(ctx context.Context, cfg Config, log *slog.Logger) error {
	log.Info("starting kycflow worker", "config", cfg)
	db, err := openStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.tel = cfg.telemetryOf()
	if cfg.MetricsAddr != "" {
		metricsCtx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			if err := serveMetrics(metricsCtx, cfg.MetricsAddr, cfg.tel, log); err != nil {
				log.Error("worker metrics listener stopped", "error", err)
			}
		}()
	}
	c, err := dialTemporal(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer c.Close()
	if cfg.WorkerCache > 0 {
		sdkworker.SetStickyWorkflowCacheSize(cfg.WorkerCache) // process-wide; before the worker starts
	}
	log.Info("worker polling", "task_queue", cfg.TaskQueue, "namespace", cfg.TemporalNamespace)
	return worker.Run(ctx, c, cfg.TaskQueue, &activities.Lifecycle{Store: db, Metrics: cfg.tel.activities}, cfg.Effects())
}

func newSetupCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "setup",
		Short: "Register kycflow's search attributes on a Temporal namespace",
		Long: `setup registers the custom search attributes kycflow's workflows use (KycStage,
KycStatus, KycDecision, IdenfyScanRef, IdenfyClientId) on TEMPORAL_NAMESPACE at
TEMPORAL_ADDRESS. It is idempotent; run it once per namespace before the first worker.
A workflow that sets an unregistered search attribute cannot make progress.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			c, err := dialTemporal(cmd.Context(), cfg, log)
			if err != nil {
				return err
			}
			defer c.Close()
			added, err := worker.Setup(cmd.Context(), c, cfg.TemporalNamespace)
			if err != nil {
				return err
			}
			if len(added) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "search attributes already registered on %s\n", cfg.TemporalNamespace)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "registered on %s: %v\n", cfg.TemporalNamespace, added)
			}
			return nil
		},
	}
}
