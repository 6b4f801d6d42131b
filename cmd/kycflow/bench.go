//go:build !nodev

package main

import (
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"kycflow/bench"
)

func init() { extraCommands = append(extraCommands, newBenchCmd) }

func newBenchCmd(_ []string, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Measure kycflow against the ceilings of this machine (see BENCHMARKS.md)"}
	cmd.AddCommand(newBenchIngestCmd(stderr), newBenchLifecycleCmd(stderr), newBenchGrowthCmd(stderr), newBenchCostCmd(stderr))
	return cmd
}

// addBenchFlags registers the flags every bench part has, with o's values
// as their defaults.
func addBenchFlags(cmd *cobra.Command, o *bench.Options, countHelp string) {
	cmd.Flags().IntVar(&o.Count, "count", o.Count, countHelp)
	cmd.Flags().IntVar(&o.Concurrency, "concurrency", o.Concurrency, "concurrent senders")
	cmd.Flags().StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write a CPU profile of the kycflow part to this file (go tool pprof)")
	addEnvFlags(cmd, o)
}

// addEnvFlags registers the flags of the scratch environment and of the
// output, with o's values as their defaults.
func addEnvFlags(cmd *cobra.Command, o *bench.Options) {
	cmd.Flags().StringVar(&o.AdminURL, "admin-url", o.AdminURL, "PostgreSQL server to create the scratch database on")
	cmd.Flags().BoolVar(&o.JSON, "json", o.JSON, "print JSON instead of a table")
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
