// Command kycflow receives iDenfy identity-verification webhooks and turns
// each verification into a durable lifecycle.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"kycflow/service"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCmd(os.Environ(), os.Stderr).ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "kycflow:", err)
		os.Exit(1)
	}
}

// extraCommands are added by files behind build tags (dev).
var extraCommands []func(environ []string, stderr io.Writer) *cobra.Command

func newRootCmd(environ []string, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "kycflow",
		Short: "Receive iDenfy verification webhooks and drive each verification as a durable lifecycle",
		Long: `kycflow receives iDenfy identity-verification webhooks (KYC, KYB, AML monitoring),
verifies their signatures, stores every authentic delivery in a durable inbox and
acknowledges within milliseconds.

Configuration comes from KYCFLOW_* environment variables; see "kycflow serve --help".`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetErr(stderr)
	root.AddCommand(newServeCmd(environ, stderr), newWorkerCmd(environ, stderr), newMigrateCmd(environ, stderr), newPurgeCmd(environ, stderr),
		newSetupCmd(environ, stderr), newSimulateCmd(environ, stderr), newProbeCmd())
	root.AddCommand(newTokenCmd(environ, stderr))
	for _, extra := range extraCommands {
		root.AddCommand(extra(environ, stderr))
	}
	return root
}

// setup loads the configuration and builds the logger every command uses.
func setup(environ []string, stderr io.Writer) (service.Config, *slog.Logger, error) {
	cfg, err := service.LoadConfig(environ)
	if err != nil {
		return service.Config{}, nil, err
	}
	return cfg, service.NewLogger(cfg, stderr), nil
}

// ignoreCanceled turns the context cancellation of a clean Ctrl-C into
// success.
func ignoreCanceled(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
