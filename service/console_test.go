package service

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kycflow/httpserver"
	"kycflow/internal/testenv"
)

func TestLoadConfigConsoleSettings(t *testing.T) {
	cfg, err := LoadConfig([]string{"KYCFLOW_TEMPORAL_UI_URL=https://temporal.example.com", "KYCFLOW_CONSOLE_SESSION_TTL=2h"})
	if err != nil || cfg.TemporalUIURL != "https://temporal.example.com" || cfg.ConsoleSessionTTL != 2*time.Hour {
		t.Errorf("LoadConfig = %+v, %v", cfg, err)
	}
	if cfg, err := LoadConfig(nil); err != nil || cfg.ConsoleSessionTTL != 8*time.Hour || cfg.TemporalUIURL != "" {
		t.Errorf("defaults: session TTL %s, Temporal UI %q, %v; want 8h and no link", cfg.ConsoleSessionTTL, cfg.TemporalUIURL, err)
	}
	_, err = LoadConfig([]string{"KYCFLOW_TEMPORAL_UI_URL=javascript:alert(1)", "KYCFLOW_CONSOLE_SESSION_TTL=0s"})
	var cerr *ConfigError
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "KYCFLOW_TEMPORAL_UI_URL") || !strings.Contains(err.Error(), "KYCFLOW_CONSOLE_SESSION_TTL") {
		t.Errorf("invalid console settings = %v, want both named", err)
	}
}

// Without an identity provider or local reviewers (production serve
// without KYCFLOW_OIDC_*), /console explains how to turn it on.
func TestConsoleIsOffWithoutSignIn(t *testing.T) {
	cfg, err := LoadConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mountConsole(engine, cfg, slog.New(slog.DiscardHandler), testenv.SQLite(t), nil, nil, nil)
	for _, path := range []string{"/console", "/console/", "/console/queue", "/console/cases/kyc/s1"} {
		w := httptest.NewRecorder()
		engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "KYCFLOW_OIDC_ISSUER") ||
			w.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s = %d %s, want 503 naming KYCFLOW_OIDC_ISSUER", path, w.Code, w.Body)
		}
	}
}
