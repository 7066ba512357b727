-- The full gathering: descriptions, address, series, the CPD credit it offers, ticket types
-- with prices, breakouts; what non-members attest; attendance and feedback.

CREATE TABLE series (
    id uuid PRIMARY KEY,
    title_en text NOT NULL,
    title_fr text NOT NULL,
    cadence text NOT NULL,  -- e.g. 'quarterly'; its dates are those of its gatherings
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE gatherings
    ADD COLUMN description_en text,
    ADD COLUMN description_fr text,
    ADD COLUMN address text,
    ADD COLUMN series_id uuid REFERENCES series (id),
    -- The credit policy, kept as the contract's JSON (null: the gathering earns no credit).
    ADD COLUMN credit_policy jsonb,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX gatherings_series ON gatherings (series_id) WHERE series_id IS NOT NULL;

CREATE TABLE ticket_types (
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    kind text NOT NULL CHECK (kind IN ('member', 'non_member', 'student', 'free')),
    price_cents int NOT NULL CHECK (price_cents >= 0),
    currency text NOT NULL DEFAULT 'CAD' CHECK (currency ~ '^[A-Z]{3}$'),
    PRIMARY KEY (gathering_id, kind)
);

ALTER TABLE people
    ADD COLUMN profession text,
    ADD COLUMN regulatory_body text,
    ADD COLUMN region text;  -- province, territory or country

CREATE TABLE breakouts (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    name_en text NOT NULL,
    name_fr text NOT NULL,
    language text CHECK (language IN ('en', 'fr')),
    practice_area text,
    capacity int NOT NULL CHECK (capacity >= 0),
    seats_taken int NOT NULL DEFAULT 0 CHECK (seats_taken >= 0 AND seats_taken <= capacity)
);
CREATE INDEX breakouts_gathering ON breakouts (gathering_id);
ALTER TABLE tickets ADD COLUMN breakout_id uuid REFERENCES breakouts (id);
ALTER TABLE waitlist ADD COLUMN practice_area text;

-- One record per person and gathering; a correction bumps the revision.
CREATE TABLE attendance (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    person_id uuid NOT NULL REFERENCES people (id),
    minutes_attended int NOT NULL CHECK (minutes_attended >= 0),
    revision int NOT NULL DEFAULT 1,
    source text NOT NULL CHECK (source IN ('check_in', 'import', 'reported')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gathering_id, person_id)
);

-- Every CSV import, with the rows it could not use, for staff to see and fix.
CREATE TABLE attendance_imports (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    filename text,
    rows_read int NOT NULL,
    people_recorded int NOT NULL,
    errors jsonb NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feedback (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    person_id uuid NOT NULL REFERENCES people (id),
    benefit_rating int NOT NULL CHECK (benefit_rating BETWEEN 1 AND 5),
    comments text,
    follow_up jsonb NOT NULL DEFAULT '[]',
    submitted_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gathering_id, person_id)
);
