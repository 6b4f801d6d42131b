package service

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"kycflow/store"
	"kycflow/webhook"
	"kycflow/workflows"
)

// validate reports every problem of the loaded configuration and derives
// what the processes use from it (payload keys, the allowlist; the
// side effects' settings through validateEffects).
func (c *Config) validate() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		add("KYCFLOW_DATABASE_URL must be a postgres:// URL, or empty for the embedded SQLite database")
	}
	if k, err := store.ParsePayloadKeys(c.PayloadKeys); err != nil {
		add("KYCFLOW_PAYLOAD_KEYS: %v", err)
	} else {
		c.payloadKeys = k
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		add("KYCFLOW_DATA_DIR must not be empty when KYCFLOW_DATABASE_URL is empty")
	}
	for _, k := range []struct {
		name string
		keys *[]string
	}{
		{"KYCFLOW_IDENFY_KYC_KEYS", &c.KYCKeys}, {"KYCFLOW_IDENFY_KYB_KEYS", &c.KYBKeys},
		{"KYCFLOW_IDENFY_AML_KEYS", &c.AMLKeys}, {"KYCFLOW_IDENFY_KEYS", &c.DefaultKeys},
	} {
		trimmed, empty := trimKeys(*k.keys)
		if empty {
			add("%s has an empty entry (check for stray commas)", k.name)
		}
		*k.keys = trimmed
	}
	a, err := webhook.ParseAllowlist(c.AllowedIPs, c.AllowlistMode)
	if err != nil {
		add("KYCFLOW_ALLOWED_IPS / KYCFLOW_ALLOWLIST_MODE: %v", err)
	}
	c.allowlist = a
	for _, p := range c.TrustedProxies {
		if _, err := webhook.ParseAllowlist([]string{p}, webhook.ModeEnforce); err != nil {
			add("KYCFLOW_TRUSTED_PROXIES entry %q is not a CIDR or IP address", p)
		}
	}
	if c.MaxBodyBytes <= 0 {
		add("KYCFLOW_MAX_BODY_BYTES must be positive")
	}
	if c.IngestTimeout <= 0 || c.IngestTimeout > 9*time.Second {
		add("KYCFLOW_INGEST_TIMEOUT must be between 0 and 9s: iDenfy gives up after 10s")
	}
	if c.WorkerCache < 0 {
		add("KYCFLOW_WORKER_CACHE must be 0 (the Temporal SDK's default) or a number of workflows")
	}
	if c.IngestBatch < 1 || c.IngestBatch > 1000 {
		add("KYCFLOW_INGEST_BATCH must be between 1 (one commit per webhook) and 1000")
	}
	if c.ShutdownTimeout <= 0 {
		add("KYCFLOW_SHUTDOWN_TIMEOUT must be positive")
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		add("KYCFLOW_TLS_CERT_FILE and KYCFLOW_TLS_KEY_FILE must be set together")
	}
	if c.DBMaxConns <= 0 {
		add("KYCFLOW_DB_MAX_CONNS must be positive")
	}
	errs = append(errs, c.validateEffects()...)
	errs = append(errs, c.validateSignIn()...)
	if !workflows.ValidSuspected(c.SuspectedPolicy) {
		add("KYCFLOW_SUSPECTED_POLICY %q is not review, approve or reject", c.SuspectedPolicy)
	}
	if c.ReviewSLA <= 0 {
		add("KYCFLOW_REVIEW_SLA must be positive")
	}
	if c.LateEventWindow <= 0 {
		add("KYCFLOW_LATE_EVENT_WINDOW must be positive")
	}
	if c.TemporalUIURL != "" && !isHTTPURL(c.TemporalUIURL) {
		add("KYCFLOW_TEMPORAL_UI_URL must be an absolute http(s) URL (the Temporal Web UI, e.g. https://temporal.example.com)")
	}
	if c.ConsoleSessionTTL <= 0 || c.ConsoleSessionTTL > 7*24*time.Hour {
		add("KYCFLOW_CONSOLE_SESSION_TTL must be positive and at most 168h")
	}
	if c.TemporalAddress == "" || c.TemporalNamespace == "" || c.TaskQueue == "" {
		add("TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE and KYCFLOW_TASK_QUEUE must not be empty")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		add("KYCFLOW_LOG_LEVEL %q is not debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		add("KYCFLOW_LOG_FORMAT %q is neither json nor text", c.LogFormat)
	}
	return errs
}

func trimKeys(keys []string) (out []string, empty bool) {
	for _, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" {
			empty = true
			continue
		}
		out = append(out, k)
	}
	return out, empty
}
