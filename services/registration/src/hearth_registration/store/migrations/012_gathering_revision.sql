-- Every gathering event carries the gathering's revision (1 when scheduled, one more with each
-- event published after), bumped in the transaction that publishes it, so consumers can tell a
-- retried older event from the newer one they hold.
ALTER TABLE gatherings ADD COLUMN revision int NOT NULL DEFAULT 1;

-- A waitlist entry closes when its gathering is cancelled or has begun: nothing more is offered.
ALTER TABLE waitlist DROP CONSTRAINT waitlist_status_check,
    ADD CONSTRAINT waitlist_status_check
        CHECK (status IN ('waiting', 'offered', 'accepted', 'expired', 'withdrawn', 'closed'));
