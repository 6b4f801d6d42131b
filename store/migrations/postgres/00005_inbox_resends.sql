-- +goose Up
-- inbox_resends records deliveries of bytes the inbox already held: one row
-- per group commit that met them (copies: how many), appended beside the
-- first delivery's row instead of rewriting it. Counting a re-send so takes
-- no lock on the stored delivery and no rewrite of its body.
-- inbox.duplicate_count keeps the copies that arrived with the first.
CREATE TABLE inbox_resends (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedup_key   BYTEA       NOT NULL,
    copies      INTEGER     NOT NULL,
    received_at TIMESTAMPTZ NOT NULL  -- the last copy's
);

CREATE INDEX inbox_resends_dedup_key ON inbox_resends (dedup_key);

-- +goose Down
DROP TABLE inbox_resends;
