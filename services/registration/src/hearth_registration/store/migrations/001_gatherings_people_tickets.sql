CREATE TABLE gatherings (
    id uuid PRIMARY KEY,
    title_en text NOT NULL,
    title_fr text NOT NULL,
    kind text NOT NULL,
    modality text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    time_zone text NOT NULL,
    capacity int NOT NULL CHECK (capacity >= 0),
    -- Seats taken, kept beside capacity so a purchase checks and takes a seat in one UPDATE.
    seats_taken int NOT NULL DEFAULT 0 CHECK (seats_taken >= 0 AND seats_taken <= capacity),
    venue text,
    join_url text,
    status text NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One person per email, case-insensitively. Members come from the membership register.
CREATE TABLE people (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    preferred_language text NOT NULL CHECK (preferred_language IN ('en', 'fr')),
    member_id text UNIQUE,
    registration_number text,
    membership_status text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX people_email ON people (lower(email));

CREATE TABLE tickets (
    id uuid PRIMARY KEY,
    gathering_id uuid NOT NULL REFERENCES gatherings (id),
    person_id uuid NOT NULL REFERENCES people (id),
    ticket_type text NOT NULL,
    price_cents int NOT NULL CHECK (price_cents >= 0),
    currency text NOT NULL DEFAULT 'CAD',
    idempotency_key text UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (gathering_id, person_id)
);
