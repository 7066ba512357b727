"""From rendered emails to delivery rows, honouring each person's preferences: sent, suppressed
(opted out, kept in the log with the reason) or held for their daily digest."""

from __future__ import annotations

from hearth_shared.db import Connection

from . import domain
from .messages import Email
from .store import deliveries, people


async def dispatch(
    conn: Connection, emails: list[Email], *, source_event_id: str, correlation_id: str
) -> int:
    """Write one delivery row per email (once per source, person and template); return how many
    are new."""
    person_ids = [e.person_id for e in emails if e.person_id is not None]
    chosen = await people.preferences(conn, person_ids) if person_ids else {}
    rows = []
    for email in emails:
        opted_out, digest = (
            chosen.get(email.person_id, (frozenset(), False))
            if email.person_id
            else (
                frozenset(),
                False,
            )
        )
        how = domain.disposition(email.template, opted_out, digest)
        why = f"opted out of {email.category}" if how is domain.Disposition.SUPPRESS else None
        rows.append((email, how, why))
    return await deliveries.add(conn, rows, source_event_id=source_event_id, correlation_id=correlation_id)
