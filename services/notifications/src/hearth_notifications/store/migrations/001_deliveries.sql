-- One row per email Hearth means to send, written (by the handler, in its inbox transaction)
-- before the send and marked after it: a crash can repeat one send, never lose one.
CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    -- source event, recipient and template: the same event never produces the same email twice
    idempotency_key text NOT NULL UNIQUE,
    source_event_id text NOT NULL,
    correlation_id text NOT NULL,
    template text NOT NULL,
    language text NOT NULL CHECK (language IN ('en', 'fr')),
    to_address text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';

-- Wake the mail sender at commit (the kit's notify_inserted(), created before this migration).
CREATE TRIGGER deliveries_inserted AFTER INSERT ON deliveries
    FOR EACH STATEMENT EXECUTE FUNCTION notify_inserted('deliveries');
