package service

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var oidcEnv = []string{
	"KYCFLOW_OIDC_ISSUER=https://login.example.com/realms/kyc",
	"KYCFLOW_OIDC_CLIENT_ID=kycflow",
	"KYCFLOW_OIDC_CLIENT_SECRET=oidc-secret-do-not-log",
	"KYCFLOW_OIDC_REDIRECT_URL=https://kycflow.example.com/console/oidc/callback",
}

func TestLoadConfigOIDC(t *testing.T) {
	cfg, err := LoadConfig(oidcEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OIDCRolesClaim != "roles" || len(cfg.CookieKey()) != 32 || !cfg.CookieKeyGenerated() {
		t.Errorf("roles claim %q, cookie key %d bytes (generated %v); want roles, 32, true", cfg.OIDCRolesClaim, len(cfg.CookieKey()), cfg.CookieKeyGenerated())
	}
	again, _ := LoadConfig(oidcEnv)
	if bytes.Equal(cfg.CookieKey(), again.CookieKey()) {
		t.Error("two processes without KYCFLOW_CONSOLE_KEY generated the same key")
	}
	// A provider that is down does not keep OIDC (and so serve) from
	// returning; the background discovery fails and is logged.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }))
	defer down.Close()
	cfg, err = LoadConfig(replace(oidcEnv, "KYCFLOW_OIDC_ISSUER="+down.URL))
	if err != nil {
		t.Fatal(err)
	}
	var logged syncBuffer
	o, err := cfg.OIDC(context.Background(), slog.New(slog.NewJSONHandler(&logged, nil)))
	if err != nil || o == nil {
		t.Fatalf("Config.OIDC() = %v, %v; want the sign-in", o, err)
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logged.String(), "oidc discovery failed"); {
		if time.Now().After(deadline) {
			t.Fatalf("no discovery failure logged: %s", logged.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logged.String(), "KYCFLOW_CONSOLE_KEY is not set") {
		t.Errorf("the generated console key is not logged: %s", logged.String())
	}
	none, _ := LoadConfig(nil)
	if o, err := none.OIDC(context.Background(), slog.New(slog.DiscardHandler)); o != nil || err != nil {
		t.Errorf("Config.OIDC() without an issuer = %v, %v; want nil, nil", o, err)
	}
}

func TestLoadConfigConsoleKey(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		cfg, err := LoadConfig([]string{"KYCFLOW_CONSOLE_KEY=" + enc.EncodeToString(key)})
		if err != nil || !bytes.Equal(cfg.CookieKey(), key) || cfg.CookieKeyGenerated() {
			t.Errorf("KYCFLOW_CONSOLE_KEY in %v: key %x, generated %v, %v; want the key", enc, cfg.CookieKey(), cfg.CookieKeyGenerated(), err)
		}
	}
	for _, bad := range []string{base64.StdEncoding.EncodeToString(key[:16]), "not base64!"} {
		if _, err := LoadConfig([]string{"KYCFLOW_CONSOLE_KEY=" + bad}); err == nil || !strings.Contains(err.Error(), "KYCFLOW_CONSOLE_KEY") {
			t.Errorf("KYCFLOW_CONSOLE_KEY=%q: %v, want it refused", bad, err)
		}
	}
}

func TestLoadConfigRefusesIncompleteOrWrongOIDC(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want []string
	}{
		{[]string{"KYCFLOW_OIDC_ISSUER=https://login.example.com"},
			[]string{"KYCFLOW_OIDC_CLIENT_ID", "KYCFLOW_OIDC_CLIENT_SECRET", "KYCFLOW_OIDC_REDIRECT_URL"}},
		{[]string{"KYCFLOW_OIDC_CLIENT_SECRET=s"}, []string{"KYCFLOW_OIDC_ISSUER", "KYCFLOW_OIDC_CLIENT_ID"}},
		{replace(oidcEnv, "KYCFLOW_OIDC_ISSUER=login.example.com"), []string{"KYCFLOW_OIDC_ISSUER must be an absolute"}},
		{replace(oidcEnv, "KYCFLOW_OIDC_REDIRECT_URL=https://kycflow.example.com/callback"), []string{"/console/oidc/callback"}},
		{replace(oidcEnv, "KYCFLOW_OIDC_REDIRECT_URL=/console/oidc/callback"), []string{"KYCFLOW_OIDC_REDIRECT_URL"}},
		{append(oidcEnv[:4:4], "KYCFLOW_OIDC_ROLES_CLAIM= roles"), []string{"KYCFLOW_OIDC_ROLES_CLAIM"}},
	} {
		_, err := LoadConfig(c.env)
		var cerr *ConfigError
		if !errors.As(err, &cerr) {
			t.Errorf("LoadConfig(%q) = %v, want a *ConfigError", c.env, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("LoadConfig(%q) error does not mention %q:\n%v", c.env, w, err)
			}
		}
	}
}

func TestConfigLogRedactsTheOIDCSecretAndConsoleKey(t *testing.T) {
	cfg, err := LoadConfig(append(oidcEnv[:4:4], "KYCFLOW_CONSOLE_KEY="+base64.StdEncoding.EncodeToString([]byte("console-key-do-not-log-32-bytes!"))))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", cfg)
	out := buf.String()
	for _, secret := range []string{"oidc-secret-do-not-log", cfg.ConsoleKey} {
		if strings.Contains(out, secret) {
			t.Errorf("logged config contains %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "login.example.com/realms/kyc") || !strings.Contains(out, `"oidc_client_secret_set":true`) {
		t.Errorf("logged config lost the OIDC settings: %s", out)
	}
}

// replace swaps the variable of kv's name in env for kv.
func replace(env []string, kv string) []string {
	name, _, _ := strings.Cut(kv, "=")
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return append(out, kv)
}

// syncBuffer is a log destination written from another goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
