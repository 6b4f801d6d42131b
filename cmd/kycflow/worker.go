package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"kycflow/service"
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
			return ignoreCanceled(service.Worker(cmd.Context(), cfg, log))
		},
	}
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
			c, err := service.Dial(cmd.Context(), cfg, log)
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
