"""Groups' pure rules
(group formation from expressed interest, membership rules).
Empty until the groups issue: no I/O may ever be imported here."""
