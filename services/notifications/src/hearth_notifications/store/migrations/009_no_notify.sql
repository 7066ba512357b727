-- The mail sender is woken in-process when notifications commits (the kit's 004_no_notify.sql
-- says why not NOTIFY); an email written by another process is found by its poll.
DROP TRIGGER IF EXISTS deliveries_inserted ON deliveries;
