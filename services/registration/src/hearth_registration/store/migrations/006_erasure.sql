-- Erasure (a person's right to it): the person's row stays, pseudonymised, so tickets, waitlist
-- entries and attendance keep their shape; `erased_at` says it happened.
ALTER TABLE people ADD COLUMN erased_at timestamptz;

-- Tombstones: whom an erasure named, by a SHA-256 digest of the lowercased email (never the
-- email) and the register's member id, so a later MemberUpserted cannot bring them back.
CREATE TABLE erasures (
    email_digest text PRIMARY KEY,
    person_id uuid,
    member_id text,
    requested_at timestamptz NOT NULL,
    erased_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX erasures_member ON erasures (member_id) WHERE member_id IS NOT NULL;
