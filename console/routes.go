package console

import (
	"errors"
	"io/fs"
	"net/http"

	"kycflow/identity"
	"kycflow/store"
)

// maxForm bounds a form post.
const maxForm = 64 << 10

// routes lays the console out. Pages (GET) need a session and a role that
// may read; actions (POST) also need the session's CSRF token and the role
// that may act. Everything sits behind CrossOriginProtection, which
// refuses a cross-origin POST before any handler runs.
func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "static")
	mux.Handle("GET "+Path+"/static/", http.StripPrefix(Path+"/static/", staticFiles(http.FileServerFS(static))))
	if !c.On() {
		mux.HandleFunc(Path+"/", c.off)
		mux.HandleFunc(Path, c.off)
		return c.crossOrigin(mux)
	}
	mux.HandleFunc("GET "+Path+"/login", c.loginPage)
	mux.HandleFunc("POST "+Path+"/login", c.login)
	mux.HandleFunc("GET "+Path+"/oidc/login", c.oidcBegin)
	mux.HandleFunc("GET "+Path+"/oidc/callback", c.oidcFinish)
	mux.Handle("POST "+Path+"/logout", c.action(identity.Role.CanRead, "sign out", c.logout))

	read := identity.Role.CanRead
	for _, p := range []string{Path, Path + "/{$}", Path + "/queue"} {
		mux.Handle("GET "+p, c.page(read, "read the queue", c.queue))
	}
	mux.Handle("GET "+Path+"/cases/kyc/{id}", c.page(read, "read cases", c.kycCase))
	mux.Handle("GET "+Path+"/cases/kyb/{id}", c.page(read, "read cases", c.kybCase))
	mux.Handle("POST "+Path+"/cases/kyc/{id}/decide", c.action(identity.Role.CanDecide, "decide reviews", c.decideKYC))
	mux.Handle("POST "+Path+"/cases/kyb/{id}/decide", c.action(identity.Role.CanDecide, "decide reviews", c.decideKYB))
	mux.Handle("POST "+Path+"/cases/kyc/{id}/personal-data", c.action(identity.Role.CanViewPersonalData, "view personal data", c.reveal))
	mux.Handle("GET "+Path+"/admin/events", c.page(identity.Role.CanRedrive, "see the admin pages", c.events))
	mux.Handle("POST "+Path+"/admin/events/{id}/redrive", c.action(identity.Role.CanRedrive, "redrive events", c.redrive))
	mux.HandleFunc(Path+"/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, r, http.StatusNotFound, "message", nil, message{Title: "Not found", Text: "There is no such page in the console."})
	})
	return c.crossOrigin(mux)
}

// crossOrigin refuses cross-origin state-changing requests (Sec-Fetch-Site,
// else Origin against Host) with a 403 page.
func (c *Console) crossOrigin(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.log.Warn("console: cross-origin request refused", "method", r.Method, "path", r.URL.Path)
		c.render(w, r, http.StatusForbidden, "message", nil, message{Title: "Request refused",
			Text: "This form was sent from another site. The console only accepts forms from its own pages."})
	}))
	return cop.Handler(h)
}

// handlerFunc serves a request of a signed-in reviewer.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s store.Session)

// page serves a GET for a signed-in reviewer whose role can; without a
// session it sends the browser to sign in.
func (c *Console) page(can func(identity.Role) bool, what string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.signedIn(w, r)
		if !ok {
			return
		}
		if !can(s.Role) {
			c.forbidden(w, r, s, what)
			return
		}
		h(w, r, s)
	})
}

// action serves a POST of a signed-in reviewer: the form must carry the
// session's CSRF token and the role must be one that can. Anything else is
// refused before the action looks at the form's other fields.
func (c *Console) action(can func(identity.Role) bool, what string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.signedIn(w, r)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			c.render(w, r, http.StatusBadRequest, "message", &s, message{Title: "Bad request", Text: "The form could not be read."})
			return
		}
		if !validCSRF(r, s) {
			c.log.Warn("console: form without a valid CSRF token refused", "path", r.URL.Path, "reviewer", s.Reviewer)
			c.render(w, r, http.StatusForbidden, "message", &s, message{Title: "Request refused",
				Text: "The form's security token is missing or out of date. Go back, reload the page and try again."})
			return
		}
		if !can(s.Role) {
			c.forbidden(w, r, s, what)
			return
		}
		h(w, r, s)
	})
}

// signedIn returns the request's session; without one (none, unknown,
// expired) it sends the browser to sign in and reports false. When the
// database cannot tell, it answers 503.
func (c *Console) signedIn(w http.ResponseWriter, r *http.Request) (store.Session, bool) {
	s, err := c.session(r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if _, cerr := r.Cookie(cookieName); cerr == nil {
			c.clearCookie(w) // expired or signed out elsewhere
		}
		http.Redirect(w, r, Path+"/login", http.StatusSeeOther)
		return store.Session{}, false
	case err != nil:
		c.unavailable(w, r, nil, err)
		return store.Session{}, false
	}
	return s, true
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, s store.Session, what string) {
	c.render(w, r, http.StatusForbidden, "message", &s, message{Title: "Not allowed",
		Text: "You are signed in as " + s.Reviewer + " with the role " + string(s.Role) + ", which may not " + what + "."})
}

func (c *Console) unavailable(w http.ResponseWriter, r *http.Request, s *store.Session, err error) {
	c.log.Error("console: request failed", "path", r.URL.Path, "error", err)
	w.Header().Set("Retry-After", "5")
	c.render(w, r, http.StatusServiceUnavailable, "message", s, message{Title: "Temporarily unavailable",
		Text: "kycflow could not reach its database or Temporal just now; try again in a moment."})
}

// off is every page when nobody can sign in.
func (c *Console) off(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusServiceUnavailable, "off", nil, nil)
}
