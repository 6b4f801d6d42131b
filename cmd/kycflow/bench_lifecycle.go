//go:build !nodev

package main

import (
	"io"

	"github.com/spf13/cobra"

	"kycflow/bench/lifecycle"
)

func newBenchLifecycleCmd(stderr io.Writer) *cobra.Command {
	o := lifecycle.Defaults()
	cmd := &cobra.Command{
		Use:   "lifecycle",
		Short: "Whole verification lifecycles against trivial workflows on the same Temporal server",
		Long: `lifecycle runs --count verifications through two targets, one after the other, in one run,
on one Temporal server, with the same order of events and the same concurrency:

  kycflow   a real serve and a real worker on a scratch PostgreSQL database. Each verification
            is an automatic SUSPECTED result (final:false) and, later, the manual APPROVED
            result (final:true), two signed webhooks over HTTP (keep-alive): inbox, relay,
            workflow, decision, and the onboarding call to a local receiver, which checks
            its signature and decision and counts repeats.
  ceiling   trivial workflows on their own task queue: two SignalWithStart calls each and as
            many no-op activities as one kycflow lifecycle runs (read from its history),
            before and after the second signal as kycflow's fall.

--concurrency senders take the next event of one stream: every verification's automatic result
in turn, its manual result half the run later (after the automatic results of --count/2 other
verifications), as reviews trail automatic checks in a campaign. A verification is complete at
its onboarding call (ceiling: the no-op activity in the onboarding call's place); lifecycles stay
open afterwards, in AML monitoring. Reported: verifications completed per second (from the first
event sent to the last completion), latency from the acknowledged second event to completion,
onboarding calls and repeats, and the kycflow/ceiling ratio. JSON with --json.

Without --rate the senders outrun the lifecycles (acknowledging needs only the inbox): the rate
is the one at saturation, and latency is mostly the backlog's queueing. With --rate below that,
latency is the lifecycle's own, and the rate is the offered one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return lifecycle.Run(cmd.Context(), o, cmd.OutOrStdout(), warnLogger(stderr))
		},
	}
	addBenchFlags(cmd, &o.Options, "verifications per target")
	cmd.Flags().Float64Var(&o.Rate, "rate", o.Rate, "verifications offered per second (0: as fast as the senders go, which measures the rate at saturation; "+
		"below it, latency without a backlog)")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "how long a target may take, after its last event is sent, to complete every verification")
	return cmd
}
