package service

import (
	"context"
	"encoding/json"
	"kycflow/httpserver"
	"kycflow/internal/testenv"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// serve's console signs in through the configured provider: /console/oidc/login
// redirects to its authorization endpoint with PKCE, and a callback this
// browser did not start is refused with a page that says so.
func TestConsoleSignsInThroughTheConfiguredProvider(t *testing.T) {
	var issuer string
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "authorization_endpoint": issuer + "/authorize",
			"token_endpoint": issuer + "/token", "jwks_uri": issuer + "/keys"})
	}))
	defer idp.Close()
	issuer = idp.URL
	cfg, err := LoadConfig(replace(oidcEnv, "KYCFLOW_OIDC_ISSUER="+issuer))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	signIn, err := cfg.OIDC(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	engine, err := httpserver.NewEngine(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mountConsole(engine, cfg, log, testenv.SQLite(t), nil, nil, signIn)

	w := httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/console/oidc/login", nil))
	loc, _ := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusFound || loc == nil || !strings.HasPrefix(loc.String(), issuer+"/authorize?") ||
		loc.Query().Get("code_challenge_method") != "S256" || loc.Query().Get("client_id") != "kycflow" {
		t.Errorf("GET /console/oidc/login = %d to %q, want 302 to the provider with PKCE", w.Code, w.Header().Get("Location"))
	}
	if c := w.Result().Cookies(); len(c) != 1 || !c[0].Secure || !c[0].HttpOnly {
		t.Errorf("sign-in cookie = %+v, want one Secure HttpOnly cookie (the redirect URL is https)", c)
	}
	w = httptest.NewRecorder()
	engine.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/console/oidc/callback?code=c&state=s", nil))
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "expired or was started elsewhere") {
		t.Errorf("a callback without the sign-in cookie = %d %s, want 403 saying so", w.Code, w.Body)
	}
}
