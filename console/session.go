package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"

	"kycflow/identity"
	"kycflow/store"
)

// cookieName is the session cookie.
const cookieName = "kycflow_session"

// idBytes is the entropy of a session id and of a CSRF token: 256 bits.
const idBytes = 32

// csrfField is the form field that carries the session's CSRF token.
const csrfField = "csrf"

// randomToken is 256 random bits, unpadded base64url.
func randomToken() string {
	b := make([]byte, idBytes)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashID is the stored form of a session id: its SHA-256. The id carries
// 256 random bits, so a fast hash is right, and a lookup is one indexed
// query.
func hashID(id string) []byte {
	sum := sha256.Sum256([]byte(id))
	return sum[:]
}

// validID reports whether a cookie value has a session id's shape; any
// other value is refused without a database lookup.
func validID(id string) bool {
	if len(id) != base64.RawURLEncoding.EncodedLen(idBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// session returns the request's unexpired session, or store.ErrNotFound.
func (c *Console) session(r *http.Request) (store.Session, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || !validID(ck.Value) {
		return store.Session{}, store.ErrNotFound
	}
	return c.store.Session(r.Context(), hashID(ck.Value))
}

// signIn starts a new session for p: a fresh random id (never one the
// browser brought: no fixation) and CSRF token, the previous session of
// this browser deleted, and the cookie set.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request, p identity.Principal) error {
	ctx := r.Context()
	if ck, err := r.Cookie(cookieName); err == nil && validID(ck.Value) {
		if err := c.store.DeleteSession(ctx, hashID(ck.Value)); err != nil {
			return err
		}
	}
	id := randomToken()
	if _, err := c.store.CreateSession(ctx, hashID(id), p, randomToken(), c.o.SessionTTL); err != nil {
		return fmt.Errorf("sign in %s: %w", p.Name, err)
	}
	if n, err := c.store.DeleteExpiredSessions(ctx); err != nil {
		c.log.Warn("console: delete expired sessions", "error", err)
	} else if n > 0 {
		c.log.Info("console: expired sessions deleted", "sessions", n)
	}
	http.SetCookie(w, c.cookie(id, int(c.o.SessionTTL.Seconds())))
	c.log.Info("console: signed in", "reviewer", p.Name, "role", p.Role)
	return nil
}

// cookie is the session cookie: HttpOnly, SameSite=Lax, Secure unless the
// console runs on plain HTTP in development, scoped to the console.
func (c *Console) cookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: Path, MaxAge: maxAge, HttpOnly: true,
		Secure: !c.o.InsecureCookies, SameSite: http.SameSiteLaxMode}
}

// clearCookie tells the browser to drop the session cookie.
func (c *Console) clearCookie(w http.ResponseWriter) { http.SetCookie(w, c.cookie("", -1)) }

// validCSRF reports whether the posted form carries the session's CSRF
// token (compared in constant time).
func validCSRF(r *http.Request, s store.Session) bool {
	got := r.PostForm.Get(csrfField)
	return s.CSRFToken != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRFToken)) == 1
}
