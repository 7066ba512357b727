-- The revision of the gathering event an activity was last written from (null: from a publisher
-- that did not count, or a self-report): an older revision, retried late, changes nothing.
ALTER TABLE activities ADD COLUMN revision int;
