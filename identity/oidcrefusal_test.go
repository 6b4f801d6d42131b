package identity_test

import (
	"errors"
	"kycflow/identity"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

func TestOIDCFinishRefusesACallbackThatIsNotThisBrowsersSignIn(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	for _, c := range []struct {
		name  string
		alter func(b *browser, callback *url.URL) *http.Client
	}{
		{"state mismatch", func(b *browser, cb *url.URL) *http.Client {
			setQuery(cb, "state", "x"+cb.Query().Get("state"))
			return b.Client
		}},
		{"no cookie", func(*browser, *url.URL) *http.Client { return http.DefaultClient }},
		{"tampered cookie", func(b *browser, cb *url.URL) *http.Client { editCookie(t, b, e.app.URL, tamper); return b.Client }},
		{"cookie of another sign-in", func(b *browser, cb *url.URL) *http.Client {
			other := newBrowser(t)
			e.login(t, other, "alice")
			editCookie(t, b, e.app.URL, func(string) string { return cookieOf(t, other, e.app.URL) })
			return b.Client
		}},
		{"expired cookie", func(b *browser, cb *url.URL) *http.Client {
			e.app.skew.Store(int64(10*time.Minute + time.Second))
			return b.Client
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer e.app.skew.Store(0)
			b := newBrowser(t)
			cb := e.login(t, b, "alice")
			p, err := e.finish(t, c.alter(b, cb), cb)
			if !errors.Is(err, identity.ErrSignInState) || p != (identity.Principal{}) {
				t.Errorf("Finish = %+v, %v; want ErrSignInState", p, err)
			}
		})
	}
}

func TestOIDCFinishClearsTheCookieSoACallbackCannotBeReplayed(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	b := newBrowser(t)
	cb := e.login(t, b, "alice")
	if _, err := e.finish(t, b.Client, cb); err != nil {
		t.Fatalf("first Finish = %v", err)
	}
	if v := cookieOf(t, b, e.app.URL); v != "" {
		t.Errorf("the state cookie survived Finish: %q", v)
	}
	if p, err := e.finish(t, b.Client, cb); !errors.Is(err, identity.ErrSignInState) {
		t.Errorf("replayed callback: Finish = %+v, %v; want ErrSignInState", p, err)
	}
}

func TestOIDCProviderRefusalIsShown(t *testing.T) {
	e := newTestEnv(t, testUsers, providerOptions{}, nil)
	b := newBrowser(t)
	cb := e.login(t, b, "alice")
	// The provider's error redirect (RFC 6749 4.1.2.1), for this sign-in.
	cb.RawQuery = url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"},
		"error_description": {"the user said no\x1b[31m"}}.Encode()
	_, err := e.finish(t, b.Client, cb)
	pe, ok := errors.AsType[*identity.ProviderError](err)
	if !ok || pe.Code != "access_denied" || pe.Description != "the user said no[31m" {
		t.Fatalf("Finish = %v, want a *ProviderError access_denied with the control character dropped", err)
	}
	if msg := identity.SignInMessage(err); !strings.Contains(msg, "access_denied: the user said no[31m).") {
		t.Errorf("SignInMessage = %q, want the provider's code and description", msg)
	}
}

func TestOIDCRefusesAnIDTokenItMayNotTrust(t *testing.T) {
	for _, c := range []struct {
		name string
		po   providerOptions
		edit func(*identity.OIDCOptions)
		is   func(error) bool
	}{
		{"for another audience", providerOptions{registeredAs: "someone-else"}, nil,
			func(err error) bool { return strings.Contains(err.Error(), "audience") }},
		{"expired", providerOptions{idTokenLifetime: -time.Minute}, nil,
			func(err error) bool { _, ok := errors.AsType[*oidc.TokenExpiredError](err); return ok }},
		{"a code redeemed with the wrong client secret", providerOptions{}, func(o *identity.OIDCOptions) { o.ClientSecret = "guess" },
			func(err error) bool { return strings.Contains(err.Error(), "exchange") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t, testUsers, c.po, c.edit)
			p, err := e.signIn(t, "alice")
			if !errors.Is(err, identity.ErrUnverified) || !c.is(err) || p != (identity.Principal{}) {
				t.Errorf("sign-in = %+v, %v; want ErrUnverified for the reason", p, err)
			}
		})
	}
}

func setQuery(u *url.URL, k, v string) {
	q := u.Query()
	q.Set(k, v)
	u.RawQuery = q.Encode()
}

// tamper flips one character of the cookie's payload.
func tamper(v string) string {
	b := []byte(v)
	b[5] ^= 1
	return string(b)
}

func cookieOf(t *testing.T, b *browser, appURL string) string {
	t.Helper()
	u, _ := url.Parse(appURL + identity.OIDCCookiePath + "/callback")
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "kycflow_oidc" {
			return c.Value
		}
	}
	return ""
}

func editCookie(t *testing.T, b *browser, appURL string, edit func(string) string) {
	t.Helper()
	u, _ := url.Parse(appURL + identity.OIDCCookiePath + "/callback")
	b.Jar.SetCookies(u, []*http.Cookie{{Name: "kycflow_oidc", Value: edit(cookieOf(t, b, appURL)), Path: identity.OIDCCookiePath}})
}
