"""The gateway's write paths: each function is one transaction's work (and, for what staff ask of
a service, the call and its audit entry)."""
