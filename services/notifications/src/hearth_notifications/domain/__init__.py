"""Notifications' rules and what an email says, free of I/O: which category a message belongs to
and who may opt out of it (`preferences`), when planned sends fire (`plans`, `digests`), which SMTP
failures are worth retrying (`sending`), and the emails themselves (`emails` from the facts,
`rendering` with the templates beside it, `times`, `invites`, `gatherings`).

Rendering lives here because composing an email is a pure function of the person, the template
and the facts: the templates are package data read once and cached, with no database, broker or
network behind them, and the tests check every template in both languages without I/O.
"""
