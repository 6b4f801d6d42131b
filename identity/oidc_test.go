package identity_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kycflow/identity"
)

var testUsers = []testUser{
	{id: "u-alice", username: "alice", email: "alice@example.com", idClaims: map[string]any{"roles": []string{"reviewer"}}},
	{id: "u-victor", username: "victor", idClaims: map[string]any{"roles": "viewer"}},
	{id: "u-ada", username: "ada", idClaims: map[string]any{"roles": []string{"viewer", "admin", "reviewer"}}},
	{id: "u-nora", username: "nora"},
	{id: "u-gus", username: "gus", idClaims: map[string]any{"roles": []string{"auditor", "Admin"}}},
	{id: "u-uma", username: "uma", infoClaims: map[string]any{"roles": []string{"reviewer"}}},
	{id: "u-eve", username: "eve-login", email: "eve@example.com", noUsername: true, idClaims: map[string]any{"roles": "reviewer"}},
	{id: "u-sub", username: "sub-login", noUsername: true, idClaims: map[string]any{"roles": "viewer"}},
	{id: "u-jane", username: "Jane Doe", idClaims: map[string]any{"roles": "reviewer"}},
	{id: "u-zed", username: "zed", idClaims: map[string]any{"roles": map[string]any{"reviewer": map[string]any{"org": "x"}}}},
}

func TestOIDCSignInNamesTheReviewerWithTheHighestKnownRole(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	for _, c := range []struct {
		login string
		want  identity.Principal
		err   error
	}{
		{"alice", identity.Principal{Name: "alice", Role: identity.Reviewer}, nil},
		{"victor", identity.Principal{Name: "victor", Role: identity.Viewer}, nil},               // a single string
		{"ada", identity.Principal{Name: "ada", Role: identity.Admin}, nil},                      // the highest of three
		{"uma", identity.Principal{Name: "uma", Role: identity.Reviewer}, nil},                   // roles from userinfo only
		{"eve-login", identity.Principal{Name: "eve@example.com", Role: identity.Reviewer}, nil}, // no username: email
		{"sub-login", identity.Principal{Name: "u-sub", Role: identity.Viewer}, nil},             // no username, no email: sub
		{"zed", identity.Principal{Name: "zed", Role: identity.Reviewer}, nil},                   // an object keyed by role
		{"nora", identity.Principal{}, identity.ErrNoRole},                                       // no roles claim
		{"gus", identity.Principal{}, identity.ErrNoRole},                                        // only unknown roles
		{"Jane Doe", identity.Principal{}, identity.ErrBadName},
	} {
		got, err := e.signIn(t, c.login)
		if got != c.want || !errors.Is(err, c.err) || (err == nil) != (c.err == nil) {
			t.Errorf("sign-in of %q = %+v, %v; want %+v, %v", c.login, got, err, c.want, c.err)
		}
	}
	_, err := e.signIn(t, "nora")
	var um interface{ UserMessage() string }
	if !errors.As(err, &um) || identity.SignInMessage(err) != um.UserMessage() ||
		!strings.HasPrefix(um.UserMessage(), "Your account has no kycflow role") || !strings.Contains(um.UserMessage(), "viewer, reviewer or admin") {
		t.Errorf("no role: SignInMessage = %q, want a sentence naming the roles, from UserMessage", identity.SignInMessage(err))
	}
}

func TestOIDCRolesClaimByDottedPath(t *testing.T) {
	users := []testUser{
		{id: "u-kim", username: "kim", idClaims: map[string]any{"realm_access": map[string]any{"roles": []string{"offline_access", "admin"}}}},
		{id: "u-lee", username: "lee", idClaims: map[string]any{"roles": []string{"admin"}}},
	}
	e := newTestEnv(t, users, providerOptions{}, func(o *identity.OIDCOptions) { o.RolesClaim = "realm_access.roles" })
	if got, err := e.signIn(t, "kim"); err != nil || got != (identity.Principal{Name: "kim", Role: identity.Admin}) {
		t.Errorf("realm_access.roles = [offline_access admin]: sign-in = %+v, %v; want kim, admin", got, err)
	}
	if got, err := e.signIn(t, "lee"); !errors.Is(err, identity.ErrNoRole) {
		t.Errorf("roles at the top level while the claim is realm_access.roles: sign-in = %+v, %v; want ErrNoRole", got, err)
	}
}

