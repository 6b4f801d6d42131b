//go:build !nodev

package main

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"kycflow/bench/cost"
)

func newBenchCostCmd(stderr io.Writer) *cobra.Command {
	o := cost.Defaults()
	cmd := &cobra.Command{
		Use:   "cost",
		Short: "What one verification writes to Temporal's history and costs in Temporal Cloud actions, per scenario",
		Long: `cost runs one verification of each scenario (every simulate scenario; those that end waiting
for a person also with a reviewer's decision through the operator API, e.g. suspected+approve,
aml-alert+clear) through a real serve and worker on a scratch PostgreSQL database and a Temporal
server (SQLite in a scratch file, as kycflow dev runs it), with production settings but a short
--late-event-window, so that decided lifecycles close as they do after 7 days. Webhooks go one at a
time: the next once the lifecycle is idle (nothing pending, its history unchanged for --settle).

It then reads the full history of every workflow the verification started (every run, following
continue-as-new) and prints per scenario: history events, history bytes, workflow tasks,
activities, local activities, timers, search-attribute upserts, markers, signals, updates and the
billable actions by Temporal Cloud's rules (` + cost.RulesURL + `).
JSON with --json. The budget test holds these counts to bench/cost/budget.json.

With --temporal-postgres and --visibility N, it then plays N more verifications of each scenario,
--concurrency at a time (each still webhook by webhook, the next step once all are idle), one
scenario after another, and prints what they wrote to Temporal's visibility table
(executions_visibility) per verification: its growth in bytes (table, TOAST and indexes) as written,
after a VACUUM and after a VACUUM FULL, and its row inserts, updates and HOT updates.

Scenarios: ` + strings.Join(cost.Names(), ", "),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cost.Run(cmd.Context(), o, cmd.OutOrStdout(), warnLogger(stderr))
		},
	}
	addEnvFlags(cmd, &o.Options)
	cmd.Flags().IntVar(&o.Count, "count", o.Count, "verifications per scenario (the table shows the costliest, and notes any spread)")
	cmd.Flags().StringSliceVar(&o.Scenarios, "scenarios", o.Scenarios, "scenarios to measure (default: all)")
	cmd.Flags().DurationVar(&o.LateEventWindow, "late-event-window", o.LateEventWindow,
		"kycflow's KYCFLOW_LATE_EVENT_WINDOW; at --timeout or longer, decided lifecycles are measured open, before they close")
	cmd.Flags().DurationVar(&o.Settle, "settle", o.Settle, "how long a lifecycle must stay idle, its history unchanged, before the next step")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "how long one step may take: a webhook applied, a review, a lifecycle closing")
	cmd.Flags().IntVar(&o.Visibility, "visibility", o.Visibility,
		"N > 0, with --temporal-postgres: also measure what N verifications of each scenario write to Temporal's visibility table (200 or more: its pages make small counts noisy)")
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", o.Concurrency, "verifications played at once by --visibility")
	return cmd
}
