package service

import (
	"context"
	"fmt"
	"kycflow/console"
	"kycflow/httpserver"
	"kycflow/identity"
	"kycflow/operator"
	"kycflow/relay"
	"kycflow/store"
	"kycflow/webhook"
	"log/slog"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

// Serve runs the webhook server until ctx ends. A nil ln listens on
// cfg.ListenAddr.
func Serve(ctx context.Context, cfg Config, log *slog.Logger, ln net.Listener) error {
	log.Info("starting kycflow serve", "config", cfg)
	db, err := OpenStore(ctx, cfg, log, cfg.MigrateOnStart)
	if err != nil {
		return err
	}
	defer db.Close()

	cfg.Telemetry = cfg.telemetryOf()
	reg := cfg.Telemetry.reg
	engine, err := httpserver.NewEngine(log, cfg.TrustedProxies)
	if err != nil {
		return err
	}
	engine.GET("/metrics", gin.WrapH(cfg.Telemetry.handler()))
	tc, err := client.NewLazyClient(temporalOptions(cfg, log))
	if err != nil {
		return fmt.Errorf("temporal client: %w", err)
	}
	defer tc.Close()
	rl := relay.New(db, tc, relay.Options{
		Router: relay.Router{TaskQueue: cfg.TaskQueue, Policy: cfg.Policy(), Generation: cfg.WorkflowGeneration,
			CompanyOfClient: db.CompanyOfClient},
		Log:     log.With("component", "relay"),
		Metrics: relay.NewMetrics(reg),
	})
	httpserver.Health(engine, db.Ping, httpserver.Check{Name: "temporal", Optional: true, Probe: func(ctx context.Context) error {
		_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	}})
	relayDone := make(chan error, 1)
	relayCtx, stopRelay := context.WithCancel(context.WithoutCancel(ctx))
	if cfg.PauseRelay { // bench only: ingest measured without delivery
		go func() { <-relayCtx.Done(); relayDone <- nil }()
	} else {
		go func() { relayDone <- rl.Run(relayCtx) }()
	}
	defer func() { stopRelay(); <-relayDone }()

	operator.New(db, tc, operator.Options{Auth: identity.NewAuthenticator(db, cfg.APIToken), Log: log, Requeued: rl.Notify,
		Metrics: operator.NewMetrics(reg, db)}).Register(engine)
	if cfg.APIToken == "" {
		log.Info("KYCFLOW_API_TOKEN is not set: the operator API (/v1) takes reviewer tokens only (kycflow token create)")
	}
	signIn, err := cfg.OIDC(ctx, log)
	if err != nil {
		return err
	}
	mountConsole(engine, cfg, log, db, tc, rl.Notify, signIn)
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

// OpenStore opens the configured database and migrates it when asked; else
// it refuses a schema older than this binary.
func OpenStore(ctx context.Context, cfg Config, log *slog.Logger, migrate bool) (*store.DB, error) {
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

// consoleReviewTimeout bounds a console review below the server's write
// timeout, so the page with the outcome still reaches the reviewer (the
// API's default does the same).
const consoleReviewTimeout = operator.DefaultReviewTimeout

// mountConsole serves the compliance console at /console, on the same
// store and Temporal client as the operator API, with the same Cases.
func mountConsole(engine *gin.Engine, cfg Config, log *slog.Logger, db *store.DB, tc client.Client, requeued func(), signIn *identity.OIDC) {
	var oidc console.OIDC // nil, not a nil *identity.OIDC, without KYCFLOW_OIDC_ISSUER
	if signIn != nil {
		oidc = signIn
	}
	log = log.With("component", "console")
	cases := &operator.Cases{Store: db, Temporal: tc, Log: log, Requeued: requeued, ReviewTimeout: consoleReviewTimeout}
	h := console.New(db, cases, console.Options{
		Log:             log,
		Local:           cfg.ConsoleReviewers,
		OIDC:            oidc,
		InsecureCookies: cfg.ConsoleInsecureCookies,
		SessionTTL:      cfg.ConsoleSessionTTL,
		TemporalUIURL:   cfg.TemporalUIURL,
		Namespace:       cfg.TemporalNamespace,
	})
	engine.Any(console.Path, gin.WrapH(h))
	engine.Any(console.Path+"/*path", gin.WrapH(h))
	if !h.On() {
		log.Info("the compliance console (/console) is off: set KYCFLOW_OIDC_ISSUER (and its client settings) to sign reviewers in")
	}
}
