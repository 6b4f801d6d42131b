-- +goose Up
-- reviewer_tokens are the operator API's per-reviewer bearer tokens
-- (`kycflow token create`). Only a token's SHA-256 is kept: the token is
-- shown once and cannot be read back. Every request looks its hash up here,
-- so a revoked token (revoked_at set) fails from the next request.
CREATE TABLE reviewer_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash BYTEA       NOT NULL UNIQUE,
    reviewer   TEXT        NOT NULL,
    role       TEXT        NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX reviewer_tokens_reviewer ON reviewer_tokens (reviewer) WHERE revoked_at IS NULL;

-- personal_data_views records every look at a case's decrypted personal
-- data (GET /v1/verifications/{scanRef}/personal-data): who, with which
-- role, which inbox events' data was shown, when. Written before the data
-- is answered; the verification's timeline shows them.
CREATE TABLE personal_data_views (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workflow_id TEXT        NOT NULL,
    scan_ref    TEXT        NOT NULL,
    reviewer    TEXT        NOT NULL,
    role        TEXT        NOT NULL,
    inbox_ids   JSONB       NOT NULL DEFAULT '[]',
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX personal_data_views_scan_ref ON personal_data_views (scan_ref, at);

-- The AML webhooks routed to a scanRef (their scan_refs list holds it), for
-- the personal-data view; only AML rows are indexed.
CREATE INDEX inbox_aml_scan_refs ON inbox USING GIN (scan_refs jsonb_path_ops) WHERE kind = 'aml';

-- +goose Down
DROP INDEX inbox_aml_scan_refs;
DROP TABLE personal_data_views;
DROP TABLE reviewer_tokens;
