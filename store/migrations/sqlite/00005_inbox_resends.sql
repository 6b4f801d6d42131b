-- +goose Up
-- inbox_resends records deliveries of bytes the inbox already held (see the
-- PostgreSQL migration).
CREATE TABLE inbox_resends (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dedup_key   BLOB      NOT NULL,
    copies      INTEGER   NOT NULL,
    received_at TIMESTAMP NOT NULL
);

CREATE INDEX inbox_resends_dedup_key ON inbox_resends (dedup_key);

-- +goose Down
DROP TABLE inbox_resends;
