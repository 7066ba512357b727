-- Who changed what (issue 12): the staff member the gateway's service token named. Null for rows
-- made before tokens, and for changes the public flow made (a holder cancelling their own ticket
-- or choosing their breakout through their signed link).
ALTER TABLE gatherings ADD COLUMN created_by uuid, ADD COLUMN updated_by uuid;
ALTER TABLE series ADD COLUMN created_by uuid;
ALTER TABLE breakouts ADD COLUMN created_by uuid;
ALTER TABLE tickets ADD COLUMN cancelled_by uuid, ADD COLUMN breakout_moved_by uuid;
