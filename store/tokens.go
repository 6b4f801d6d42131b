package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"kycflow/identity"
)

// Token is a reviewer's bearer token as stored: who and what role it
// proves, never the token itself (only its hash is kept, and not read
// back).
type Token struct {
	ID        int64         `db:"id"`
	Reviewer  string        `db:"reviewer"`
	Role      identity.Role `db:"role"`
	CreatedAt time.Time     `db:"created_at"`
	RevokedAt sql.NullTime  `db:"revoked_at"`
}

const tokenColumns = `id, reviewer, role, created_at, revoked_at`

// CreateToken stores the hash of a new token proving p.
func (d *DB) CreateToken(ctx context.Context, hash []byte, p identity.Principal) (Token, error) {
	t := Token{Reviewer: p.Name, Role: p.Role, CreatedAt: d.now()}
	q := `INSERT INTO reviewer_tokens (token_hash, reviewer, role, created_at) VALUES (?, ?, ?, ?) RETURNING id`
	if err := d.db.GetContext(ctx, &t.ID, d.db.Rebind(q), hash, p.Name, string(p.Role), t.CreatedAt); err != nil {
		return Token{}, fmt.Errorf("create token for %s: %w", p.Name, err)
	}
	return t, nil
}

// TokenPrincipal returns whom the active token with hash proves, or
// identity.ErrUnknownToken (identity.Tokens). It is one lookup on the
// unique index of token_hash.
func (d *DB) TokenPrincipal(ctx context.Context, hash []byte) (identity.Principal, error) {
	var t Token
	err := d.db.GetContext(ctx, &t, d.db.Rebind(`SELECT `+tokenColumns+` FROM reviewer_tokens WHERE token_hash = ?`), hash)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && t.RevokedAt.Valid:
		return identity.Principal{}, identity.ErrUnknownToken
	case err != nil:
		return identity.Principal{}, fmt.Errorf("look up token: %w", err)
	}
	return identity.Principal{Name: t.Reviewer, Role: t.Role}, nil
}

// Tokens returns every token, revoked ones included, oldest first.
func (d *DB) Tokens(ctx context.Context) ([]Token, error) {
	var out []Token
	if err := d.db.SelectContext(ctx, &out, `SELECT `+tokenColumns+` FROM reviewer_tokens ORDER BY id`); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the token id and returns it; a token already revoked
// keeps its first revocation time. ErrNotFound when there is no such token.
func (d *DB) RevokeToken(ctx context.Context, id int64) (Token, error) {
	_, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE reviewer_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), d.now(), id)
	if err != nil {
		return Token{}, fmt.Errorf("revoke token %d: %w", id, err)
	}
	var t Token
	err = d.db.GetContext(ctx, &t, d.db.Rebind(`SELECT `+tokenColumns+` FROM reviewer_tokens WHERE id = ?`), id)
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("revoke token %d: %w", id, err)
	}
	return t, nil
}

// RevokeReviewer revokes every active token of the reviewer named name and
// returns how many it revoked.
func (d *DB) RevokeReviewer(ctx context.Context, name string) (int64, error) {
	res, err := d.db.ExecContext(ctx, d.db.Rebind(`UPDATE reviewer_tokens SET revoked_at = ? WHERE reviewer = ? AND revoked_at IS NULL`),
		d.now(), name)
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke tokens of %s: %w", name, err)
	}
	return n, nil
}
