-- +goose Up
-- companies is the current projection of each KYB company lifecycle
-- (workflow kyb-<company id>), written like verifications. Its timeline
-- lines are in verification_events under the company's workflow ID, with
-- an empty scan_ref. client_id maps COMPANY_TOKEN_EXPIRED (keyed by
-- clientId) to the company.
CREATE TABLE companies (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id   TEXT        NOT NULL UNIQUE,
    workflow_id  TEXT        NOT NULL,
    client_id    TEXT        NOT NULL DEFAULT '',
    external_ref TEXT        NOT NULL DEFAULT '',
    stage        TEXT        NOT NULL,
    status       TEXT        NOT NULL DEFAULT '',
    final        BOOLEAN     NOT NULL DEFAULT 0,
    decision     TEXT        NOT NULL DEFAULT '',
    decision_seq INTEGER     NOT NULL DEFAULT 0,
    stuck        BOOLEAN     NOT NULL DEFAULT 0,
    seq          BIGINT      NOT NULL,
    state        TEXT       NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX companies_client_id ON companies (client_id);
CREATE INDEX inbox_kyb_client_id ON inbox (client_id, id) WHERE kind = 'kyb';

-- +goose Down
DROP INDEX inbox_kyb_client_id;
DROP TABLE companies;
