-- The staff pages at scale (issue 12, bench/staff_pages.py): the self-report queue and a
-- person's reports a page at a time, a person's certificates, members' progress for a cycle.
CREATE INDEX self_reports_status ON self_reports (status, submitted_at);
CREATE INDEX self_reports_person ON self_reports (person_id, submitted_at);
CREATE INDEX certificates_person ON certificates (person_id, issued_at);
CREATE INDEX ledger_cycle ON ledger (cycle, person_id) INCLUDE (hours);
