package service

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// LogValue describes the configuration with every secret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("listen_addr", c.ListenAddr),
		slog.String("database", cmpOr(RedactURL(c.DatabaseURL), "none", "embedded sqlite")),
		slog.String("data_dir", c.DataDir),
		slog.Bool("migrate_on_start", c.MigrateOnStart),
		slog.String("kyc_keys", countKeys(c.KYCKeys)),
		slog.String("kyb_keys", countKeys(c.KYBKeys)),
		slog.String("aml_keys", countKeys(c.AMLKeys)),
		slog.String("default_keys", countKeys(c.DefaultKeys)),
		slog.Bool("insecure_skip_signature", c.InsecureSkipSignature),
		slog.Any("allowed_ips", c.AllowedIPs),
		slog.String("allowlist_mode", c.AllowlistMode),
		slog.Any("trusted_proxies", c.TrustedProxies),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Duration("ingest_timeout", c.IngestTimeout),
		slog.Bool("tls", c.TLSCertFile != ""),
		slog.String("temporal_address", c.TemporalAddress),
		slog.String("temporal_namespace", c.TemporalNamespace),
		slog.String("task_queue", c.TaskQueue),
		slog.String("temporal_ui_url", c.TemporalUIURL),
		slog.Duration("console_session_ttl", c.ConsoleSessionTTL),
		slog.Int("console_local_reviewers", len(c.ConsoleReviewers)),
		slog.Bool("api_token_set", c.APIToken != ""),
		slog.String("suspected_policy", c.SuspectedPolicy),
		slog.Duration("review_sla", c.ReviewSLA),
		slog.Duration("late_event_window", c.LateEventWindow),
		slog.Bool("aml_monitoring", c.AMLMonitoring),
		slog.String("aml_alert_action", c.AMLAlertAction),
		slog.Duration("compliance_sla", c.ComplianceSLA),
		slog.Bool("four_eyes", c.FourEyes),
		slog.Int("workflow_generation", c.WorkflowGeneration),
		slog.String("onboarding_url", RedactURL(c.OnboardingURL)),
		slog.String("onboarding_keys", countKeys(c.OnboardingKeys)),
		slog.Int("notify_sinks", len(c.NotifyURLs)),
		slog.String("smtp_host", c.SMTPHost),
		slog.Bool("idenfy_api", c.IDenfyAPIKey != ""),
		slog.String("idenfy_base_url", c.IDenfyBaseURL),
		slog.String("payload_keys", countKeys(strings.FieldsFunc(c.PayloadKeys, func(r rune) bool { return r == ',' }))),
		slog.String("oidc_issuer", cmpOr(c.OIDCIssuer, "", "none")),
		slog.String("oidc_client_id", c.OIDCClientID),
		slog.Bool("oidc_client_secret_set", c.OIDCClientSecret != ""),
		slog.String("oidc_redirect_url", c.OIDCRedirectURL),
		slog.String("oidc_roles_claim", c.OIDCRolesClaim),
		slog.Bool("console_key_set", c.ConsoleKey != ""),
	)
}

func countKeys(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d key(s), redacted", len(keys))
}

// RedactURL hides the password of a database URL for logs and reports.
func RedactURL(raw string) string {
	if raw == "" {
		return "none"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "[unparseable, redacted]"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

func cmpOr(s, none, instead string) string {
	if s == none {
		return instead
	}
	return s
}
