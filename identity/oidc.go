package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCCookiePath scopes the sign-in cookie; OIDCCallbackPath is where the
// provider sends the browser back, the path every redirect URL ends with.
const (
	OIDCCookiePath   = "/console/oidc"
	OIDCCallbackPath = OIDCCookiePath + "/callback"
)

const (
	// stateLifetime is how long a sign-in may take at the provider.
	stateLifetime = 10 * time.Minute
	// discoveryTimeout bounds one discovery attempt; discoveryRetry is how
	// long a failed one is remembered before the next sign-in tries again.
	discoveryTimeout = 10 * time.Second
	discoveryRetry   = 10 * time.Second
)

// OIDCOptions configure sign-in through an OpenID Connect provider.
type OIDCOptions struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is the absolute URL of the callback as the browser sees
	// it, ending in OIDCCallbackPath; it is registered at the provider.
	RedirectURL string
	// RolesClaim names the claim that carries the roles (default "roles").
	// A claim of that exact name wins; else a dotted path reaches into
	// nested objects ("realm_access.roles").
	RolesClaim string
	// CookieKey (at least 32 bytes) authenticates the sign-in cookie.
	CookieKey []byte
	// InsecureCookie drops the cookie's Secure attribute, for plain-HTTP
	// development only.
	InsecureCookie bool

	// HTTPClient talks to the provider (default: a 10 s timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives discovery failures (default: discarded).
	Log *slog.Logger
}

// OIDC signs reviewers in with the authorization-code flow and PKCE.
// Discovery happens on first use and is retried while the provider is
// down, so a provider outage refuses sign-ins, never the process.
type OIDC struct {
	opts     OIDCOptions
	stateKey []byte

	mu       sync.Mutex
	ep       *endpoints // nil until discovery succeeded
	lastTry  time.Time
	lastFail error
}

// endpoints is what discovery yields.
type endpoints struct {
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC checks opts; it does not reach the provider (Discover does).
func NewOIDC(opts OIDCOptions) (*OIDC, error) {
	if err := checkHTTPURL(opts.Issuer); err != nil {
		return nil, fmt.Errorf("oidc issuer: %w", err)
	}
	if opts.ClientID == "" {
		return nil, errors.New("oidc client id is required")
	}
	if err := CheckRedirectURL(opts.RedirectURL); err != nil {
		return nil, err
	}
	if len(opts.CookieKey) < 32 {
		return nil, errors.New("oidc cookie key must be at least 32 bytes")
	}
	if opts.RolesClaim == "" {
		opts.RolesClaim = "roles"
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: discoveryTimeout}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &OIDC{opts: opts, stateKey: deriveKey(opts.CookieKey, "kycflow/identity/oidc-state/v1")}, nil
}

// Begin sends the browser to the provider's authorization endpoint with a
// fresh state, nonce and PKCE (S256) challenge, kept for Finish in a
// short-lived authenticated cookie. If the provider cannot be discovered
// it answers 503 with a plain message.
func (o *OIDC) Begin(w http.ResponseWriter, r *http.Request) {
	ep, err := o.endpoints(r.Context())
	if err != nil {
		http.Error(w, SignInMessage(err), http.StatusServiceUnavailable)
		return
	}
	f := flow{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Expires: o.opts.Now().Add(stateLifetime).Unix()}
	http.SetCookie(w, o.cookie(f.seal(o.stateKey), int(stateLifetime/time.Second)))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, ep.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), http.StatusFound)
}

