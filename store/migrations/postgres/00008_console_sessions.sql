-- +goose Up
-- console_sessions are the compliance console's sign-ins, shared by every
-- serve replica. The cookie holds a random session id; only its SHA-256 is
-- kept, so a copy of this table signs nobody in. Each session carries the
-- reviewer and role it proves, its CSRF token (checked on every form
-- post), and an absolute expiry; signing out deletes the row.
CREATE TABLE console_sessions (
    id_hash    BYTEA       PRIMARY KEY,
    reviewer   TEXT        NOT NULL,
    role       TEXT        NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    csrf_token TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
