-- The relay is woken in-process when its service commits (hearth_shared.worker), not by NOTIFY:
-- a transaction that notifies holds a lock over the whole PostgreSQL server from its commit until
-- the commit is flushed, so commits that NOTIFY go one at a time. notify_inserted() stays (an
-- older service migration names it) and no Hearth trigger calls it any more.
DROP TRIGGER IF EXISTS outbox_inserted ON outbox;
