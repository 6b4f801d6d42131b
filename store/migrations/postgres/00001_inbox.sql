-- +goose Up
-- inbox holds every authentic webhook delivery exactly as received. It is the
-- compliance log and the source of the relay, redrive and replay.
CREATE TABLE inbox (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    route             TEXT        NOT NULL,
    dedup_key         BYTEA       NOT NULL UNIQUE,  -- sha256(route || raw body)
    body              BYTEA       NOT NULL,         -- raw bytes, never re-encoded
    headers           JSONB       NOT NULL DEFAULT '{}',
    remote_ip         TEXT        NOT NULL DEFAULT '',
    status            TEXT        NOT NULL,         -- pending | quarantined | dispatched
    quarantine_reason TEXT        NOT NULL DEFAULT '',
    kind              TEXT        NOT NULL DEFAULT '',
    event_type        TEXT        NOT NULL DEFAULT '',
    subject_type      TEXT        NOT NULL DEFAULT '',
    subject           TEXT        NOT NULL DEFAULT '',
    scan_refs         JSONB       NOT NULL DEFAULT '[]',
    company_id        TEXT        NOT NULL DEFAULT '',
    client_id         TEXT        NOT NULL DEFAULT '',
    external_ref      TEXT        NOT NULL DEFAULT '',
    attempts          INTEGER     NOT NULL DEFAULT 0,
    duplicate_count   INTEGER     NOT NULL DEFAULT 0,
    last_error        TEXT        NOT NULL DEFAULT '',
    received_at       TIMESTAMPTZ NOT NULL,
    last_duplicate_at TIMESTAMPTZ,
    next_attempt_at   TIMESTAMPTZ,
    dispatched_at     TIMESTAMPTZ
);

CREATE INDEX inbox_pending ON inbox (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX inbox_subject ON inbox (subject);
CREATE INDEX inbox_status_received ON inbox (status, received_at);

-- +goose Down
DROP TABLE inbox;
