-- +goose Up
-- The compliance queue (GET /v1/queue): due_at is when a waiting compliance
-- review escalates (NULL when the stage has no due time, e.g. an AML
-- alert), reason the one line saying why a person must act. Both are
-- written from the workflow state with the projection; existing rows are
-- filled from their stored state here.
ALTER TABLE verifications ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE verifications ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE companies ADD COLUMN reason TEXT NOT NULL DEFAULT '';

UPDATE verifications SET due_at = (state->>'complianceDue')::timestamptz, reason = COALESCE(state->>'reviewReason', '')
WHERE stage = 'awaiting_compliance';
UPDATE companies SET due_at = (state->>'complianceDue')::timestamptz, reason = COALESCE(state->>'reviewReason', '')
WHERE stage = 'awaiting_compliance';
UPDATE verifications SET reason = 'AML ALERT on [' ||
    COALESCE((SELECT string_agg(id, ' ') FROM jsonb_array_elements_text(state->'monitoring'->'monitoringIds') AS ids(id)), '') ||
    ']: waiting for a compliance officer to clear or confirm.'
WHERE stage = 'aml_alert';

-- The queue reads the open cases in (due first, undated last, oldest
-- first, id) order; these partial indexes hold only the open cases.
CREATE INDEX verifications_queue ON verifications ((due_at IS NULL), (COALESCE(due_at, updated_at)), id)
    WHERE stage IN ('awaiting_compliance', 'aml_alert');
CREATE INDEX companies_queue ON companies ((due_at IS NULL), (COALESCE(due_at, updated_at)), id)
    WHERE stage IN ('awaiting_compliance', 'aml_alert');
-- GET /v1/verifications?clientId= and GET /v1/companies?stage=, newest first.
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
