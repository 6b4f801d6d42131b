// Package devserver runs `kycflow dev` in-process: Run wires the whole
// system (worker, serve) to a Temporal server backed by a SQLite file (or
// memory; the benchmarks can also give it PostgreSQL) and to the Temporal
// Web UI. It links the Temporal server, so only the dev command, the
// benchmarks and the end-to-end tests import it; production builds
// (`-tags nodev`) leave it out.
package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"

	temporallog "go.temporal.io/server/common/log"

	"kycflow/activities"
	"kycflow/console"
	"kycflow/devsecret"
	"kycflow/identity"
	"kycflow/service"
	"kycflow/worker"
)

// Options say how Run lays the system out.
type Options struct {
	Ephemeral    bool // keep Temporal's state in memory (lost on exit)
	IP           string
	TemporalPort int
	UIPort       int
	TemporalLogs bool            // show the embedded Temporal server's own logs
	Ready        func(Endpoints) // called once everything listens
}

// Endpoints are where a running system answers, and the credentials it
// accepts.
type Endpoints struct {
	API, UI, Temporal, Key, Token string
	// Console is the compliance console; Reviewers sign in to it.
	Console   string
	Reviewers []Reviewer
}

// Reviewer is a local dev reviewer's console sign-in.
type Reviewer struct{ Name, Password string }

// Run runs kycflow's whole system in this process until ctx is done: an
// embedded Temporal server with kycflow's search attributes, its Web UI,
// the worker and serve (webhooks, relay, operator API) on cfg.ListenAddr.
// What cfg leaves out (signing key, API token) it invents and keeps in the
// data directory.
func Run(ctx context.Context, cfg service.Config, o Options, log *slog.Logger) error {
	cfg.Telemetry = service.NewTelemetry() // one /metrics for the serve and the worker in this process
	if err := defaults(&cfg, o); err != nil {
		return err
	}
	reviewers, err := devReviewers(&cfg)
	if err != nil {
		return err
	}
	webLn, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("webhook/API address %s (KYCFLOW_LISTEN_ADDR) is not available: %w", cfg.ListenAddr, err)
	}
	defer webLn.Close()
	temporalAddr := net.JoinHostPort(o.IP, strconv.Itoa(o.TemporalPort))
	uiAddr := net.JoinHostPort(o.IP, strconv.Itoa(o.UIPort))
	if err := CheckFree(map[string]string{"Temporal": temporalAddr, "Web UI": uiAddr}); err != nil {
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
	if os.Getenv("GOGC") == "" {
		// The operator rule (README, "Production shape"): the Temporal
		// server's garbage collector marks every cached workflow; half as
		// many collections halved that cost where the cache fills.
		debug.SetGCPercent(temporalGOGC)
	}
	tsrv, err := StartTemporal(TemporalOptions{File: file, IP: o.IP, Port: o.TemporalPort, Namespace: cfg.TemporalNamespace, Logger: tlog,
		HistoryCache: temporalHistoryCache})
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
	ui, err := StartUI(o.IP, o.UIPort, temporalAddr, cfg.TemporalNamespace)
	if err != nil {
		return err
	}
	defer ui.Stop()
	if cfg.TemporalUIURL == "" {
		cfg.TemporalUIURL = ui.URL() // the console links each case's workflow
	}

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

	if o.Ready != nil {
		api := "http://" + displayAddr(webLn.Addr())
		o.Ready(Endpoints{API: api, UI: ui.URL(), Temporal: temporalAddr, Key: cfg.DefaultKeys[0], Token: cfg.APIToken,
			Console: api + console.Path, Reviewers: reviewers})
	}
	err = <-errc // the first to stop (or fail) stops the rest
	cancel()
	wg.Wait()
	log.Info("kycflow dev stopped")
	return err
}

// defaults fills in what dev needs and the user did not configure.
func defaults(cfg *service.Config, o Options) error {
	cfg.TemporalAddress = net.JoinHostPort(o.IP, strconv.Itoa(o.TemporalPort))
	if len(cfg.KYCKeys)+len(cfg.KYBKeys)+len(cfg.AMLKeys)+len(cfg.DefaultKeys) == 0 {
		key, err := devsecret.Ensure(cfg.DataDir, devsecret.KeyFile)
		if err != nil {
			return err
		}
		cfg.DefaultKeys = []string{key}
	} else if len(cfg.DefaultKeys) == 0 {
		cfg.DefaultKeys = append(append(append([]string{}, cfg.KYCKeys...), cfg.KYBKeys...), cfg.AMLKeys...)
	}
	if cfg.ConsoleURL == "" {
		_, port, _ := net.SplitHostPort(cfg.ListenAddr)
		cfg.ConsoleURL = "http://localhost:" + port + "/console"
	}
	if cfg.APIToken == "" {
		token, err := devsecret.Ensure(cfg.DataDir, devsecret.TokenFile)
		if err != nil {
			return err
		}
		cfg.APIToken = token
	}
	return nil
}

// devReviewers signs devsecret.Reviewers in to the console with passwords
// kept in the data directory (made the first time), on plain HTTP unless
// dev serves TLS; cfg's own reviewers, if any, are kept instead.
func devReviewers(cfg *service.Config) ([]Reviewer, error) {
	cfg.ConsoleInsecureCookies = cfg.TLSCertFile == ""
	if len(cfg.ConsoleReviewers) > 0 {
		return nil, nil
	}
	var out []Reviewer
	for _, name := range devsecret.Reviewers {
		password, err := devsecret.Ensure(cfg.DataDir, devsecret.PasswordFile(name))
		if err != nil {
			return nil, err
		}
		lr, err := console.NewLocalReviewer(name, identity.Reviewer, password)
		if err != nil {
			return nil, fmt.Errorf("dev reviewer %s: %w", name, err)
		}
		cfg.ConsoleReviewers = append(cfg.ConsoleReviewers, lr)
		out = append(out, Reviewer{Name: name, Password: password})
	}
	return out, nil
}

func displayAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		return "localhost:" + port
	}
	return a.String()
}

// The operator rule's settings, as `kycflow dev` and the compose file apply
// them (README, "Production shape"; BENCHMARKS.md §4.4): the history
// service caches at most temporalHistoryCache workflows, and the server's
// process runs with GOGC=temporalGOGC unless GOGC is set.
const (
	temporalHistoryCache = 10000
	temporalGOGC         = 200
)