func TestOIDCBeginSendsPKCEStateAndNonce(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	b := newBrowser(t)
	cb := e.login(t, b, "alice")
	if len(b.authorize) != 1 {
		t.Fatalf("%d authorization requests, want 1", len(b.authorize))
	}
	q := b.authorize[0].Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": testClientID,
		"redirect_uri": e.app.URL + identity.OIDCCallbackPath, "code_challenge_method": "S256"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if c, err := base64.RawURLEncoding.DecodeString(q.Get("code_challenge")); err != nil || len(c) != sha256.Size {
		t.Errorf("code_challenge = %q, want a base64url SHA-256", q.Get("code_challenge"))
	}
	if len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("state %q, nonce %q, scope %q: want 256-bit state and nonce and the openid scope", q.Get("state"), q.Get("nonce"), q.Get("scope"))
	}
	// The provider checks the verifier against this challenge at the token
	// endpoint: the sign-in only succeeds if Finish sent the right one.
	if _, err := e.finish(t, b.Client, cb); err != nil {
		t.Errorf("sign-in = %v", err)
	}
}

func TestOIDCStateCookieAttributes(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, func(o *identity.OIDCOptions) { o.InsecureCookie = false })
	rec := httptest.NewRecorder()
	e.app.OIDC.Begin(rec, httptest.NewRequest(http.MethodGet, "/console/oidc/login", nil))
	if rec.Code != http.StatusFound || !strings.HasPrefix(rec.Header().Get("Location"), e.provider.URL) {
		t.Fatalf("Begin answered %d to %q, want 302 to the provider", rec.Code, rec.Header().Get("Location"))
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Begin set %d cookies, want 1", len(cookies))
	}
	c := cookies[0]
	if !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/console/oidc" || c.MaxAge != 600 {
		t.Errorf("state cookie = %+v; want HttpOnly, Secure, SameSite=Lax, Path=/console/oidc, Max-Age=600", c)
	}
	state, _ := url.Parse(rec.Header().Get("Location"))
	if strings.Contains(c.Value, state.Query().Get("code_challenge")) {
		t.Error("the cookie holds the PKCE challenge; it must hold the verifier, which the provider never sees")
	}
}

func TestOIDCDiscoveryIsRetriedAfterTheProviderComesBack(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	e.provider.down.Store(true)
	begin := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.app.OIDC.Begin(rec, httptest.NewRequest(http.MethodGet, "/console/oidc/login", nil))
		return rec
	}
	if err := e.app.OIDC.Discover(context.Background()); !errors.Is(err, identity.ErrProviderUnavailable) {
		t.Fatalf("Discover with the provider down = %v, want ErrProviderUnavailable", err)
	}
	if rec := begin(); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "cannot be reached") {
		t.Errorf("Begin with the provider down = %d %q, want 503 and a clear message", rec.Code, rec.Body)
	}
	e.provider.down.Store(false)
	if rec := begin(); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("Begin right after a failed discovery = %d, want 503 until the retry interval has passed", rec.Code)
	}
	e.app.skew.Store(int64(11 * time.Second))
	if rec := begin(); rec.Code != http.StatusFound {
		t.Errorf("Begin after the provider came back = %d, want 302", rec.Code)
	}
	e.app.skew.Store(0)
	if p, err := e.signIn(t, "alice"); err != nil || p.Role != identity.Reviewer {
		t.Errorf("sign-in after the outage = %+v, %v", p, err)
	}
}

func TestOIDCDiscoveryOutlivesTheRequestThatAsked(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the browser gave up
	if err := e.app.OIDC.Discover(ctx); err != nil {
		t.Fatalf("Discover for a cancelled request = %v, want the provider discovered all the same", err)
	}
	if p, err := e.signIn(t, "alice"); err != nil || p.Role != identity.Reviewer {
		t.Errorf("sign-in = %+v, %v", p, err)
	}
}

func TestNewOIDCChecksItsOptions(t *testing.T) {
	good := identity.OIDCOptions{Issuer: "https://idp.example", ClientID: "kycflow", RedirectURL: "https://kyc.example/console/oidc/callback",
		CookieKey: make([]byte, 32)}
	if _, err := identity.NewOIDC(good); err != nil {
		t.Fatalf("NewOIDC(%+v) = %v", good, err)
	}
	for name, edit := range map[string]func(*identity.OIDCOptions){
		"no issuer":             func(o *identity.OIDCOptions) { o.Issuer = "" },
		"relative issuer":       func(o *identity.OIDCOptions) { o.Issuer = "idp.example" },
		"no client id":          func(o *identity.OIDCOptions) { o.ClientID = "" },
		"redirect elsewhere":    func(o *identity.OIDCOptions) { o.RedirectURL = "https://kyc.example/callback" },
		"redirect with a query": func(o *identity.OIDCOptions) { o.RedirectURL += "?x=1" },
		"relative redirect":     func(o *identity.OIDCOptions) { o.RedirectURL = "/console/oidc/callback" },
		"short cookie key":      func(o *identity.OIDCOptions) { o.CookieKey = make([]byte, 16) },
		"ftp redirect":          func(o *identity.OIDCOptions) { o.RedirectURL = "ftp://kyc.example/console/oidc/callback" },
	} {
		o := good
		edit(&o)
		if _, err := identity.NewOIDC(o); err == nil {
			t.Errorf("NewOIDC with %s accepted", name)
		}
	}
}
