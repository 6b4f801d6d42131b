package console

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/crypto/bcrypt"

	"kycflow/identity"
	"kycflow/store"
)

// LocalReviewer signs in with a password, without an identity provider
// (kycflow dev). Only the password's bcrypt hash is held.
type LocalReviewer struct {
	Name         string
	Role         identity.Role
	PasswordHash []byte // bcrypt
}

// NewLocalReviewer returns the local reviewer name with role, signing in
// with password (hashed with bcrypt here).
func NewLocalReviewer(name string, role identity.Role, password string) (LocalReviewer, error) {
	if err := identity.CheckName(name); err != nil {
		return LocalReviewer{}, err
	}
	if _, err := identity.ParseRole(string(role)); err != nil {
		return LocalReviewer{}, err
	}
	if len(password) < 12 {
		return LocalReviewer{}, fmt.Errorf("local reviewer %s: the password must be at least 12 characters", name)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return LocalReviewer{}, fmt.Errorf("local reviewer %s: hash the password: %w", name, err)
	}
	return LocalReviewer{Name: name, Role: role, PasswordHash: hash}, nil
}

// dummyHash is a bcrypt hash, of the local reviewers' cost, that sign-in
// compares a password against when the name is unknown, so the answer
// takes as long as for a known name.
func dummyHash(local []LocalReviewer) []byte {
	if len(local) == 0 {
		return nil
	}
	cost, err := bcrypt.Cost(local[0].PasswordHash)
	if err != nil {
		cost = bcrypt.DefaultCost
	}
	hash, _ := bcrypt.GenerateFromPassword([]byte(randomToken()[:32]), cost)
	return hash
}

// loginForm is what the sign-in page shows.
type loginForm struct {
	Local, OIDC bool
	Name, Error string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if _, err := c.session(r); err == nil {
		http.Redirect(w, r, Path+"/queue", http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "login", nil, loginForm{Local: len(c.o.Local) > 0, OIDC: c.o.OIDC != nil})
}

// login is POST /console/login: a local reviewer's name and password. It
// carries no CSRF token (there is no session yet): CrossOriginProtection,
// which wraps the console, refuses a login form posted from another site,
// so nobody can sign a victim's browser in as someone else.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if len(c.o.Local) == 0 {
		c.render(w, r, http.StatusNotFound, "message", nil, message{Title: "Not found",
			Text: "Password sign-in is off: sign in through your identity provider."})
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		c.render(w, r, http.StatusBadRequest, "message", nil, message{Title: "Bad request", Text: "The form could not be read."})
		return
	}
	name, password := r.PostForm.Get("name"), r.PostForm.Get("password")
	lr, ok := c.checkPassword(name, password)
	if !ok {
		c.log.Warn("console: password sign-in refused", "remote_addr", r.RemoteAddr)
		c.render(w, r, http.StatusUnauthorized, "login", nil, loginForm{Local: true, OIDC: c.o.OIDC != nil, Name: name,
			Error: "Wrong name or password."})
		return
	}
	if err := c.signIn(w, r, identity.Principal{Name: lr.Name, Role: lr.Role}); err != nil {
		c.unavailable(w, r, nil, err)
		return
	}
	http.Redirect(w, r, Path+"/queue", http.StatusSeeOther)
}

// checkPassword finds the local reviewer name whose password is password.
// Every attempt costs one bcrypt comparison, whether the name is known or
// not.
func (c *Console) checkPassword(name, password string) (LocalReviewer, bool) {
	hash, found := c.dummy, LocalReviewer{}
	for _, lr := range c.o.Local {
		if subtle.ConstantTimeCompare([]byte(lr.Name), []byte(name)) == 1 {
			hash, found = lr.PasswordHash, lr
		}
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	return found, err == nil && found.Name != ""
}

func (c *Console) oidcBegin(w http.ResponseWriter, r *http.Request) {
	if c.o.OIDC == nil {
		c.render(w, r, http.StatusNotFound, "message", nil, message{Title: "Not found",
			Text: "Sign-in through an identity provider is not configured (KYCFLOW_OIDC_ISSUER)."})
		return
	}
	c.o.OIDC.Begin(w, r)
}

// oidcFinish completes the provider's callback: a principal with a known
// role and a valid name gets a session; anything else a refusal page.
func (c *Console) oidcFinish(w http.ResponseWriter, r *http.Request) {
	if c.o.OIDC == nil {
		c.oidcBegin(w, r)
		return
	}
	p, err := c.o.OIDC.Finish(w, r)
	if err == nil {
		if _, rerr := identity.ParseRole(string(p.Role)); rerr != nil {
			err = fmt.Errorf("sign-in of %q: %w", p.Name, rerr)
		} else if nerr := identity.CheckName(p.Name); nerr != nil {
			err = fmt.Errorf("sign-in: %w", nerr)
		}
	}
	if err != nil {
		c.log.Warn("console: identity provider sign-in refused", "error", err)
		text := "Your identity provider did not sign you in with a role kycflow knows (viewer, reviewer or admin), " +
			"or the sign-in could not be completed. Ask your administrator for a kycflow role, then sign in again."
		var um interface{ UserMessage() string }
		if errors.As(err, &um) {
			text = um.UserMessage()
		}
		code, title := http.StatusForbidden, "Sign-in refused"
		if errors.Is(err, identity.ErrProviderUnavailable) {
			code, title = http.StatusServiceUnavailable, "Sign-in unavailable"
		}
		c.render(w, r, code, "message", nil, message{Title: title, Text: text, SignIn: true})
		return
	}
	if err := c.signIn(w, r, p); err != nil {
		c.unavailable(w, r, nil, err)
		return
	}
	http.Redirect(w, r, Path+"/queue", http.StatusSeeOther)
}

// logout is POST /console/logout: the session is deleted, so the cookie
// signs nobody in again, even if a copy of it survives.
func (c *Console) logout(w http.ResponseWriter, r *http.Request, s store.Session) {
	if err := c.store.DeleteSession(r.Context(), s.IDHash); err != nil {
		c.unavailable(w, r, &s, err)
		return
	}
	c.clearCookie(w)
	c.log.Info("console: signed out", "reviewer", s.Reviewer)
	http.Redirect(w, r, Path+"/login", http.StatusSeeOther)
}
