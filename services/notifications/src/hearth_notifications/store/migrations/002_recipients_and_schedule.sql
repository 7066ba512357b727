-- Who people are (from the events that name them), what they chose to hear, what is planned.

-- Recipients: name, address and language, kept current from every event that carries them.
CREATE TABLE recipients (
    person_id uuid PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL,
    language text NOT NULL CHECK (language IN ('en', 'fr')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipients_email ON recipients (lower(email));

-- Opt-outs per category, and whether group activity waits for a daily digest.
CREATE TABLE preferences (
    person_id uuid PRIMARY KEY,
    opted_out text[] NOT NULL DEFAULT '{}',
    group_digest boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Gatherings as last announced (to tell a real change from a capacity tweak).
CREATE TABLE gatherings (
    gathering_id uuid PRIMARY KEY,
    details jsonb NOT NULL,
    status text NOT NULL
);

-- Ticket holders: who hears about a gathering's changes and reminders. The snapshot keeps the
-- join link, which only tickets carry.
CREATE TABLE tickets (
    ticket_id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL,
    person_id uuid NOT NULL,
    snapshot jsonb NOT NULL,
    active boolean NOT NULL DEFAULT true
);
CREATE INDEX tickets_gathering ON tickets (gathering_id) WHERE active;

-- Who attended (for the feedback request after the gathering).
CREATE TABLE attendance (
    gathering_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (gathering_id, person_id)
);

-- Group members and meetings (for invitations and meeting reminders).
CREATE TABLE group_members (
    group_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE TABLE group_meetings (
    meeting_id uuid PRIMARY KEY,
    group_id uuid NOT NULL,
    details jsonb NOT NULL
);

-- Planned sends: one row per subject (gathering or group meeting), template and offset. Firing
-- claims due rows with FOR UPDATE SKIP LOCKED and marks them in the same transaction, so exactly
-- one replica fires each; moving the subject moves the row, cancelling it drops the row.
CREATE TABLE plans (
    subject_id uuid NOT NULL,
    template text NOT NULL,
    offset_seconds integer NOT NULL,
    fire_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'fired', 'dropped')),
    fired_at timestamptz,
    PRIMARY KEY (subject_id, template, offset_seconds)
);
CREATE INDEX plans_due ON plans (fire_at) WHERE status = 'planned';

-- Daily digests already sent (one per person and day).
CREATE TABLE digests (
    person_id uuid NOT NULL,
    day date NOT NULL,
    PRIMARY KEY (person_id, day)
);

-- Deliveries now say whom, which category, what to attach; a few more states:
-- suppressed (opted out), held (waits for the digest), digested (went out in one), sending (claimed).
ALTER TABLE deliveries
    ADD COLUMN person_id uuid,
    ADD COLUMN category text NOT NULL DEFAULT 'tickets',
    ADD COLUMN calendar text,
    ADD COLUMN lease_until timestamptz,
    DROP CONSTRAINT deliveries_status_check,
    ADD CONSTRAINT deliveries_status_check
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'held', 'digested'));
ALTER TABLE deliveries ALTER COLUMN category DROP DEFAULT;
CREATE INDEX deliveries_person ON deliveries (person_id, created_at DESC);
CREATE INDEX deliveries_address ON deliveries (lower(to_address), created_at DESC);
CREATE INDEX deliveries_held ON deliveries (person_id) WHERE status = 'held';
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending');
