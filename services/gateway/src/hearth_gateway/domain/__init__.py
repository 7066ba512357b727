"""The gateway's pure rules: who may do what, what a password must be, when a session ends, what
the audit log records. No I/O is imported here."""
