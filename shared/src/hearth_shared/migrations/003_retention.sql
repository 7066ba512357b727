-- Retention (messaging/retention.py) deletes published outbox rows and old inbox rows in batches,
-- oldest first: these indexes find them without reading the whole table. (Built in the migration's
-- transaction: on a very large inbox, expect the first start after upgrading to take a while.)
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX inbox_handled_at ON inbox (handled_at);
