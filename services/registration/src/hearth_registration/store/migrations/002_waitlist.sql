-- Tickets can be cancelled; a person may hold one active ticket per gathering.
ALTER TABLE tickets ADD COLUMN status text NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'cancelled'));
ALTER TABLE tickets ADD COLUMN cancelled_at timestamptz;
ALTER TABLE tickets DROP CONSTRAINT tickets_gathering_id_person_id_key;
CREATE UNIQUE INDEX tickets_one_active_per_person ON tickets (gathering_id, person_id)
    WHERE status = 'active';

-- The line for a full gathering. An offered entry holds a seat (counted in seats_taken) until
-- it is accepted (the seat becomes a ticket) or expires (the seat passes to the next in line).
CREATE TABLE waitlist (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    person_id uuid NOT NULL REFERENCES people (id),
    ticket_type text NOT NULL,
    idempotency_key text UNIQUE,
    status text NOT NULL DEFAULT 'waiting'
        CHECK (status IN ('waiting', 'offered', 'accepted', 'expired', 'withdrawn')),
    joined_seq bigint GENERATED ALWAYS AS IDENTITY,
    joined_at timestamptz NOT NULL DEFAULT now(),
    offered_at timestamptz,
    offer_expires_at timestamptz,
    settled_at timestamptz,
    ticket_id uuid REFERENCES tickets (id)
);
CREATE UNIQUE INDEX waitlist_one_open_entry_per_person ON waitlist (gathering_id, person_id)
    WHERE status IN ('waiting', 'offered');
CREATE INDEX waitlist_line ON waitlist (gathering_id, joined_seq) WHERE status = 'waiting';
CREATE INDEX waitlist_offers_due ON waitlist (offer_expires_at) WHERE status = 'offered';
