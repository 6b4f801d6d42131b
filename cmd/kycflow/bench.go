//go:build !nodev

package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"kycflow/bench"
	"kycflow/bench/growth"
	"kycflow/bench/ingest"
	"kycflow/bench/lifecycle"
)

func init() { extraCommands = append(extraCommands, newBenchCmd) }

func newBenchCmd(_ []string, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure kycflow against the ceilings of this machine (see BENCHMARKS.md)"}
	cmd.AddCommand(newBenchIngestCmd(stderr), newBenchLifecycleCmd(stderr), newBenchGrowthCmd(stderr))
	return cmd
}

// addBenchFlags registers the flags every bench part has, with o's values
// as their defaults.
func addBenchFlags(cmd *cobra.Command, o *bench.Options, countHelp string) {
	cmd.Flags().IntVar(&o.Count, "count", o.Count, countHelp)
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", o.Concurrency, "concurrent senders")
	cmd.Flags().StringVar(&o.AdminURL, "admin-url", o.AdminURL, "PostgreSQL server to create the scratch database on")
	cmd.Flags().BoolVar(&o.JSON, "json", o.JSON, "print JSON instead of a table")
	cmd.Flags().StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write a CPU profile of the kycflow part to this file (go tool pprof)")
	cmd.Flags().BoolVar(&o.TemporalMemory, "temporal-memory", o.TemporalMemory,
		"keep the Temporal server's SQLite database in memory instead of a file as kycflow dev does (its commits slow down as it grows)")
	cmd.Flags().IntVar(&o.TemporalCache, "temporal-cache", o.TemporalCache,
		"N > 0: the Temporal server's history service keeps at most N workflows in memory (default: Temporal's 128,000)")
	cmd.Flags().IntVar(&o.TemporalPostgres, "temporal-postgres", o.TemporalPostgres,
		"N > 0: the Temporal server keeps its data in PostgreSQL (scratch databases on --admin-url) with N history shards, as a production Temporal does, instead of SQLite")
}

// warnLogger is the bench's logger: warnings and errors only, as text.
func warnLogger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func newBenchIngestCmd(stderr io.Writer) *cobra.Command {
	o := ingest.Defaults()
	cmd := &cobra.Command{
		Use:   "ingest",
		Short: "Webhook ingest against a bare HTTP handler, the database alone and the naive synchronous design",
		Long: `ingest sends --count signed KYC webhooks (realistic bodies, distinct scanRefs, a share of
byte-identical re-sends) over real HTTP with keep-alive at --concurrency to these targets, one after
the other, in one run, with the same client, bodies and concurrency:

  bare-gin     a Gin handler that reads the body and answers 200 (the HTTP ceiling)
  db-alone     one INSERT … ON CONFLICT DO NOTHING per operation of the row kycflow stores, into a table
               made LIKE the inbox (the database ceiling)
  db-minimal   the same with a six-column row and two indexes (the ceiling of any webhook receiver)
  kycflow      a real serve (verify, classify, store, acknowledge; its relay delivers to Temporal)
  naive        a handler that calls SignalWithStartWorkflow before acknowledging

It needs PostgreSQL (--admin-url; a scratch database is created and dropped) and starts a
Temporal server (SQLite in a scratch file, as kycflow dev runs it). It prints a table with the
CPU each target used per webhook in this process and in PostgreSQL (for kycflow with the relay
on, until the relay has delivered everything: that includes the Temporal server's work, as
naive's does), and the ratios, or JSON with --json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return ingest.Run(cmd.Context(), o, cmd.OutOrStdout(), warnLogger(stderr))
		},
	}
	addBenchFlags(cmd, &o.Options, "webhooks per target")
	cmd.Flags().Float64Var(&o.Duplicates, "duplicates", o.Duplicates, "share of webhooks that re-send an earlier body byte for byte")
	cmd.Flags().BoolVar(&o.Relay, "relay", o.Relay, "let serve's relay deliver to Temporal during the kycflow part (false: measure storing and acknowledging alone)")
	cmd.Flags().IntVar(&o.Prefill, "prefill", o.Prefill, "verifications stored (delivered) in the inbox and the ceiling tables before measuring: ingest against a store that already holds them")
	cmd.Flags().IntVar(&o.Batch, "batch", o.Batch, "serve's KYCFLOW_INGEST_BATCH: most webhooks per group commit (1: one commit per webhook)")
	return cmd
}

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
