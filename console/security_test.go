package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"kycflow/store"
)

const wantCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	r := newRig(t)
	b := r.signIn("alice")
	for _, path := range []string{"/console/login", "/console/queue", "/console/cases/kyc/s1", "/console/cases/kyb/c1", "/console/nope",
		"/console/admin/events"} {
		w := b.do(http.MethodGet, path, nil)
		h := w.Header()
		if h.Get("Content-Security-Policy") != wantCSP || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("Referrer-Policy") != "no-referrer" || h.Get("Cache-Control") != "no-store" || h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("GET %s (%d) headers = %v", path, w.Code, h)
		}
		if strings.Contains(w.Body.String(), "<script") || strings.Contains(w.Body.String(), " style=") {
			t.Errorf("GET %s: the page holds a script or an inline style, which the CSP would block", path)
		}
	}
	w := b.do(http.MethodGet, "/console/static/console.css", nil)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/css") || w.Header().Get("Content-Security-Policy") != wantCSP {
		t.Errorf("stylesheet = %d %v", w.Code, w.Header())
	}
}

// Each state-changing form refused without the session's CSRF token, and
// nothing changes: no review sent, no look recorded, no event requeued,
// no session ended.
func TestFormsWithoutTheSessionsCSRFTokenAreRefused(t *testing.T) {
	r := newRig(t)
	alice, ada := r.signIn("alice"), r.signIn("ada")
	forms := []struct {
		who  *browser
		path string
		form url.Values
	}{
		{alice, "/console/cases/kyc/s1/decide", decision("approve", "looks fine")},
		{alice, "/console/cases/kyb/c1/decide", decision("reject", "flagged beneficiary")},
		{alice, "/console/cases/kyc/s1/personal-data", url.Values{}},
		{ada, "/console/admin/events/" + itoa(r.seed.quarantined) + "/redrive", url.Values{}},
		{alice, "/console/logout", url.Values{}},
	}
	for _, f := range forms {
		for name, token := range map[string][]string{"missing": nil, "empty": {""}, "wrong": {flip(f.who.csrf)},
			"another session's": {other(f.who, alice, ada).csrf}} {
			form := url.Values{}
			for k, v := range f.form {
				form[k] = v
			}
			if token != nil {
				form["csrf"] = token
			}
			if w := f.who.do(http.MethodPost, f.path, form); w.Code != http.StatusForbidden {
				t.Errorf("POST %s with the CSRF token %s = %d, want 403", f.path, name, w.Code)
			}
		}
	}
	assertNothingChanged(t, r, alice, ada)
}

// A form posted from another site is refused by CrossOriginProtection
// before the console reads it, even with a valid CSRF token; so is a
// cross-site sign-in (login CSRF).
func TestCrossOriginPostsAreRefused(t *testing.T) {
	r := newRig(t)
	alice, ada := r.signIn("alice"), r.signIn("ada")
	for _, c := range []struct {
		who     *browser
		path    string
		form    url.Values
		headers map[string]string
	}{
		{alice, "/console/cases/kyc/s1/decide", decision("approve", "x"), map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{alice, "/console/cases/kyc/s1/decide", decision("approve", "x"), map[string]string{"Origin": "https://evil.example"}},
		{alice, "/console/cases/kyc/s1/personal-data", url.Values{}, map[string]string{"Sec-Fetch-Site": "same-site"}},
		{ada, "/console/admin/events/" + itoa(r.seed.quarantined) + "/redrive", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{alice, "/console/logout", url.Values{}, map[string]string{"Origin": "https://evil.example"}},
		{&browser{r: r}, "/console/login", url.Values{"name": {"bob"}, "password": {password}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		c.form.Set("csrf", c.who.csrf)
		req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		if c.who.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "kycflow_session", Value: c.who.cookie})
		}
		w := httptest.NewRecorder()
		r.h.ServeHTTP(w, req)
		if w.Code != http.StatusForbidden || sessionCookie(w) != nil {
			t.Errorf("cross-origin POST %s %v = %d, want 403", c.path, c.headers, w.Code)
		}
	}
	if r.store.created != 2 {
		t.Errorf("%d sessions created, want only alice's and ada's", r.store.created)
	}
	assertNothingChanged(t, r, alice, ada)
}

// other is a browser of another session than b.
func other(b, x, y *browser) *browser {
	if b == x {
		return y
	}
	return x
}

func assertNothingChanged(t *testing.T, r *rig, signedIn ...*browser) {
	t.Helper()
	ctx := context.Background()
	if got := r.tf.Sent(); len(got) != 0 {
		t.Errorf("reviews sent = %+v, want none", got)
	}
	if views, err := r.db.PersonalDataViews(ctx, "s1"); err != nil || len(views) != 0 {
		t.Errorf("personal data views = %+v, %v; want none", views, err)
	}
	if e, err := r.db.InboxEvent(ctx, r.seed.quarantined); err != nil || e.Status != store.StatusQuarantined {
		t.Errorf("quarantined event = %s, %v; want still quarantined", e.Status, err)
	}
	for _, b := range signedIn {
		if w := b.do(http.MethodGet, "/console/queue", nil); w.Code != http.StatusOK {
			t.Errorf("a session was ended: %d", w.Code)
		}
	}
}

// flip changes a token's first character.
func flip(token string) string {
	if strings.HasPrefix(token, "x") {
		return "y" + token[1:]
	}
	return "x" + token[1:]
}
