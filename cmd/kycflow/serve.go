package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/spf13/cobra"
	"go.temporal.io/sdk/client"

	"kycflow/httpserver"
	"kycflow/operator"
	"kycflow/relay"
	"kycflow/store"
	"kycflow/webhook"
)

const configHelp = `Environment:
  KYCFLOW_LISTEN_ADDR              webhook + API listen address (default :8080)
  KYCFLOW_DATABASE_URL             postgres://… URL; empty = embedded SQLite in KYCFLOW_DATA_DIR
  KYCFLOW_DATA_DIR                 embedded database directory (default ./kycflow-data)
  KYCFLOW_IDENFY_KYC_KEYS          signing keys of /webhooks/idenfy/kyc, comma-separated
  KYCFLOW_IDENFY_KYB_KEYS          signing keys of /webhooks/idenfy/kyb
  KYCFLOW_IDENFY_AML_KEYS          signing keys of /webhooks/idenfy/aml
  KYCFLOW_IDENFY_KEYS              keys for routes that have none of their own
  KYCFLOW_INSECURE_SKIP_SIGNATURE  true = accept unsigned requests on routes without keys (dev only)
  KYCFLOW_ALLOWED_IPS              source CIDRs allowed to post webhooks (default: any)
  KYCFLOW_ALLOWLIST_MODE           enforce (403) or report (log only) (default enforce)
  KYCFLOW_TRUSTED_PROXIES          proxy CIDRs whose X-Forwarded-For is believed (default none)
  KYCFLOW_MAX_BODY_BYTES           body limit (default 5242880)
  KYCFLOW_TLS_CERT_FILE / _KEY_FILE  serve HTTPS directly
  KYCFLOW_INGEST_TIMEOUT           inbox write budget before 503 (default 1s)
  KYCFLOW_SHUTDOWN_TIMEOUT         time to finish in-flight requests (default 25s)
  KYCFLOW_MIGRATE_ON_START         apply migrations when serve starts (default true)
  KYCFLOW_DB_MAX_CONNS             PostgreSQL pool size (default 20)
  KYCFLOW_DB_PREPARE               prepare inbox statements on PostgreSQL; false behind PgBouncer < 1.21 in transaction mode (default true)
  KYCFLOW_LOG_LEVEL / _LOG_FORMAT  debug|info|warn|error / json|text (default info / json)
  TEMPORAL_ADDRESS                 Temporal frontend (default 127.0.0.1:7233)
  TEMPORAL_NAMESPACE               Temporal namespace (default default)
  KYCFLOW_TASK_QUEUE               task queue of the lifecycles (default kycflow)
  KYCFLOW_API_TOKEN                bearer token of the operator API (/v1); empty = API refuses all
  KYCFLOW_SUSPECTED_POLICY         SUSPECTED final results: review|approve|reject (default review)
  KYCFLOW_REVIEW_SLA               wait for iDenfy's manual review before "stuck" (default 24h)
  KYCFLOW_LATE_EVENT_WINDOW        decided lifecycles stay open this long for late events (default 168h)`

func newServeCmd(environ []string, stderr io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the webhook receiver, the relay into Temporal and the operator API",
		Long: `serve receives iDenfy webhooks on POST /webhooks/idenfy/{kyc,kyb,aml}, verifies the
Idenfy-Signature, stores every authentic delivery in the inbox and acknowledges.
Its relay delivers every stored event to the event's Temporal lifecycle (SignalWithStart),
retrying while Temporal is away; the acknowledgement never waits for Temporal.
It also serves the operator API (GET /v1/verifications, GET /v1/verifications/{scanRef},
bearer token KYCFLOW_API_TOKEN), GET /healthz, GET /readyz (database reachable) and
GET /metrics. It is stateless: run as many replicas as you need against one PostgreSQL.

` + configHelp,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := setup(environ, stderr)
			if err != nil {
				return err
			}
			return ignoreCanceled(runServe(cmd.Context(), cfg, log, nil))
		},
	}
}

