-- +goose Up
-- body_key_id names the payload key that sealed body (empty: plaintext);
-- purged_at is set when the retention purge removed body and headers.
ALTER TABLE inbox ADD COLUMN body_key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN purged_at TIMESTAMP;
CREATE INDEX inbox_purge ON inbox (received_at) WHERE purged_at IS NULL AND status <> 'pending';

-- +goose Down
DROP INDEX inbox_purge;
ALTER TABLE inbox DROP COLUMN purged_at;
ALTER TABLE inbox DROP COLUMN body_key_id;
