-- Erasure tombstones: a person id erased here, so that a later or replayed event about them
-- (InterestExpressed, TicketPurchased) does not put them back in the pool or the digest table.
CREATE TABLE erased_people (
    person_id uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
