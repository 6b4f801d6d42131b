package service

import (
	"errors"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"kycflow/activities"
	"kycflow/console"
	"kycflow/idenfy"
	"kycflow/outbound"
	"kycflow/store"
	"kycflow/webhook"
	"kycflow/workflows"
)

// Config is everything kycflow reads from its environment. cmd/kycflow
// passes the environment in; libraries get small option structs.
type Config struct {
	ListenAddr  string `env:"KYCFLOW_LISTEN_ADDR" envDefault:":8080"`
	DatabaseURL string `env:"KYCFLOW_DATABASE_URL"`
	DataDir     string `env:"KYCFLOW_DATA_DIR" envDefault:"./kycflow-data"`
	DBMaxConns  int    `env:"KYCFLOW_DB_MAX_CONNS" envDefault:"20"`
	// DBPrepare lets serve prepare its inbox statements on PostgreSQL;
	// false for a pooler that does not keep prepared statements.
	DBPrepare bool `env:"KYCFLOW_DB_PREPARE" envDefault:"true"`
	// MigrateOnStart makes serve apply pending migrations at start-up
	// (under a lock on PostgreSQL). Turn it off to run `kycflow migrate`
	// as a separate release step.
	MigrateOnStart bool `env:"KYCFLOW_MIGRATE_ON_START" envDefault:"true"`

	KYCKeys               []string `env:"KYCFLOW_IDENFY_KYC_KEYS"`
	KYBKeys               []string `env:"KYCFLOW_IDENFY_KYB_KEYS"`
	AMLKeys               []string `env:"KYCFLOW_IDENFY_AML_KEYS"`
	DefaultKeys           []string `env:"KYCFLOW_IDENFY_KEYS"`
	InsecureSkipSignature bool     `env:"KYCFLOW_INSECURE_SKIP_SIGNATURE"`

	AllowedIPs     []string `env:"KYCFLOW_ALLOWED_IPS"`
	AllowlistMode  string   `env:"KYCFLOW_ALLOWLIST_MODE" envDefault:"enforce"`
	TrustedProxies []string `env:"KYCFLOW_TRUSTED_PROXIES"`

	MaxBodyBytes    int64         `env:"KYCFLOW_MAX_BODY_BYTES" envDefault:"5242880"`
	IngestTimeout   time.Duration `env:"KYCFLOW_INGEST_TIMEOUT" envDefault:"1s"`
	IngestBatch     int           `env:"KYCFLOW_INGEST_BATCH" envDefault:"64"`
	ShutdownTimeout time.Duration `env:"KYCFLOW_SHUTDOWN_TIMEOUT" envDefault:"25s"`
	TLSCertFile     string        `env:"KYCFLOW_TLS_CERT_FILE"`
	TLSKeyFile      string        `env:"KYCFLOW_TLS_KEY_FILE"`

	TemporalAddress   string        `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233"`
	TemporalNamespace string        `env:"TEMPORAL_NAMESPACE" envDefault:"default"`
	TaskQueue         string        `env:"KYCFLOW_TASK_QUEUE" envDefault:"kycflow"`
	APIToken          string        `env:"KYCFLOW_API_TOKEN"`
	SuspectedPolicy   string        `env:"KYCFLOW_SUSPECTED_POLICY" envDefault:"review"`
	ReviewSLA         time.Duration `env:"KYCFLOW_REVIEW_SLA" envDefault:"24h"`
	LateEventWindow   time.Duration `env:"KYCFLOW_LATE_EVENT_WINDOW" envDefault:"168h"`

	AMLMonitoring      bool          `env:"KYCFLOW_AML_MONITORING" envDefault:"true"`
	AMLAlertAction     string        `env:"KYCFLOW_AML_ALERT_ACTION" envDefault:"hold"`
	MonitoringCANEvery int           `env:"KYCFLOW_MONITORING_CAN_EVERY" envDefault:"500"`
	ComplianceSLA      time.Duration `env:"KYCFLOW_COMPLIANCE_SLA" envDefault:"48h"`
	FourEyes           bool          `env:"KYCFLOW_FOUR_EYES"`
	WorkflowGeneration int           `env:"KYCFLOW_WORKFLOW_GENERATION" envDefault:"1"` // workflows.Generation
	WorkerCache        int           `env:"KYCFLOW_WORKER_CACHE"`
	OnboardingURL      string        `env:"KYCFLOW_ONBOARDING_URL"`
	OnboardingKeys     []string      `env:"KYCFLOW_ONBOARDING_KEYS"`
	OnboardingAttempts int32         `env:"KYCFLOW_ONBOARDING_MAX_ATTEMPTS" envDefault:"12"`
	NotifyURLs         []string      `env:"KYCFLOW_NOTIFY_URLS"`
	SMTPHost           string        `env:"KYCFLOW_SMTP_HOST"`
	SMTPPort           int           `env:"KYCFLOW_SMTP_PORT" envDefault:"587"`
	SMTPFrom           string        `env:"KYCFLOW_SMTP_FROM"`
	SMTPTo             []string      `env:"KYCFLOW_SMTP_TO"`
	SMTPUsername       string        `env:"KYCFLOW_SMTP_USERNAME"`
	SMTPPassword       string        `env:"KYCFLOW_SMTP_PASSWORD"`
	SMTPStartTLS       bool          `env:"KYCFLOW_SMTP_STARTTLS" envDefault:"true"`
	IDenfyAPIKey       string        `env:"KYCFLOW_IDENFY_API_KEY"`
	IDenfyAPISecret    string        `env:"KYCFLOW_IDENFY_API_SECRET"`

	// PayloadKeys encrypt stored webhook bodies (AES-256-GCM):
	// "id:base64key,…", the first one seals new bodies.
	PayloadKeys string `env:"KYCFLOW_PAYLOAD_KEYS"`

	// MetricsAddr is where `kycflow worker` serves /metrics (empty: not at
	// all); serve exports its metrics on KYCFLOW_LISTEN_ADDR.
	MetricsAddr   string `env:"KYCFLOW_METRICS_ADDR"`
	IDenfyBaseURL string `env:"KYCFLOW_IDENFY_BASE_URL" envDefault:"https://ivs.idenfy.com"`

	// TemporalUIURL is the Temporal Web UI's base URL: the console links
	// each case to its workflow there (empty: no link).
	TemporalUIURL string `env:"KYCFLOW_TEMPORAL_UI_URL"`
	// ConsoleSessionTTL is a console sign-in's absolute lifetime.
	ConsoleSessionTTL time.Duration `env:"KYCFLOW_CONSOLE_SESSION_TTL" envDefault:"8h"`

	// ConsoleURL is the compliance console's public base URL
	// (https://…/console): the Web UI links each case to its page there.
	ConsoleURL string `env:"KYCFLOW_CONSOLE_URL"`

	// OpenID Connect sign-in to the console: all of issuer, client id,
	// secret and redirect URL, or none (see signin.go).
	OIDCIssuer       string `env:"KYCFLOW_OIDC_ISSUER"`
	OIDCClientID     string `env:"KYCFLOW_OIDC_CLIENT_ID"`
	OIDCClientSecret string `env:"KYCFLOW_OIDC_CLIENT_SECRET"`
	OIDCRedirectURL  string `env:"KYCFLOW_OIDC_REDIRECT_URL"`
	OIDCRolesClaim   string `env:"KYCFLOW_OIDC_ROLES_CLAIM" envDefault:"roles"`
	// ConsoleKey (base64, 32 bytes) authenticates the console's cookies;
	// empty: a random key per process.
	ConsoleKey string `env:"KYCFLOW_CONSOLE_KEY"`

	LogLevel  string `env:"KYCFLOW_LOG_LEVEL" envDefault:"info"`
	LogFormat string `env:"KYCFLOW_LOG_FORMAT" envDefault:"json"`

	// Derived by Load.
	allowlist      *webhook.Allowlist
	onboardingKeys []outbound.Secret
	sinks          []activities.Sink
	payloadKeys    *store.PayloadKeys
	consoleKey     []byte
	consoleKeyTemp bool // consoleKey was generated: KYCFLOW_CONSOLE_KEY is empty

	// Telemetry is shared by dev's serve and worker; nil: each makes its own.
	Telemetry *Telemetry `env:"-"`
	// PauseRelay (`bench ingest --relay=false`): serve stores, nobody delivers.
	PauseRelay bool `env:"-"`
	// ConsoleReviewers sign in to the console with a password (kycflow dev
	// makes two); ConsoleInsecureCookies drops the session cookie's Secure
	// attribute for dev's plain HTTP.
	ConsoleReviewers       []console.LocalReviewer `env:"-"`
	ConsoleInsecureCookies bool                    `env:"-"`
}

