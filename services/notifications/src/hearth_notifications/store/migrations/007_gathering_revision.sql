-- Gathering events apply only when newer: the revision last applied (null: a publisher that did
-- not count). A cancellation is a tombstone kept even for a gathering not heard of yet (its
-- details then unknown), with its reason for tickets that arrive after it.
ALTER TABLE gatherings
    ALTER COLUMN details DROP NOT NULL,
    ADD COLUMN revision int,
    ADD COLUMN cancel_reason text;
