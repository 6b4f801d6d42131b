package service

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kycflow/activities"
	"kycflow/idenfy"
	"kycflow/outbound"
	"kycflow/workflows"
)

// mailEvents go out by e-mail as well, when SMTP is configured.
var mailEvents = []string{workflows.NotifyReviewRequired, workflows.NotifyReviewOverdue, workflows.NotifyAMLAlert}

func (c *Config) validateEffects() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.OnboardingURL != "" && !isHTTPURL(c.OnboardingURL) {
		add("KYCFLOW_ONBOARDING_URL must be an http(s) URL")
	}
	if c.ConsoleURL != "" && !isHTTPURL(c.ConsoleURL) {
		add("KYCFLOW_CONSOLE_URL must be an http(s) URL (the console's base, e.g. https://kycflow.example.com/console)")
	}
	for i, k := range c.OnboardingKeys {
		s, err := outbound.ParseSecret(k)
		if err != nil {
			add("KYCFLOW_ONBOARDING_KEYS entry %d: %v", i+1, err)
			continue
		}
		c.onboardingKeys = append(c.onboardingKeys, s)
	}
	if (c.OnboardingURL != "" || len(c.NotifyURLs) > 0) && len(c.onboardingKeys) == 0 {
		add("KYCFLOW_ONBOARDING_KEYS is required with KYCFLOW_ONBOARDING_URL or KYCFLOW_NOTIFY_URLS: receivers must be able to verify what kycflow sends")
	}
	c.sinks = nil
	for _, entry := range c.NotifyURLs {
		raw, filter, _ := strings.Cut(strings.TrimSpace(entry), "#")
		if !isHTTPURL(raw) {
			add("KYCFLOW_NOTIFY_URLS entry %q is not an http(s) URL", raw)
			continue
		}
		sink := activities.Sink{URL: raw}
		if filter != "" {
			sink.Events = strings.Split(filter, "|")
		}
		c.sinks = append(c.sinks, sink)
	}
	if c.SMTPHost != "" && (c.SMTPFrom == "" || len(c.SMTPTo) == 0) {
		add("KYCFLOW_SMTP_FROM and KYCFLOW_SMTP_TO are required with KYCFLOW_SMTP_HOST")
	}
	if (c.IDenfyAPIKey == "") != (c.IDenfyAPISecret == "") {
		add("KYCFLOW_IDENFY_API_KEY and KYCFLOW_IDENFY_API_SECRET must be set together")
	}
	if !isHTTPURL(c.IDenfyBaseURL) {
		add("KYCFLOW_IDENFY_BASE_URL must be an http(s) URL")
	}
	if c.AMLAlertAction != workflows.AlertActionHold && c.AMLAlertAction != workflows.AlertActionNone {
		add("KYCFLOW_AML_ALERT_ACTION %q is neither hold nor none", c.AMLAlertAction)
	}
	if c.MonitoringCANEvery <= 0 {
		add("KYCFLOW_MONITORING_CAN_EVERY must be positive")
	}
	if c.ComplianceSLA <= 0 {
		add("KYCFLOW_COMPLIANCE_SLA must be positive")
	}
	if c.OnboardingAttempts <= 0 {
		add("KYCFLOW_ONBOARDING_MAX_ATTEMPTS must be positive")
	}
	if c.WorkflowGeneration < 0 || c.WorkflowGeneration > workflows.Generation {
		add("KYCFLOW_WORKFLOW_GENERATION must be 0 to %d (this build's newest)", workflows.Generation)
	}
	return errs
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Effects builds the worker's side-effect activities from the configuration.
func (c Config) Effects() *activities.Effects {
	e := &activities.Effects{
		Sender:        &outbound.Sender{Secrets: c.onboardingKeys, HTTP: &http.Client{Timeout: 15 * time.Second}},
		OnboardingURL: c.OnboardingURL,
		Sinks:         c.sinks,
		MailEvents:    mailEvents,
	}
	if c.Telemetry != nil {
		e.Metrics = c.Telemetry.Activities
	}
	if c.SMTPHost != "" {
		e.Mailer = &activities.SMTP{Host: c.SMTPHost, Port: c.SMTPPort, From: c.SMTPFrom, To: c.SMTPTo,
			Username: c.SMTPUsername, Password: c.SMTPPassword, StartTLS: c.SMTPStartTLS}
	}
	if c.IDenfyAPIKey != "" {
		e.IDenfy = &idenfy.Client{BaseURL: c.IDenfyBaseURL, APIKey: c.IDenfyAPIKey, APISecret: c.IDenfyAPISecret}
	}
	return e
}
