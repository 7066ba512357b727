-- Failed sign-ins, counted by every gateway replica (the login throttle, actions/throttle.py).
-- `key` is the SHA-256 of the normalised email for scope 'account' and the client address for
-- scope 'address'. Rows older than the longest window are deleted as new failures are written.
CREATE TABLE login_failures (
    id bigserial PRIMARY KEY,
    scope text NOT NULL CHECK (scope IN ('account', 'address')),
    key text NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key ON login_failures (scope, key, at);
CREATE INDEX login_failures_at ON login_failures (at);
