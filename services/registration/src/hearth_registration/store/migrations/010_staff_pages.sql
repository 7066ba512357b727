-- The staff pages at scale (issue 12, bench/staff_pages.py): a gathering's registrants a page at
-- a time in ticket order, a person's tickets and attendance, gatherings by start.
CREATE INDEX tickets_gathering_created ON tickets (gathering_id, created_at, id);
CREATE INDEX tickets_person ON tickets (person_id);
CREATE INDEX attendance_person ON attendance (person_id);
CREATE INDEX gatherings_starts ON gatherings (starts_at);
