-- Check-in undo (issue 12): an undone check-in stays as a record of 0 minutes (its next revision,
-- so credits reverses the award and a later check-in is newer still), and every record says which
-- staff member last set it (null: an import before tokens, or another system's report).
ALTER TABLE attendance DROP CONSTRAINT attendance_source_check,
    ADD CONSTRAINT attendance_source_check CHECK (source IN ('check_in', 'import', 'reported', 'undone')),
    ADD COLUMN recorded_by uuid;
