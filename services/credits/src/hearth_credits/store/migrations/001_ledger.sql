-- What credits knows about activities and people, learned from events.
CREATE TABLE activities (
    id uuid PRIMARY KEY,  -- the gathering id (or a self-report's id)
    title_en text NOT NULL,
    title_fr text NOT NULL,
    starts_at timestamptz NOT NULL,
    length_minutes int NOT NULL,
    time_zone text NOT NULL,
    policy jsonb,  -- the credit policy; null: the activity earns nothing
    cancelled boolean NOT NULL DEFAULT false
);

-- Personal details: erasure blanks them; the ledger only ever holds the person's id.
CREATE TABLE people (
    id uuid PRIMARY KEY,
    name text,
    email text,
    language text NOT NULL DEFAULT 'en',
    erased_at timestamptz
);

-- The latest revision of each attendance record (it may arrive before its gathering's policy).
CREATE TABLE attendance (
    id uuid PRIMARY KEY,
    activity_id uuid NOT NULL,
    person_id uuid NOT NULL,
    minutes_attended int NOT NULL,
    revision int NOT NULL,
    UNIQUE (activity_id, person_id)
);

CREATE TABLE feedback_given (
    activity_id uuid NOT NULL,
    person_id uuid NOT NULL,
    PRIMARY KEY (activity_id, person_id)
);

-- The ledger: append-only. A correction is a reversal entry plus a new award.
CREATE TABLE ledger (
    id uuid PRIMARY KEY,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    person_id uuid NOT NULL,
    activity_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('award', 'reversal')),
    hours numeric(6, 2) NOT NULL,  -- negative for a reversal
    category text NOT NULL,
    cycle text NOT NULL,
    reverses uuid UNIQUE REFERENCES ledger (id),
    basis text NOT NULL,  -- why: e.g. 'attendance rev 2: 86 min', 'self-report approved'
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
CREATE INDEX ledger_person_cycle ON ledger (person_id, cycle);
CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the credits ledger is append-only: add a reversal instead';
END $$;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();

-- The award standing now for each person and activity (at most one): the row a correction
-- locks, so two deliveries can never both award.
CREATE TABLE standing (
    person_id uuid NOT NULL,
    activity_id uuid NOT NULL,
    entry_id uuid REFERENCES ledger (id),  -- null: nothing stands
    hours numeric(6, 2) NOT NULL DEFAULT 0,
    category text,
    cycle text,
    PRIMARY KEY (person_id, activity_id)
);

CREATE TABLE certificates (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE,
    entry_id uuid NOT NULL REFERENCES ledger (id),
    person_id uuid NOT NULL,
    activity_id uuid NOT NULL,
    hours numeric(6, 2) NOT NULL,
    language text NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_reason text
);
CREATE UNIQUE INDEX certificates_one_valid ON certificates (person_id, activity_id) WHERE revoked_at IS NULL;

CREATE TABLE self_reports (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL,
    title text NOT NULL,
    category text NOT NULL,
    hours numeric(6, 2) NOT NULL CHECK (hours > 0),
    activity_date date NOT NULL,
    evidence text NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decision_reason text,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz
);
