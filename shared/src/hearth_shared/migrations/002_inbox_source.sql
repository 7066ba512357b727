-- The inbox keys on (source, id): CloudEvents promises only the pair to be unique, so two outside
-- systems may well use the same id. Rows recorded before carry source '' and still stand for their
-- id from any source (`messaging.inbox.admit`), so no event applied before this runs is applied
-- again. Adding a column with a constant default rewrites nothing; the primary key is rebuilt.
ALTER TABLE inbox ADD COLUMN source text NOT NULL DEFAULT '';
ALTER TABLE inbox ALTER COLUMN source DROP DEFAULT;
ALTER TABLE inbox DROP CONSTRAINT inbox_pkey;
ALTER TABLE inbox ADD PRIMARY KEY (source, message_id, handler);
