-- When the membership register last changed this member: a record older than that, arriving
-- late (after a retry, say), must not overwrite a newer one.
ALTER TABLE people ADD COLUMN member_changed_at timestamptz;