// Finish completes the sign-in the provider redirected back to: it checks
// the state against Begin's cookie (and clears the cookie), exchanges the
// code with the PKCE verifier, verifies the ID token (issuer, audience,
// expiry, signature, nonce) and returns the reviewer it names with the
// highest role its roles claim grants.
//
// Every error is a refusal; SignInMessage(err) is what to show the person,
// err itself is for the log (it names no one). ErrNoRole and ErrBadName
// mean the provider signed the person in but kycflow will not; a
// *ProviderError is the provider's own refusal.
func (o *OIDC) Finish(w http.ResponseWriter, r *http.Request) (Principal, error) {
	w.Header().Set("Cache-Control", "no-store")
	f, err := o.readCookie(r)
	http.SetCookie(w, o.cookie("", -1))
	if err != nil {
		return Principal{}, err
	}
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.State)) != 1 {
		return Principal{}, fmt.Errorf("oidc callback: %w: state does not match the cookie", ErrSignInState)
	}
	if code := q.Get("error"); code != "" {
		return Principal{}, &ProviderError{Code: printable(code, 64), Description: printable(q.Get("error_description"), 200)}
	}
	if q.Get("code") == "" {
		return Principal{}, fmt.Errorf("oidc callback: %w: no code", ErrUnverified)
	}
	ep, err := o.endpoints(r.Context())
	if err != nil {
		return Principal{}, err
	}
	claims, err := o.exchange(o.clientContext(r.Context()), ep, q.Get("code"), f)
	if err != nil {
		return Principal{}, err
	}
	return o.principal(claims)
}

// exchange redeems the code and returns the verified ID token's claims,
// completed from the userinfo endpoint when the ID token lacks the name
// or the roles (providers may keep profile claims there, OIDC Core 5.4).
func (o *OIDC) exchange(ctx context.Context, ep *endpoints, code string, f flow) (map[string]any, error) {
	tok, err := ep.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		if _, refused := errors.AsType[*oauth2.RetrieveError](err); refused {
			return nil, fmt.Errorf("oidc exchange code: %w: %v", ErrUnverified, err)
		}
		return nil, fmt.Errorf("oidc exchange code: %w: %v", ErrProviderUnavailable, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("oidc exchange code: %w: no id_token in the token response", ErrUnverified)
	}
	idt, err := ep.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("oidc verify id token: %w: %w", ErrUnverified, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return nil, fmt.Errorf("oidc verify id token: %w: nonce does not match", ErrUnverified)
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("oidc verify id token: %w: %v", ErrUnverified, err)
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("oidc id token claims: %w: %v", ErrUnverified, err)
	}
	if _, ok := claimAt(claims, o.opts.RolesClaim); ok && claims["preferred_username"] != nil {
		return claims, nil
	}
	if ep.provider.UserInfoEndpoint() == "" {
		return claims, nil
	}
	ui, err := ep.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return nil, fmt.Errorf("oidc userinfo: %w: %v", ErrProviderUnavailable, err)
	}
	if ui.Subject != idt.Subject {
		return nil, fmt.Errorf("oidc userinfo: %w: its subject is not the id token's", ErrUnverified)
	}
	more := map[string]any{}
	if err := ui.Claims(&more); err != nil {
		return nil, fmt.Errorf("oidc userinfo claims: %w: %v", ErrUnverified, err)
	}
	for k, v := range more {
		if _, ok := claims[k]; !ok {
			claims[k] = v
		}
	}
	return claims, nil
}

// principal names the reviewer and picks the highest known role.
func (o *OIDC) principal(claims map[string]any) (Principal, error) {
	v, _ := claimAt(claims, o.opts.RolesClaim)
	role, ok := highestRole(v)
	if !ok {
		return Principal{}, ErrNoRole
	}
	name, err := reviewerName(claims)
	if err != nil {
		return Principal{}, err
	}
	return Principal{Name: name, Role: role}, nil
}

func (o *OIDC) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: stateCookie, Value: value, Path: OIDCCookiePath, MaxAge: maxAge,
		HttpOnly: true, Secure: !o.opts.InsecureCookie, SameSite: http.SameSiteLaxMode}
}

func (o *OIDC) readCookie(r *http.Request) (flow, error) {
	c, err := r.Cookie(stateCookie)
	if err != nil {
		return flow{}, fmt.Errorf("oidc callback: %w: no sign-in cookie", ErrSignInState)
	}
	f, err := openFlow(o.stateKey, c.Value, o.opts.Now())
	if err != nil {
		return flow{}, fmt.Errorf("oidc callback: %w: %v", ErrSignInState, err)
	}
	return f, nil
}
