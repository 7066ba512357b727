-- Erasure tombstones. A person id erased here never becomes a recipient again, and no email is
-- written for it: a late or replayed event that names it changes nothing. The address is kept
-- only as a SHA-256 digest (hex, of the trimmed, lowercased email), with when erasure was asked,
-- so an event dated before the request that names a person id not yet known here is recognised.
CREATE TABLE erased_people (
    person_id uuid PRIMARY KEY,
    erased_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE erased_addresses (
    email_digest text PRIMARY KEY,
    requested_at timestamptz NOT NULL,
    erased_at timestamptz NOT NULL DEFAULT now()
);
