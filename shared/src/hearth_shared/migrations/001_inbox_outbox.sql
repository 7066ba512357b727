-- Inbox: one row per (message, handler) that has had its effect. Written in the same transaction
-- as the effect, so a redelivered message finds its row and changes nothing.
CREATE TABLE inbox (
    message_id text NOT NULL,
    handler text NOT NULL,
    handled_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, handler)
);

-- Outbox: events written in the same transaction as the state change that caused them; the relay
-- publishes them with publisher confirms and only then sets published_at.
CREATE TABLE outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text NOT NULL UNIQUE,
    event_type text NOT NULL,
    routing_key text NOT NULL,
    correlation_id text NOT NULL,
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;

-- Wakes a claim loop at commit time: NOTIFY <schema>_<argument>, delivered on commit, once per
-- transaction. Any table of pending work uses it (the outbox here; notifications' deliveries).
CREATE FUNCTION notify_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(current_schema() || '_' || TG_ARGV[0], '');
    RETURN NULL;
END $$;
CREATE TRIGGER outbox_inserted AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_inserted('outbox');
