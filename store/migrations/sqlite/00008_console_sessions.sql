-- +goose Up
-- console_sessions: see the PostgreSQL migration.
CREATE TABLE console_sessions (
    id_hash    BLOB      PRIMARY KEY,
    reviewer   TEXT      NOT NULL,
    role       TEXT      NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    csrf_token TEXT      NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_expires_at ON console_sessions (expires_at);

-- +goose Down
DROP TABLE console_sessions;
