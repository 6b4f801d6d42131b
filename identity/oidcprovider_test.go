package identity_test

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"kycflow/identity"
)

// A real OpenID provider in-process: ZITADEL's op package with its example
// in-memory storage and login form, wrapped to give users roles claims.

const (
	testClientID     = "kycflow-console"
	testClientSecret = "console-secret"
	testPassword     = "correct horse"
)

// testUser is a provider account. The example storage sends the profile
// (preferred_username, email) from the userinfo endpoint only, as OIDC
// Core 5.4 allows when an access token is issued.
type testUser struct {
	id, username, email string
	idClaims            map[string]any // added to the ID token
	infoClaims          map[string]any // added to the userinfo answer
	noUsername          bool           // userinfo leaves preferred_username out
}

// providerOptions make the provider misbehave in one way.
type providerOptions struct {
	// registeredAs is the console's client ID at the provider, which
	// translates the console's own (testClientID) on the way in: every
	// token it issues is for the audience registeredAs.
	registeredAs    string
	idTokenLifetime time.Duration // the client's ID token lifetime (default 1h)
}

type testProvider struct {
	URL  string
	down atomic.Bool // every request answers 503 while set
}

func startProvider(t *testing.T, redirectURL string, users []testUser, po providerOptions) *testProvider {
	t.Helper()
	p := &testProvider{}
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if po.registeredAs != "" {
			renameClient(r, po.registeredAs)
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	s := &testStorage{users: map[string]testUser{}, opts: po}
	store := userStore{}
	for _, u := range users {
		s.users[u.id] = u
		store[u.id] = &storage.User{ID: u.id, Username: u.username, Password: testPassword, Email: u.email, EmailVerified: true}
	}
	clientID := cmp.Or(po.registeredAs, testClientID)
	s.Storage = storage.NewStorageWithClients(store, map[string]*storage.Client{
		clientID: storage.WebClient(clientID, testClientSecret, redirectURL),
	})
	handler = exampleop.SetupServer(srv.URL, s, slog.New(slog.DiscardHandler), false)
	return p
}

// userStore implements the example storage's storage.UserStore.
type userStore map[string]*storage.User

func (u userStore) GetUserByID(id string) *storage.User { return u[id] }
func (u userStore) ExampleClientID() string             { return "service" }
func (u userStore) GetUserByUsername(name string) *storage.User {
	for _, user := range u {
		if user.Username == name {
			return user
		}
	}
	return nil
}

// testStorage is the example storage with the users' extra claims and the
// provider's misbehaviour.
type testStorage struct {
	*storage.Storage
	users map[string]testUser
	opts  providerOptions
}

func (s *testStorage) SetUserinfoFromRequest(ctx context.Context, ui *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := s.Storage.SetUserinfoFromRequest(ctx, ui, req, scopes); err != nil {
		return err
	}
	for k, v := range s.users[req.GetSubject()].idClaims {
		ui.AppendClaims(k, v)
	}
	return nil
}

func (s *testStorage) SetUserinfoFromToken(ctx context.Context, ui *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := s.Storage.SetUserinfoFromToken(ctx, ui, tokenID, subject, origin); err != nil {
		return err
	}
	u := s.users[ui.Subject]
	if u.noUsername {
		ui.PreferredUsername = ""
	}
	for k, v := range u.infoClaims {
		ui.AppendClaims(k, v)
	}
	return nil
}

func (s *testStorage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.Storage.GetClientByClientID(ctx, id)
	if err != nil || s.opts.idTokenLifetime == 0 {
		return c, err
	}
	return lifetimeClient{c, s.opts.idTokenLifetime}, nil
}

// renameClient replaces testClientID by id in an authorization request's
// query and a token request's basic credentials.
func renameClient(r *http.Request, id string) {
	if q := r.URL.Query(); q.Get("client_id") == testClientID {
		q.Set("client_id", id)
		r.URL.RawQuery = q.Encode()
	}
	if user, pass, ok := r.BasicAuth(); ok && user == testClientID {
		r.SetBasicAuth(id, pass)
	}
}

type lifetimeClient struct {
	op.Client
	lifetime time.Duration
}

func (c lifetimeClient) IDTokenLifetime() time.Duration { return c.lifetime }

// testApp runs Begin and Finish where the console will.
type testApp struct {
	URL     string
	OIDC    *identity.OIDC
	results chan result
	skew    atomic.Int64 // added to the app's clock, in nanoseconds
}

type result struct {
	p   identity.Principal
	err error
}

// testEnv is an app signed in to through a provider.
type testEnv struct {
	app      *testApp
	provider *testProvider
}

func newTestEnv(t *testing.T, users []testUser, po providerOptions, edit func(*identity.OIDCOptions)) *testEnv {
	t.Helper()
	a := &testApp{results: make(chan result, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console/oidc/login", func(w http.ResponseWriter, r *http.Request) { a.OIDC.Begin(w, r) })
	mux.HandleFunc("GET /console/oidc/callback", func(w http.ResponseWriter, r *http.Request) {
		p, err := a.OIDC.Finish(w, r)
		a.results <- result{p, err}
		if err != nil {
			http.Error(w, identity.SignInMessage(err), http.StatusForbidden)
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.URL = srv.URL
	p := startProvider(t, a.URL+identity.OIDCCallbackPath, users, po)
	opts := identity.OIDCOptions{
		Issuer: p.URL, ClientID: testClientID, ClientSecret: testClientSecret,
		RedirectURL: a.URL + identity.OIDCCallbackPath, CookieKey: []byte(strings.Repeat("k", 32)),
		InsecureCookie: true, // httptest serves plain HTTP; a cookie jar keeps Secure cookies from it
		Now:            func() time.Time { return time.Now().Add(time.Duration(a.skew.Load())) },
	}
	if edit != nil {
		edit(&opts)
	}
	o, err := identity.NewOIDC(opts)
	if err != nil {
		t.Fatalf("NewOIDC() = %v", err)
	}
	a.OIDC = o
	return &testEnv{app: a, provider: p}
}

// browser is a person's browser: a cookie jar, and the authorization
// requests it was sent to. It stops at the app's callback, so a test can
// alter the callback before Finish sees it.
type browser struct {
	*http.Client
	authorize []*url.URL
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{}
	b.Client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Path == identity.OIDCCallbackPath {
			return http.ErrUseLastResponse
		}
		if req.URL.Query().Has("code_challenge_method") || req.URL.Query().Has("response_type") {
			b.authorize = append(b.authorize, req.URL)
		}
		return nil
	}}
	return b
}

// login signs username in at the provider through its login form and
// returns the callback URL the provider redirected to.
func (e *testEnv) login(t *testing.T, b *browser, username string) *url.URL {
	t.Helper()
	resp := get(t, b.Client, e.app.URL+"/console/oidc/login")
	id := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("the sign-in did not reach the provider's login form: %s %s", resp.Status, resp.Request.URL)
	}
	resp, err := b.PostForm(e.provider.URL+"/login/username", url.Values{"id": {id}, "username": {username}, "password": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback, err := resp.Location()
	if err != nil || callback.Path != identity.OIDCCallbackPath {
		t.Fatalf("the provider did not redirect to the callback after the login: %s %v", resp.Status, err)
	}
	return callback
}

// finish follows the callback with client and returns what Finish did.
func (e *testEnv) finish(t *testing.T, client *http.Client, callback *url.URL) (identity.Principal, error) {
	t.Helper()
	resp := get(t, client, callback.String())
	r := <-e.app.results
	if want := map[bool]int{true: http.StatusOK, false: http.StatusForbidden}[r.err == nil]; resp.StatusCode != want {
		t.Errorf("callback answered %s, want %d", resp.Status, want)
	}
	return r.p, r.err
}

// signIn is a whole sign-in in a fresh browser.
func (e *testEnv) signIn(t *testing.T, username string) (identity.Principal, error) {
	t.Helper()
	b := newBrowser(t)
	return e.finish(t, b.Client, e.login(t, b, username))
}

func get(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}
