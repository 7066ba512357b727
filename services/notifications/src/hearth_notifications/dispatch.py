"""From rendered emails to delivery rows, honouring each person's preferences: sent, suppressed
(opted out, kept in the log with the reason) or held for their daily digest."""

from __future__ import annotations

from dataclasses import dataclass

from hearth_shared.db import Connection

from . import domain
from .messages import Email
from .store import deliveries, people


@dataclass(frozen=True)
class Outgoing:
    """An email and what it answers: the source event (or plan) and the correlation it carries."""

    email: Email
    source_event_id: str
    correlation_id: str


def outgoing(emails: list[Email], source_event_id: str, correlation_id: str) -> list[Outgoing]:
    return [Outgoing(email, source_event_id, correlation_id) for email in emails]


async def dispatch(conn: Connection, emails: list[Outgoing]) -> int:
    """Write one delivery row per email (once per source, person and template); return how many
    are new."""
    if not emails:
        return 0
    person_ids = [o.email.person_id for o in emails if o.email.person_id is not None]
    chosen = await people.preferences(conn, person_ids) if person_ids else {}
    rows = []
    for item in emails:
        opted_out, digest = (
            chosen.get(item.email.person_id, (frozenset(), False))
            if item.email.person_id
            else (
                frozenset(),
                False,
            )
        )
        how = domain.disposition(item.email.template, opted_out, digest)
        why = f"opted out of {item.email.category}" if how is domain.Disposition.SUPPRESS else None
        rows.append(deliveries.NewDelivery(item.email, how, why, item.source_event_id, item.correlation_id))
    return await deliveries.add(conn, rows)
