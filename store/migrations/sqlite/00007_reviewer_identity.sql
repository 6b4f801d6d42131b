-- +goose Up
-- reviewer_tokens and personal_data_views: see the PostgreSQL migration.
CREATE TABLE reviewer_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash BLOB      NOT NULL UNIQUE,
    reviewer   TEXT      NOT NULL,
    role       TEXT      NOT NULL CHECK (role IN ('viewer', 'reviewer', 'admin')),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX reviewer_tokens_reviewer ON reviewer_tokens (reviewer) WHERE revoked_at IS NULL;

CREATE TABLE personal_data_views (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workflow_id TEXT      NOT NULL,
    scan_ref    TEXT      NOT NULL,
    reviewer    TEXT      NOT NULL,
    role        TEXT      NOT NULL,
    inbox_ids   TEXT      NOT NULL DEFAULT '[]',
    at          TIMESTAMP NOT NULL
);
CREATE INDEX personal_data_views_scan_ref ON personal_data_views (scan_ref, at);

-- The AML webhooks, for the personal-data view (their scan_refs lists are
-- searched with json_each); only AML rows are indexed.
CREATE INDEX inbox_aml ON inbox (id) WHERE kind = 'aml';

-- +goose Down
DROP INDEX inbox_aml;
DROP TABLE personal_data_views;
DROP TABLE reviewer_tokens;
