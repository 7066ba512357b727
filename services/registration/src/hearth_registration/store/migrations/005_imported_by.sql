-- Who imported an attendance report: the staff member the gateway's service token named
-- (issue 12). Null for imports made before tokens.
ALTER TABLE attendance_imports ADD COLUMN imported_by uuid;
