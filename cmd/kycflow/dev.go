//go:build !nodev

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	temporallog "go.temporal.io/server/common/log"

	"kycflow/activities"
	"kycflow/devserver"
	"kycflow/service"
	"kycflow/worker"
)

// devOptions are the dev command's flags.
type devOptions struct {
	Ephemeral     bool
	IP            string
	TemporalPort  int
	UIPort        int
	TemporalLogs  bool
	ReadyCallback func(devEndpoints) // tests: called once everything listens
	bannerOut     io.Writer
}

// devEndpoints are where a running dev answers.
type devEndpoints struct {
	API, UI, Temporal, Key, Token string
}

func init() { extraCommands = append(extraCommands, newDevCmd) }

func newDevCmd(environ []string, stderr io.Writer) *cobra.Command {
	o := devOptions{IP: "127.0.0.1", TemporalPort: 7233, UIPort: 8233}
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run everything in one process: Temporal, its Web UI, the worker, webhooks and the API",
		Long: `dev runs kycflow's whole system on a laptop, in one process, with nothing installed:

  - an embedded Temporal server (SQLite file temporal.db in KYCFLOW_DATA_DIR; --ephemeral keeps it in memory)
    on 127.0.0.1:7233, with the namespace and kycflow's search attributes registered,
  - the Temporal Web UI on http://localhost:8233,
  - the worker, and the webhook receiver + relay + operator API on KYCFLOW_LISTEN_ADDR (:8080),
  - the embedded SQLite store (kycflow.db), unless KYCFLOW_DATABASE_URL is set.

Without configured keys it invents a signing key and an API token, keeps them in the data
directory (so restarts and "kycflow simulate" agree) and prints them. State survives a restart
(with --ephemeral only kycflow's own store does: Temporal's workflows are lost at exit);
Ctrl-C shuts everything down cleanly.

` + configHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(devEnviron(environ), stderr)
			if err != nil {
				return err
			}
			o.bannerOut = cmd.OutOrStdout()
			return ignoreCanceled(runDev(cmd.Context(), cfg, o, log))
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
	for _, kv := range environ {
		if strings.HasPrefix(kv, "KYCFLOW_LOG_FORMAT=") {
			return environ
		}
	}
	return append(environ, "KYCFLOW_LOG_FORMAT=text")
}

func runDev(ctx context.Context, cfg service.Config, o devOptions, log *slog.Logger) error {
	cfg.Telemetry = service.NewTelemetry() // one /metrics for the serve and the worker in this process
	if err := devDefaults(&cfg, o); err != nil {
		return err
	}
	webLn, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("webhook/API address %s (KYCFLOW_LISTEN_ADDR) is not available: %w", cfg.ListenAddr, err)
	}
	defer webLn.Close()
	temporalAddr := net.JoinHostPort(o.IP, strconv.Itoa(o.TemporalPort))
	uiAddr := net.JoinHostPort(o.IP, strconv.Itoa(o.UIPort))
	if err := devserver.CheckFree(map[string]string{"Temporal": temporalAddr, "Web UI": uiAddr}); err != nil {
		return err
	}

	tlog := temporallog.Logger(temporallog.NewNoopLogger())
	if o.TemporalLogs {
		tlog = temporallog.NewZapLogger(temporallog.BuildZapLogger(temporallog.Config{Level: "warn"}))
	}
	file := filepath.Join(cfg.DataDir, "temporal.db")
	if o.Ephemeral {
		file = ""
	}
	log.Info("starting embedded Temporal server", "address", temporalAddr, "file", file)
	tsrv, err := devserver.StartTemporal(devserver.TemporalOptions{File: file, IP: o.IP, Port: o.TemporalPort, Namespace: cfg.TemporalNamespace, Logger: tlog})
	if err != nil {
		return err
	}
	defer func() {
		if err := tsrv.Stop(); err != nil {
			log.Warn("stop Temporal server", "error", err)
		}
	}()
	c, err := service.Dial(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := worker.Setup(ctx, c, cfg.TemporalNamespace); err != nil {
		return err
	}
	ui, err := devserver.StartUI(o.IP, o.UIPort, temporalAddr, cfg.TemporalNamespace)
	if err != nil {
		return err
	}
	defer ui.Stop()

	db, err := service.OpenStore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer db.Close()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() {
		errc <- worker.Run(ctx, c, cfg.TaskQueue, &activities.Lifecycle{Store: db, Metrics: cfg.Telemetry.Activities}, cfg.Effects())
	})
	wg.Go(func() { errc <- service.Serve(ctx, cfg, log, webLn) })

	ep := devEndpoints{API: "http://" + displayAddr(webLn.Addr()), UI: ui.URL(), Temporal: temporalAddr, Key: cfg.DefaultKeys[0], Token: cfg.APIToken}
	printBanner(o.bannerOut, ep, cfg, o.Ephemeral)
	if o.ReadyCallback != nil {
		o.ReadyCallback(ep)
	}
	err = <-errc // the first to stop (or fail) stops the rest
	cancel()
	wg.Wait()
	log.Info("kycflow dev stopped")
	return err
}

// devDefaults fills in what dev needs and the user did not configure.
func devDefaults(cfg *service.Config, o devOptions) error {
	cfg.TemporalAddress = net.JoinHostPort(o.IP, strconv.Itoa(o.TemporalPort))
	if len(cfg.KYCKeys)+len(cfg.KYBKeys)+len(cfg.AMLKeys)+len(cfg.DefaultKeys) == 0 {
		key, err := devSecret(cfg.DataDir, devKeyFile)
		if err != nil {
			return err
		}
		cfg.DefaultKeys = []string{key}
	} else if len(cfg.DefaultKeys) == 0 {
		cfg.DefaultKeys = append(append(append([]string{}, cfg.KYCKeys...), cfg.KYBKeys...), cfg.AMLKeys...)
	}
	if cfg.APIToken == "" {
		token, err := devSecret(cfg.DataDir, devTokenFile)
		if err != nil {
			return err
		}
		cfg.APIToken = token
	}
	return nil
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		return "localhost:" + port
	}
	return a.String()
}

func printBanner(w io.Writer, ep devEndpoints, cfg service.Config, ephemeral bool) {
	if w == nil {
		w = os.Stdout
	}
	fmt.Fprintf(w, `
kycflow dev is running.

  Temporal Web UI     %s
  Webhooks            POST %s/webhooks/idenfy/{kyc,kyb,aml}
  Operator API        %s/v1/verifications   (Authorization: Bearer %s)
  Temporal gRPC       %s   namespace %s, task queue %s
  Data                %s
  Dev signing key     %s

Try it (in another terminal, from this directory):

  go run ./cmd/kycflow simulate review-approved

  or with explicit settings:
  go run ./cmd/kycflow simulate review-approved --url %s --key %s --api-token %s

Ctrl-C stops everything. %s

`, ep.UI, ep.API, ep.API, ep.Token, ep.Temporal, cfg.TemporalNamespace, cfg.TaskQueue, cfg.DataDir, ep.Key, ep.API, ep.Key, ep.Token,
		stateNote(cfg, ephemeral))
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
