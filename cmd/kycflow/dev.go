//go:build !nodev

package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"kycflow/devserver"
	"kycflow/service"
)

func init() { extraCommands = append(extraCommands, newDevCmd) }

func newDevCmd(environ []string, stderr io.Writer) *cobra.Command {
	o := devserver.Options{IP: "127.0.0.1", TemporalPort: 7233, UIPort: 8233}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: Temporal, its Web UI, the worker, webhooks and the API",
		Long: `dev runs kycflow's whole system on a laptop, in one process, with nothing installed:

  - an embedded Temporal server (SQLite file temporal.db in KYCFLOW_DATA_DIR; --ephemeral keeps it in memory)
    on 127.0.0.1:7233, with the namespace and kycflow's search attributes registered,
  - the Temporal Web UI on http://localhost:8233,
  - the worker, and the webhook receiver + relay + operator API on KYCFLOW_LISTEN_ADDR (:8080),
  - the embedded SQLite store (kycflow.db), unless KYCFLOW_DATABASE_URL is set.

Without configured keys it invents a signing key and an API token, and two compliance console
reviewers (alice and bob, role reviewer, with passwords), keeps them in the data directory (so
restarts and "kycflow simulate" agree) and prints them. State survives a restart
(with --ephemeral only kycflow's own store does: Temporal's workflows are lost at exit);
Ctrl-C shuts everything down cleanly.

` + configHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(devEnviron(environ), stderr)
			if err != nil {
				return err
			}
			o.Ready = func(ep devserver.Endpoints) { printBanner(cmd.OutOrStdout(), ep, cfg, o.Ephemeral) }
			return ignoreCanceled(devserver.Run(cmd.Context(), cfg, o, log))
		},
	}
	cmd.Flags().BoolVar(&o.Ephemeral, "ephemeral", false, "keep Temporal's state in memory (lost on exit)")
	cmd.Flags().IntVar(&o.TemporalPort, "temporal-port", o.TemporalPort, "Temporal gRPC port")
	cmd.Flags().IntVar(&o.UIPort, "ui-port", o.UIPort, "Temporal Web UI port")
	cmd.Flags().BoolVar(&o.TemporalLogs, "temporal-logs", false, "show the embedded Temporal server's own logs")
	return cmd
}

// devEnviron makes text logs the dev default.
func devEnviron(environ []string) []string {
	out := environ
	for _, def := range devDefaults {
		name, _, _ := strings.Cut(def, "=")
		if !slices.ContainsFunc(environ, func(kv string) bool { return strings.HasPrefix(kv, name+"=") }) {
			out = append(out, def)
		}
	}
	return out
}

// devDefaults are dev's settings unless the environment names them: logs
// a person reads, and four-eyes on, so the two dev reviewers show it at
// once.
var devDefaults = []string{"KYCFLOW_LOG_FORMAT=text", "KYCFLOW_FOUR_EYES=true"}

// printBanner tells the user where everything answers and what survives
// Ctrl-C.
func printBanner(w io.Writer, ep devserver.Endpoints, cfg service.Config, ephemeral bool) {
	fmt.Fprintf(w, `
kycflow dev is running.

  Temporal Web UI     %s
  Webhooks            POST %s/webhooks/idenfy/{kyc,kyb,aml}
  Operator API        %s/v1/verifications   (Authorization: Bearer %s)
%s  Temporal gRPC       %s   namespace %s, task queue %s
  Data                %s
  Dev signing key     %s

Try it (in another terminal, from this directory):

  go run ./cmd/kycflow simulate review-approved
  go run ./cmd/kycflow simulate suspected     # then decide it in the compliance console

  or with explicit settings:
  go run ./cmd/kycflow simulate review-approved --url %s --key %s --api-token %s

Ctrl-C stops everything. %s

`, ep.UI, ep.API, ep.API, ep.Token, consoleLines(ep, cfg.FourEyes), ep.Temporal, cfg.TemporalNamespace, cfg.TaskQueue, cfg.DataDir, ep.Key, ep.API, ep.Key, ep.Token,
		stateNote(cfg, ephemeral))
}

// consoleLines names the compliance console and the dev reviewers who sign
// in to it, with their passwords (kept in the data directory).
func consoleLines(ep devserver.Endpoints, fourEyes bool) string {
	if ep.Console == "" {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  Compliance console  %s", ep.Console)
	if len(ep.Reviewers) > 0 {
		if fourEyes {
			b.WriteString("   four-eyes on: one dev reviewer approves, the other confirms:")
		} else {
			b.WriteString("   sign in as a dev reviewer (role reviewer):")
		}
	}
	b.WriteString("\n")
	for _, r := range ep.Reviewers {
		fmt.Fprintf(&b, "                        %-6s password %s\n", r.Name, r.Password)
	}
	return b.String()
}

// stateNote says what survives Ctrl-C: --ephemeral keeps only Temporal in
// memory; kycflow's store (SQLite in the data directory, or PostgreSQL)
// and the dev secrets are kept either way.
func stateNote(cfg service.Config, ephemeral bool) string {
	temporal := "Temporal's state (temporal.db) is kept in " + cfg.DataDir + " and the next start continues"
	if ephemeral {
		temporal = "Temporal runs in memory (--ephemeral): its workflows and history are lost at exit"
	}
	store := "kycflow's own store (kycflow.db) and the dev key and token stay in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		store = "kycflow's own store stays in its PostgreSQL database, the dev key and token in " + cfg.DataDir
	}
	return temporal + ";\n" + store + "."
}
