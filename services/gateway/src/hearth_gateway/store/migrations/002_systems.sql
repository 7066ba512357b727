-- Outside systems that publish through the HTTP door (docs/events.md), and their signing secrets.
CREATE TABLE systems (
    name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    event_types text[] NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Standard Webhooks secrets are symmetric: the door needs the secret itself to check a signature,
-- so it is kept as given (only the gateway's role reads this schema; the page shows it once).
-- A rotation adds a secret and gives the others an end (`expires_at`); both verify until then.
CREATE TABLE system_secrets (
    id bigserial PRIMARY KEY,
    system text NOT NULL REFERENCES systems (name) ON DELETE CASCADE,
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz
);
CREATE INDEX system_secrets_system ON system_secrets (system, created_at DESC);

-- The secrets that verify now.
CREATE VIEW live_secrets AS
    SELECT * FROM system_secrets WHERE expires_at IS NULL OR expires_at > now();
