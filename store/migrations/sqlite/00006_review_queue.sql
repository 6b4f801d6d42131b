-- +goose Up
-- The compliance queue (see the PostgreSQL migration). Times are stored as
-- the driver writes them (Go's time.String in UTC), so the backfill turns
-- the state's RFC 3339 times into that form.
ALTER TABLE verifications ADD COLUMN due_at TIMESTAMP;
ALTER TABLE verifications ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN due_at TIMESTAMP;
ALTER TABLE companies ADD COLUMN reason TEXT NOT NULL DEFAULT '';

UPDATE verifications SET due_at = replace(replace(json_extract(state, '$.complianceDue'), 'T', ' '), 'Z', ' +0000 UTC'),
    reason = COALESCE(json_extract(state, '$.reviewReason'), '')
WHERE stage = 'awaiting_compliance';
UPDATE companies SET due_at = replace(replace(json_extract(state, '$.complianceDue'), 'T', ' '), 'Z', ' +0000 UTC'),
    reason = COALESCE(json_extract(state, '$.reviewReason'), '')
WHERE stage = 'awaiting_compliance';
UPDATE verifications SET reason = 'AML ALERT on [' ||
    COALESCE((SELECT group_concat(value, ' ') FROM json_each(state, '$.monitoring.monitoringIds')), '') ||
    ']: waiting for a compliance officer to clear or confirm.'
WHERE stage = 'aml_alert';

CREATE INDEX verifications_queue ON verifications ((due_at IS NULL), (COALESCE(due_at, updated_at)), id)
    WHERE stage IN ('awaiting_compliance', 'aml_alert');
CREATE INDEX companies_queue ON companies ((due_at IS NULL), (COALESCE(due_at, updated_at)), id)
    WHERE stage IN ('awaiting_compliance', 'aml_alert');
CREATE INDEX verifications_client_id ON verifications (client_id, id);
CREATE INDEX companies_stage ON companies (stage, id);

-- +goose Down
DROP INDEX companies_stage;
DROP INDEX verifications_client_id;
DROP INDEX companies_queue;
DROP INDEX verifications_queue;
ALTER TABLE companies DROP COLUMN reason;
ALTER TABLE companies DROP COLUMN due_at;
ALTER TABLE verifications DROP COLUMN reason;
ALTER TABLE verifications DROP COLUMN due_at;