// runServe runs the webhook server until ctx ends. A nil ln listens on
// cfg.ListenAddr.
func runServe(ctx context.Context, cfg Config, log *slog.Logger, ln net.Listener) error {
	log.Info("starting kycflow serve", "config", cfg)
	db, err := openStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()

	cfg.tel = cfg.telemetryOf()
	reg := cfg.tel.reg
	engine, err := httpserver.NewEngine(log, cfg.TrustedProxies)
	if err != nil {
		return err
	}
	engine.GET("/metrics", gin.WrapH(cfg.tel.handler()))
	tc, err := client.NewLazyClient(temporalOptions(cfg, log))
	if err != nil {
		return fmt.Errorf("temporal client: %w", err)
	}
	defer tc.Close()
	rl := relay.New(db, tc, relay.Options{
		Router:  relay.Router{TaskQueue: cfg.TaskQueue, Policy: cfg.Policy(), CompanyOfClient: db.CompanyOfClient},
		Log:     log.With("component", "relay"),
		Metrics: relay.NewMetrics(reg),
	})
	httpserver.Health(engine, db.Ping, httpserver.Check{Name: "temporal", Optional: true, Probe: func(ctx context.Context) error {
		_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}})
	relayDone := make(chan error, 1)
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	if cfg.pauseRelay { // bench only: ingest measured without delivery
		go func() { <-relayCtx.Done(); relayDone <- nil }()
	} else {
		go func() { relayDone <- rl.Run(relayCtx) }()
	}
	defer func() { stopRelay(); <-relayDone }()

	operator.New(db, tc, operator.Options{Token: cfg.APIToken, Log: log, Requeued: rl.Notify, Metrics: operator.NewMetrics(reg, db)}).Register(engine)
	if cfg.APIToken == "" {
		log.Warn("KYCFLOW_API_TOKEN is not set: the operator API (/v1) refuses every request")
	}
	hooks := webhook.New(db, webhook.Options{
		Keys:          cfg.SigningKeys(),
		AllowUnsigned: cfg.InsecureSkipSignature,
		MaxBodyBytes:  cfg.MaxBodyBytes,
		Allowlist:     cfg.allowlist,
		StoreTimeout:  cfg.IngestTimeout,
		Log:           log,
		Metrics:       webhook.NewMetrics(reg),
		OnStored:      rl.Notify,
	})
	hooks.Register(engine)
	warnUnsigned(log, cfg, hooks)

	if ln == nil {
		if ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
			return fmt.Errorf("listen on %s (KYCFLOW_LISTEN_ADDR): %w", cfg.ListenAddr, err)
		}
	}
	return httpserver.Serve(ctx, ln, http.Handler(engine), httpserver.Options{
		TLSCertFile: cfg.TLSCertFile, TLSKeyFile: cfg.TLSKeyFile, ShutdownTimeout: cfg.ShutdownTimeout, Log: log,
	})
}

func warnUnsigned(log *slog.Logger, cfg Config, hooks *webhook.Handler) {
	keys := cfg.SigningKeys()
	for _, route := range hooks.UnsignedRoutes() {
		log.Warn("SIGNATURE VERIFICATION DISABLED: unsigned webhooks are accepted (KYCFLOW_INSECURE_SKIP_SIGNATURE=true); never do this in production",
			"route", webhook.Path(route))
	}
	if !cfg.InsecureSkipSignature {
		for route, k := range keys {
			if len(k) == 0 {
				log.Warn("no signing key configured: this route refuses every request with 401", "route", webhook.Path(route))
			}
		}
	}
}

// openStore opens the configured database and migrates it when asked; else
// it refuses a schema older than this binary.
func openStore(ctx context.Context, cfg Config, log *slog.Logger, migrate bool) (*store.DB, error) {
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, Dir: cfg.DataDir, MaxOpenConns: cfg.DBMaxConns, PayloadKeys: cfg.payloadKeys,
		InboxBatch: cfg.IngestBatch, NoPrepare: !cfg.DBPrepare})
	if err != nil {
		return nil, err
	}
	log.Info("database open", "dialect", db.Dialect())
	if migrate {
		err = db.Migrate(ctx, log)
	} else {
		err = checkSchema(ctx, db)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func checkSchema(ctx context.Context, db *store.DB) error {
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if cur < latest {
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `kycflow migrate`", cur, latest)
	}
	return nil
}
