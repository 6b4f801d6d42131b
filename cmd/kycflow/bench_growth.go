//go:build !nodev

package main

import (
	"io"

	"github.com/spf13/cobra"

	"kycflow/bench/growth"
)

func newBenchGrowthCmd(stderr io.Writer) *cobra.Command {
	o := growth.Defaults()
	cmd := &cobra.Command{
		Use:   "growth",
		Short: "Ingest latency, lifecycle rate, worker memory and database bytes as open verifications grow",
		Long: `growth fills a scratch PostgreSQL database and a Temporal server (SQLite in a scratch
file) with approved verifications, each left open in AML monitoring, through the real path (signed
webhook over HTTP, inbox, relay, workflow, decision, onboarding call to a local receiver), up to
each of --levels in turn. At each level it measures, with the same senders:

  ingest      a burst of --burst new verifications' webhooks: acknowledgements per second and
              their latency (p99), and the time until each was onboarded
  lifecycle   --count automatic SUSPECTED + manual APPROVED pairs, as in bench lifecycle:
              verifications onboarded per second at saturation
  worker RSS  resident memory of the worker, a separate process (--worker-bin, default this
              executable) with a sticky cache of --worker-cache workflows (0: the SDK's 10,000)
  DB bytes    the database's size over the verifications it holds

and prints each level's figures beside the first level's. With --cpuprofile FILE.pprof, this
process (the Temporal server, the senders and the receiver) is profiled over each
level's measurements into FILE-<level>.pprof.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return growth.Run(cmd.Context(), o, cmd.OutOrStdout(), stderr, warnLogger(stderr))
		},
	}
	addBenchFlags(cmd, &o.Options, "verification pairs of the lifecycle measurement at each level")
	cmd.Flags().IntSliceVar(&o.Levels, "levels", o.Levels, "open verifications to measure at, ascending")
	cmd.Flags().IntVar(&o.Burst, "burst", o.Burst, "webhooks of the ingest burst at each level")
	cmd.Flags().StringVar(&o.WorkerBin, "worker-bin", o.WorkerBin, "kycflow binary to run the worker from (default: this executable)")
	cmd.Flags().IntVar(&o.WorkerCache, "worker-cache", o.WorkerCache, "the worker's KYCFLOW_WORKER_CACHE (0: the SDK's default)")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "how long one batch of verifications may take to be onboarded after its last webhook")
	return cmd
}
