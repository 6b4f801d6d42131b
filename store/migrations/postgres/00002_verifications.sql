-- +goose Up
-- verifications is the current projection of each KYC lifecycle, written by
-- the workflow through the RecordState activity. state holds the workflow's
-- full non-PII state, so a new run for a closed lifecycle resumes from it.
CREATE TABLE verifications (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scan_ref     TEXT        NOT NULL UNIQUE,
    workflow_id  TEXT        NOT NULL,
    client_id    TEXT        NOT NULL DEFAULT '',
    external_ref TEXT        NOT NULL DEFAULT '',
    company_id   TEXT        NOT NULL DEFAULT '',
    stage        TEXT        NOT NULL,
    status       TEXT        NOT NULL DEFAULT '',
    final        BOOLEAN     NOT NULL DEFAULT FALSE,
    decision     TEXT        NOT NULL DEFAULT '',
    decision_seq INTEGER     NOT NULL DEFAULT 0,
    stuck        BOOLEAN     NOT NULL DEFAULT FALSE,
    seq          BIGINT      NOT NULL,
    state        JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX verifications_stage ON verifications (stage, id);
CREATE INDEX verifications_status ON verifications (status, id);
CREATE INDEX verifications_decision ON verifications (decision, id);

-- verification_events is the append-only evidence trail. (workflow_id, seq)
-- makes every write idempotent: an activity retry never duplicates a line.
CREATE TABLE verification_events (
    workflow_id TEXT        NOT NULL,
    seq         BIGINT      NOT NULL,
    scan_ref    TEXT        NOT NULL,
    type        TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    inbox_id    BIGINT,
    detail      TEXT        NOT NULL DEFAULT '',
    PRIMARY KEY (workflow_id, seq)
);
CREATE INDEX verification_events_scan_ref ON verification_events (scan_ref, seq);

CREATE INDEX inbox_pending_kind ON inbox (kind, id) WHERE status = 'pending';

-- +goose Down
DROP INDEX inbox_pending_kind;
DROP TABLE verification_events;
DROP TABLE verifications;
