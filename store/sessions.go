package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kycflow/identity"
)

// Session is a compliance console sign-in as stored: the SHA-256 of its
// random id (the id itself stays in the reviewer's cookie), whom it proves,
// its CSRF token, and when it began and ends.
type Session struct {
	IDHash    []byte        `db:"id_hash"`
	Reviewer  string        `db:"reviewer"`
	Role      identity.Role `db:"role"`
	CSRFToken string        `db:"csrf_token"`
	CreatedAt time.Time     `db:"created_at"`
	ExpiresAt time.Time     `db:"expires_at"`
}

// Principal is whom the session proves.
func (s Session) Principal() identity.Principal {
	return identity.Principal{Name: s.Reviewer, Role: s.Role}
}

// CreateSession stores a session with the id hash idHash proving p, which
// ends ttl from the store's current time (absolute: using it does not
// extend it), and returns it as stored.
func (d *DB) CreateSession(ctx context.Context, idHash []byte, p identity.Principal, csrfToken string, ttl time.Duration) (Session, error) {
	now := d.now()
	s := Session{IDHash: idHash, Reviewer: p.Name, Role: p.Role, CSRFToken: csrfToken, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	q := `INSERT INTO console_sessions (id_hash, reviewer, role, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(q), s.IDHash, s.Reviewer, string(s.Role), s.CSRFToken, s.CreatedAt, s.ExpiresAt); err != nil {
		return Session{}, fmt.Errorf("create console session for %s: %w", p.Name, err)
	}
	return s, nil
}

// Session returns the unexpired session whose id hash is idHash, or
// ErrNotFound: one lookup by primary key.
func (d *DB) Session(ctx context.Context, idHash []byte) (Session, error) {
	var s Session
	err := d.db.GetContext(ctx, &s, d.db.Rebind(`SELECT * FROM console_sessions WHERE id_hash = ?`), idHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Session{}, fmt.Errorf("console session: %w", ErrNotFound)
	case err != nil:
		return Session{}, fmt.Errorf("look up console session: %w", err)
	case !d.now().Before(s.ExpiresAt):
		return Session{}, fmt.Errorf("console session expired at %s: %w", s.ExpiresAt.UTC().Format(time.RFC3339), ErrNotFound)
	}
	return s, nil
}

// DeleteSession deletes the session whose id hash is idHash (sign-out); a
// session already gone is no error.
func (d *DB) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := d.db.ExecContext(ctx, d.db.Rebind(`DELETE FROM console_sessions WHERE id_hash = ?`), idHash); err != nil {
		return fmt.Errorf("delete console session: %w", err)
	}
	return nil
}

// DeleteSessionsOf ends every console session of the reviewer name (the
// reviewer is offboarded: `kycflow token revoke NAME`) and returns how
// many it ended.
func (d *DB) DeleteSessionsOf(ctx context.Context, name string) (int64, error) {
	res, err := d.db.ExecContext(ctx, d.db.Rebind(`DELETE FROM console_sessions WHERE reviewer = ?`), name)
	if err != nil {
		return 0, fmt.Errorf("end console sessions of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("end console sessions of %s: %w", name, err)
	}
	return n, nil
}

// DeleteExpiredSessions deletes every session that has ended and returns
// how many it deleted.
func (d *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := d.db.ExecContext(ctx, d.db.Rebind(`DELETE FROM console_sessions WHERE expires_at <= ?`), d.now())
	if err != nil {
		return 0, fmt.Errorf("delete expired console sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete expired console sessions: %w", err)
	}
	return n, nil
}
