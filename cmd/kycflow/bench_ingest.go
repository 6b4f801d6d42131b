//go:build !nodev

package main

import (
	"io"

	"github.com/spf13/cobra"

	"kycflow/bench/ingest"
)

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