// LoadConfig reads the configuration from environ (os.Environ form) and
// reports every problem at once.
func LoadConfig(environ []string) (Config, error) {
	var cfg Config
	var errs []error
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: env.ToMap(environ)}); err != nil {
		var agg env.AggregateError
		if errors.As(err, &agg) {
			errs = append(errs, agg.Errors...)
		} else {
			errs = append(errs, err)
		}
	}
	errs = append(errs, cfg.validate()...)
	if len(errs) > 0 {
		return Config{}, &ConfigError{Problems: errs}
	}
	return cfg, nil
}

// ConfigError lists every configuration problem.
type ConfigError struct{ Problems []error }

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("invalid configuration:")
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// SigningKeys returns the active keys per route: the route's own list, or
// KYCFLOW_IDENFY_KEYS for a route without one.
func (c Config) SigningKeys() map[idenfy.Kind][][]byte {
	own := map[idenfy.Kind][]string{idenfy.KindKYC: c.KYCKeys, idenfy.KindKYB: c.KYBKeys, idenfy.KindAML: c.AMLKeys}
	out := map[idenfy.Kind][][]byte{}
	for _, k := range idenfy.Kinds {
		keys := own[k]
		if len(keys) == 0 {
			keys = c.DefaultKeys
		}
		for _, key := range keys {
			out[k] = append(out[k], []byte(key))
		}
	}
	return out
}

// Policy is the lifecycle policy the configuration asks for.
func (c Config) Policy() workflows.Policy {
	return workflows.Policy{Suspected: c.SuspectedPolicy, ReviewSLA: c.ReviewSLA, LateEventWindow: c.LateEventWindow,
		ComplianceSLA: c.ComplianceSLA, FourEyes: c.FourEyes, OnboardingAttempts: c.OnboardingAttempts,
		AMLMonitoring: c.AMLMonitoring, AlertAction: c.AMLAlertAction, MaxEventsPerRun: c.MonitoringCANEvery, ConsoleURL: c.ConsoleURL}.WithDefaults()
}
