package console_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kycflow/console"
	"kycflow/identity"
	"kycflow/store"
)

func TestSignInWithAPasswordStartsAStoredSession(t *testing.T) {
	r := newRig(t)
	b := &browser{r: r}
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login" {
		t.Fatalf("queue without a session = %d %q, want 303 to /console/login", w.Code, w.Header().Get("Location"))
	}
	if w := b.do(http.MethodGet, "/console/login", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="login-form"`) {
		t.Fatalf("login page = %d %s", w.Code, w.Body)
	}

	w := b.do(http.MethodPost, "/console/login", url.Values{"name": {"alice"}, "password": {password}})
	ck := sessionCookie(w)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/queue" || ck == nil {
		t.Fatalf("good password = %d %q, cookie %v", w.Code, w.Header().Get("Location"), ck)
	}
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/console" || ck.MaxAge != int((8*time.Hour).Seconds()) {
		t.Errorf("session cookie = %+v; want HttpOnly, Secure, SameSite=Lax, Path=/console, Max-Age 8h", ck)
	}
	// The database holds the id's SHA-256, never the id.
	s, err := r.db.Session(context.Background(), hashOf(ck.Value))
	if err != nil || s.Principal() != (identity.Principal{Name: "alice", Role: identity.Reviewer}) || !s.ExpiresAt.Equal(t0.Add(8*time.Hour)) {
		t.Errorf("stored session = %+v, %v", s, err)
	}
	if _, err := r.db.Session(context.Background(), []byte(ck.Value)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a session stored under the raw cookie value: %v", err)
	}
	b.cookie = ck.Value
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `data-reviewer="alice"`) {
		t.Errorf("queue signed in = %d %s", w.Code, w.Body)
	}
}

func TestSignInRefusesAWrongPassword(t *testing.T) {
	r := newRig(t)
	for _, c := range []struct{ name, password string }{
		{"alice", "wrong"}, {"alice", ""}, {"Alice", password}, {"mallory", password}, {"", ""}, {"alice", password + " "},
	} {
		b := &browser{r: r}
		w := b.do(http.MethodPost, "/console/login", url.Values{"name": {c.name}, "password": {c.password}})
		if w.Code != http.StatusUnauthorized || sessionCookie(w) != nil || !strings.Contains(w.Body.String(), "Wrong name or password") {
			t.Errorf("sign in %q/%q = %d (cookie %v), want 401 without a session", c.name, c.password, w.Code, sessionCookie(w))
		}
	}
	if r.store.created != 0 {
		t.Errorf("%d sessions created by refused sign-ins", r.store.created)
	}
}

func TestInsecureCookiesDropsSecureForPlainHTTPDev(t *testing.T) {
	r := newRig(t, func(o *console.Options) { o.InsecureCookies = true; o.SessionTTL = time.Hour })
	w := (&browser{r: r}).do(http.MethodPost, "/console/login", url.Values{"name": {"bob"}, "password": {password}})
	ck := sessionCookie(w)
	if ck == nil || ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge != 3600 {
		t.Errorf("dev session cookie = %+v, want not Secure, still HttpOnly and SameSite=Lax, Max-Age 1h", ck)
	}
}

func TestSessionExpiresAfterItsLifetime(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	r.db.Now = func() time.Time { return t0.Add(8*time.Hour - time.Second) }
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK {
		t.Fatalf("queue just before the session ends = %d", w.Code)
	}
	r.db.Now = func() time.Time { return t0.Add(8 * time.Hour) }
	w := b.do(http.MethodGet, "/console/queue", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login" {
		t.Errorf("queue after 8 h = %d %q, want 303 to sign in", w.Code, w.Header().Get("Location"))
	}
	if ck := sessionCookie(w); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("expired session's cookie = %+v, want it cleared", ck)
	}
	before := len(r.tf.Sent())
	if w := b.post("/console/cases/kyc/s1/decide", decision("approve", "ok")); w.Code != http.StatusSeeOther || len(r.tf.Sent()) != before {
		t.Errorf("decide with an expired session = %d, %d reviews sent; want 303 and none", w.Code, len(r.tf.Sent())-before)
	}
	// A new sign-in deletes the ended sessions.
	r.signIn("bob")
	if r.store.expired != 1 {
		t.Errorf("ended sessions deleted when bob signed in = %d, want 1 (alice's)", r.store.expired)
	}
}

func TestSignOutDeletesTheSession(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	other := r.signIn("bob")
	if w := b.do(http.MethodPost, "/console/logout", url.Values{}); w.Code != http.StatusForbidden {
		t.Errorf("sign-out without the CSRF token = %d, want 403", w.Code)
	}
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK {
		t.Fatalf("after a refused sign-out the session must still work: %d", w.Code)
	}
	w := b.post("/console/logout", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login" {
		t.Fatalf("sign-out = %d %q", w.Code, w.Header().Get("Location"))
	}
	if ck := sessionCookie(w); ck == nil || ck.MaxAge >= 0 || ck.Value != "" {
		t.Errorf("cookie after sign-out = %+v, want it cleared", ck)
	}
	// The old cookie signs nobody in any more; bob's session is untouched.
	if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusSeeOther {
		t.Errorf("queue with the signed-out cookie = %d, want 303", w.Code)
	}
	if w := other.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK {
		t.Errorf("bob after alice signed out = %d", w.Code)
	}
	if _, err := r.db.Session(context.Background(), hashOf(b.cookie)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("alice's session after sign-out: %v, want deleted", err)
	}
}

func TestSigningInAgainReplacesTheBrowsersSession(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	old := b.cookie
	w := b.do(http.MethodPost, "/console/login", url.Values{"name": {"bob"}, "password": {password}})
	ck := sessionCookie(w)
	if ck == nil || ck.Value == old {
		t.Fatalf("second sign-in cookie = %+v, want a new id", ck)
	}
	if w := (&browser{r: r, cookie: old}).do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusSeeOther {
		t.Errorf("the replaced session = %d, want 303 (deleted)", w.Code)
	}
}

// fakeOIDC stands in for identity's OpenID Connect sign-in.
type fakeOIDC struct {
	p   identity.Principal
	err error
}

func (f fakeOIDC) Begin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "https://idp.example/authorize?state=x", http.StatusFound)
}

func (f fakeOIDC) Finish(http.ResponseWriter, *http.Request) (identity.Principal, error) {
	return f.p, f.err
}

type refused struct{}

func (refused) Error() string       { return "no known role in claim roles" }
func (refused) UserMessage() string { return "Your account has no kycflow role." }

func TestOIDCSignIn(t *testing.T) {
	for _, c := range []struct {
		name     string
		oidc     fakeOIDC
		want     int
		wantText string
	}{
		{"reviewer", fakeOIDC{p: identity.Principal{Name: "carol@example.com", Role: identity.Reviewer}}, http.StatusSeeOther, ""},
		{"no known role", fakeOIDC{err: refused{}}, http.StatusForbidden, "Your account has no kycflow role."},
		{"other error", fakeOIDC{err: errors.New("state mismatch")}, http.StatusForbidden, "did not sign you in with a role kycflow knows"},
		{"provider down", fakeOIDC{err: fmt.Errorf("discover: %w", identity.ErrProviderUnavailable)}, http.StatusServiceUnavailable, "Sign-in unavailable"},
		{"unknown role", fakeOIDC{p: identity.Principal{Name: "eve", Role: "root"}}, http.StatusForbidden, "Sign-in refused"},
		{"invalid name", fakeOIDC{p: identity.Principal{Name: "<script>", Role: identity.Admin}}, http.StatusForbidden, "Sign-in refused"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, func(o *console.Options) { o.Local, o.OIDC = nil, c.oidc })
			b := &browser{r: r}
			if w := b.do(http.MethodGet, "/console/login", nil); !strings.Contains(w.Body.String(), `id="oidc-login"`) ||
				strings.Contains(w.Body.String(), `id="login-form"`) {
				t.Errorf("login page with only OIDC = %s", w.Body)
			}
			if w := b.do(http.MethodGet, "/console/oidc/login", nil); w.Code != http.StatusFound {
				t.Errorf("oidc login = %d, want the provider's redirect", w.Code)
			}
			w := b.do(http.MethodGet, "/console/oidc/callback?code=x&state=x", nil)
			if w.Code != c.want || !strings.Contains(w.Body.String(), c.wantText) {
				t.Fatalf("callback = %d %s, want %d with %q", w.Code, w.Body, c.want, c.wantText)
			}
			if ck := sessionCookie(w); (r.store.created == 1) != (c.want == http.StatusSeeOther) || (ck != nil) != (c.want == http.StatusSeeOther) {
				t.Errorf("%d sessions created, cookie %v after the callback", r.store.created, ck)
			} else if ck != nil {
				if s, err := r.db.Session(context.Background(), hashOf(ck.Value)); err != nil || s.Principal() != c.oidc.p {
					t.Errorf("session = %+v, %v; want %+v", s, err, c.oidc.p)
				}
			}
			if w := (&browser{r: r}).do(http.MethodPost, "/console/login", url.Values{"name": {"alice"}, "password": {password}}); w.Code != http.StatusNotFound {
				t.Errorf("password sign-in without local reviewers = %d, want 404", w.Code)
			}
		})
	}
}

func TestConsoleIsOffWithoutSignIn(t *testing.T) {
	r := newRig(t, func(o *console.Options) { o.Local = nil })
	for _, path := range []string{"/console", "/console/queue", "/console/login", "/console/cases/kyc/s1"} {
		w := (&browser{r: r}).do(http.MethodGet, path, nil)
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "KYCFLOW_OIDC_ISSUER") {
			t.Errorf("GET %s with nobody to sign in = %d %s", path, w.Code, w.Body)
		}
	}
}

func hashOf(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:]
}

func decision(d, reason string) url.Values { return url.Values{"decision": {d}, "reason": {reason}} }
