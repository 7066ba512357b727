-- Who entered a self-report for the person and who decided on it: the staff members the gateway's
-- service token named (issue 12). Null for reports entered or decided before tokens.
ALTER TABLE self_reports ADD COLUMN submitted_by uuid, ADD COLUMN decided_by uuid;
