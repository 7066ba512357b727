-- The interest pool: one open entry per person, kind and topic (the earliest interest counts).
CREATE TABLE interests (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL,
    kind text NOT NULL,
    topic text NOT NULL DEFAULT '',
    language text NOT NULL,
    region text,
    gathering_id uuid,
    expressed_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'placed', 'withdrawn')),
    group_id uuid
);
CREATE UNIQUE INDEX interests_open_once ON interests (person_id, kind, topic) WHERE status = 'open';
CREATE INDEX interests_pool ON interests (kind, topic, language) WHERE status = 'open';
CREATE INDEX interests_person ON interests (person_id);

CREATE TABLE groups (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    topic text NOT NULL DEFAULT '',
    name_en text NOT NULL,
    name_fr text NOT NULL,
    purpose text NOT NULL DEFAULT '',
    language text NOT NULL,
    region text,
    time_zone text NOT NULL,
    rhythm text,
    min_size int NOT NULL,
    max_size int NOT NULL,
    join_policy text NOT NULL,
    existence_visibility text NOT NULL,
    roster_visibility text NOT NULL,
    facilitator_id uuid,
    proposal_id uuid,
    -- How many it formed with: kept when members leave or are erased.
    formed_size int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groups_kind_topic ON groups (kind, topic);

CREATE TABLE memberships (
    group_id uuid NOT NULL REFERENCES groups (id),
    person_id uuid NOT NULL,
    status text NOT NULL CHECK (status IN ('member', 'requested', 'invited', 'declined', 'left')),
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX memberships_person ON memberships (person_id);

CREATE TABLE proposals (
    id uuid PRIMARY KEY,
    kind text NOT NULL,
    topic text,
    remainder text NOT NULL,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'discarded')),
    document jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);

CREATE TABLE meetings (
    id uuid PRIMARY KEY,
    group_id uuid NOT NULL REFERENCES groups (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    time_zone text NOT NULL,
    modality text NOT NULL,
    venue text,
    join_url text,
    status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    -- How many attended: kept when an attendee is erased.
    attendance_count int NOT NULL DEFAULT 0
);
CREATE INDEX meetings_group ON meetings (group_id, starts_at);

CREATE TABLE attendance (
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    person_id uuid NOT NULL,
    minutes int NOT NULL,
    revision int NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);

-- How an erasure request (which names a person by email) finds the person: a digest of the email,
-- never the email, learned from ticket purchases.
CREATE TABLE person_keys (
    email_digest bytea PRIMARY KEY,
    person_id uuid NOT NULL
);
