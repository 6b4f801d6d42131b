package service

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kycflow/idenfy"

	"kycflow/workflows"
)

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ListenAddr != ":8080" || cfg.DatabaseURL != "" || cfg.DataDir != "./kycflow-data" || cfg.MaxBodyBytes != 5<<20 ||
		cfg.AllowlistMode != "enforce" || cfg.allowlist != nil || cfg.IngestTimeout != time.Second || cfg.InsecureSkipSignature ||
		cfg.WorkflowGeneration != workflows.Generation {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestLoadConfigReportsEveryProblem(t *testing.T) {
	_, err := LoadConfig([]string{
		"KYCFLOW_MAX_BODY_BYTES=lots",
		"KYCFLOW_ALLOWLIST_MODE=block",
		"KYCFLOW_ALLOWED_IPS=10.0.0.0/8,not-a-cidr",
		"KYCFLOW_TRUSTED_PROXIES=proxy.local",
		"KYCFLOW_TLS_CERT_FILE=/tmp/cert.pem",
		"KYCFLOW_DATABASE_URL=mysql://x",
		"KYCFLOW_IDENFY_KYC_KEYS=a,,b",
		"KYCFLOW_INGEST_TIMEOUT=30s",
		"KYCFLOW_LOG_LEVEL=loud",
		"KYCFLOW_WORKFLOW_GENERATION=9",
	})
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		t.Fatalf("LoadConfig() error = %v, want *ConfigError", err)
	}
	for _, want := range []string{"KYCFLOW_MAX_BODY_BYTES", "block", "not-a-cidr", "proxy.local", "KYCFLOW_TLS_KEY_FILE",
		"KYCFLOW_DATABASE_URL", "KYCFLOW_IDENFY_KYC_KEYS", "KYCFLOW_INGEST_TIMEOUT", "KYCFLOW_LOG_LEVEL", "KYCFLOW_WORKFLOW_GENERATION"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
	if len(cerr.Problems) < 10 {
		t.Errorf("got %d problems, want at least 10", len(cerr.Problems))
	}
}

func TestSigningKeysFallBackPerRoute(t *testing.T) {
	cfg, err := LoadConfig([]string{"KYCFLOW_IDENFY_KYC_KEYS= new , old", "KYCFLOW_IDENFY_KEYS=shared"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[idenfy.Kind][]string{}
	for k, keys := range cfg.SigningKeys() {
		for _, key := range keys {
			got[k] = append(got[k], string(key))
		}
	}
	want := map[idenfy.Kind][]string{"kyc": {"new", "old"}, "kyb": {"shared"}, "aml": {"shared"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SigningKeys() (-want +got):\n%s", diff)
	}
}

func TestConfigLogRedactsSecrets(t *testing.T) {
	cfg, err := LoadConfig([]string{
		"KYCFLOW_IDENFY_KYC_KEYS=super-secret-kyc-key",
		"KYCFLOW_IDENFY_KEYS=super-secret-default",
		"KYCFLOW_DATABASE_URL=postgres://kyc:hunter2pass@db:5432/kycflow?sslmode=disable",
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", cfg)
	out := buf.String()
	for _, secret := range []string{"super-secret", "hunter2pass"} {
		if strings.Contains(out, secret) {
			t.Errorf("logged config contains %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "db:5432") || !strings.Contains(out, "1 key(s), redacted") {
		t.Errorf("logged config lost its non-secret parts: %s", out)
	}
}
