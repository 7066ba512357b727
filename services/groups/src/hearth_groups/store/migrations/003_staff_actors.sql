-- Who changed what (issue 12): the staff member the gateway's service token named. Null for rows
-- made before tokens, and on a membership its person (joining, accepting, leaving) or the group's
-- facilitator set through the public site.
ALTER TABLE groups ADD COLUMN created_by uuid;
ALTER TABLE proposals ADD COLUMN created_by uuid, ADD COLUMN edited_by uuid, ADD COLUMN published_by uuid;
ALTER TABLE memberships ADD COLUMN changed_by uuid;
