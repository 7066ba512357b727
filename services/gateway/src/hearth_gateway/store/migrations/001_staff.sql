-- Staff accounts, their recovery codes, server-side sessions, and the audit log.
CREATE TABLE staff (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'coordinator', 'check_in', 'viewer')),
    password_hash text NOT NULL,
    totp_secret text,
    totp_enabled_at timestamptz,
    totp_last_step bigint,
    disabled_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX staff_email ON staff (lower(email));

-- Hashes only (SHA-256 of 50 random bits each); a used code stays, marked.
CREATE TABLE recovery_codes (
    staff_id uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
    code_hash text NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (staff_id, code_hash)
);

-- The cookie holds a random token; only its SHA-256 is stored, so a copy of this table opens nothing.
CREATE TABLE sessions (
    token_hash text PRIMARY KEY,
    staff_id uuid NOT NULL REFERENCES staff ON DELETE CASCADE,
    stage text NOT NULL CHECK (stage IN ('password', 'complete')),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    staff_id uuid REFERENCES staff ON DELETE SET NULL,
    action text NOT NULL,
    target text,
    detail text,
    address text
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC);
CREATE INDEX audit_log_staff ON audit_log (staff_id, at DESC);
