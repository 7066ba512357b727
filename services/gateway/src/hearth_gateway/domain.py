"""Gateway' pure rules
(staff accounts, sessions and the audit log's rules).
Empty until the gateway issue: no I/O may ever be imported here."""
