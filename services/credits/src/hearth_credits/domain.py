"""Credits' pure rules
(the credit rules: hours from minutes attended, increments, caps, minimum attendance, cycles).
Empty until the credits issue: no I/O may ever be imported here."""
