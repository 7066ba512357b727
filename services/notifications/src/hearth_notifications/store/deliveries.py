"""The delivery log: one row per email Hearth means to send, written before the send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hearth_shared.contracts.catalogue import Language
from hearth_shared.db import Connection

from ..domain.preferences import Disposition
from ..domain.rendering import Email

COLUMNS = (
    "id, source_event_id, correlation_id, person_id, template, category, language, to_address, "
    "subject, status, attempts, last_error, created_at, sent_at, resent_by"
)
# The log as staff read it: with the date the person was erased, if they were.
_ERASED_AT = "(SELECT x.erased_at FROM erased_people x WHERE x.person_id = deliveries.person_id)"
LISTED = f"{COLUMNS}, {_ERASED_AT} AS erased_at"
# What the mail sender needs of a delivery to send it and to announce the outcome.
SENDING = (
    "id, source_event_id, correlation_id, person_id, template, category, language, to_address, subject, "
    "body_text, body_html, calendar, unsubscribe_url, attempts, created_at, traceparent"
)


@dataclass(frozen=True)
class DeliveryRow:
    """An entry of the log as staff see it (without the bodies)."""

    id: uuid.UUID
    source_event_id: str
    correlation_id: str
    person_id: uuid.UUID | None
    template: str
    category: str
    language: str
    to_address: str
    subject: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    resent_by: uuid.UUID | None  # the staff member who asked for this resend (None: not a resend)
    erased_at: datetime | None = None  # the person's details were erased (their tombstone's date)


@dataclass(frozen=True)
class SendingRow:
    """A delivery leased to a mail sender: the email as it goes out, and what it answers."""

    id: uuid.UUID
    source_event_id: str
    correlation_id: str
    person_id: uuid.UUID | None
    template: str
    category: str
    language: Language
    to_address: str
    subject: str
    body_text: str
    body_html: str
    calendar: str | None
    unsubscribe_url: str | None
    attempts: int
    created_at: datetime
    traceparent: str | None  # the cause's trace context: the SMTP send is a span of its trace


@dataclass(frozen=True)
class HeldRow:
    """A delivery waiting for its person's daily digest."""

    id: uuid.UUID
    person_id: uuid.UUID
    subject: str
    language: Language
    to_address: str


@dataclass(frozen=True)
class DeliveryFilter:
    """What narrows the log (None: any)."""

    to: str | None = None
    person_id: uuid.UUID | None = None
    status: str | None = None
    template: str | None = None
    source_event_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class NewDelivery:
    email: Email
    disposition: Disposition
    reason: str | None  # why it is not sent, when it is not
    source_event_id: str
    correlation_id: str
    traceparent: str | None = None  # the cause's W3C trace context, if it carried one
    resent_by: uuid.UUID | None = None  # a resend: the staff member who asked for it


def _log_entry(record: asyncpg.Record) -> DeliveryRow:
    return DeliveryRow(**dict(record))


async def add(conn: Connection, emails: list[NewDelivery]) -> int:
    """Record emails; return how many are new. The same source, person and template never make a
    second row; nothing is written for a person erased at their request."""
    if not emails:
        return 0
    rows = await conn.fetch(
        """INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, person_id,
                                   template, category, language, to_address, subject, body_text,
                                   body_html, calendar, status, last_error, unsubscribe_url, traceparent,
                                   resent_by)
           SELECT gen_random_uuid(), k, src, cor, p, t, c, l, a, s, bt, bh, cal, st, why, un, tp, rb
           FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                       $13::text[], $14::text[], $15::text[], $16::text[], $17::uuid[])
                AS e(k, src, cor, p, t, c, l, a, s, bt, bh, cal, st, why, un, tp, rb)
           WHERE NOT EXISTS (SELECT 1 FROM erased_people x WHERE x.person_id = e.p)
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING 1""",
        [
            f"{d.source_event_id}:{d.email.person_id or d.email.to_address.lower()}:{d.email.template}"
            for d in emails
        ],
        [d.source_event_id for d in emails],
        [d.correlation_id for d in emails],
        [d.email.person_id for d in emails],
        [d.email.template for d in emails],
        [d.email.category for d in emails],
        [d.email.language for d in emails],
        [d.email.to_address for d in emails],
        [d.email.subject for d in emails],
        [d.email.text for d in emails],
        [d.email.html for d in emails],
        [d.email.calendar for d in emails],
        [str(d.disposition) for d in emails],
        [d.reason for d in emails],
        [d.email.unsubscribe_url for d in emails],
        [d.traceparent for d in emails],
        [d.resent_by for d in emails],
    )
    return len(rows)


async def claim_due(conn: Connection, limit: int, lease_seconds: float, owner: uuid.UUID) -> list[SendingRow]:
    """Lease due deliveries to this sender (committed at once): another sender, or this one after
    a crash (a new token), takes them back only when the lease runs out unrenewed."""
    rows = await conn.fetch(
        f"""UPDATE deliveries SET status = 'sending', lease_owner = $3,
                                  lease_until = now() + make_interval(secs => $2)
           WHERE id IN (SELECT id FROM deliveries
                        WHERE (status = 'pending' AND next_attempt_at <= now())
                           OR (status = 'sending' AND lease_until < now())
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING {SENDING}""",  # noqa: S608 - fixed column list
        limit,
        lease_seconds,
        owner,
    )
    return [SendingRow(**dict(r)) for r in rows]


async def renew(conn: Connection, owner: uuid.UUID, lease_seconds: float) -> int:
    """Extend every lease this sender holds; return how many. A row another transaction holds is
    skipped, not waited for: that is this sender settling it (which clears or renews its lease),
    and waiting took row locks in an order of its own, against the settlement's (a deadlock seen
    in bench/faults.py)."""
    status = await conn.execute(
        "UPDATE deliveries SET lease_until = now() + make_interval(secs => $2) "
        "WHERE id IN (SELECT id FROM deliveries WHERE status = 'sending' AND lease_owner = $1 "
        "             ORDER BY id FOR UPDATE SKIP LOCKED)",
        owner,
        lease_seconds,
    )
    return int(status.split()[-1])


async def hold(conn: Connection, delivery_id: uuid.UUID, owner: uuid.UUID, lease_seconds: float) -> bool:
    """Just before sending: is the delivery still this sender's? (and a fresh lease for it)."""
    row = await conn.fetchval(
        "UPDATE deliveries SET lease_until = now() + make_interval(secs => $3) "
        "WHERE id = $1 AND status = 'sending' AND lease_owner = $2 RETURNING 1",
        delivery_id,
        owner,
        lease_seconds,
    )
    return row is not None


async def release(conn: Connection, delivery_ids: list[uuid.UUID], owner: uuid.UUID) -> None:
    """Give back leased deliveries not tried (sending paused): due again at once, no attempt counted."""
    await conn.execute(
        "UPDATE deliveries SET status = 'pending', lease_owner = NULL, lease_until = NULL "
        "WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_owner = $2",
        delivery_ids,
        owner,
    )


async def mark_sent(conn: Connection, delivery_id: uuid.UUID, owner: uuid.UUID) -> datetime | None:
    """Mark an accepted delivery sent; its time, or None if this sender no longer held it."""
    sent_at: datetime | None = await conn.fetchval(
        "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = clock_timestamp(), "
        "last_error = NULL, lease_until = NULL, lease_owner = NULL "
        "WHERE id = $1 AND status = 'sending' AND lease_owner = $2 RETURNING sent_at",
        delivery_id,
        owner,
    )
    return sent_at


async def mark_all_sent(
    conn: Connection, delivery_ids: list[uuid.UUID], owner: uuid.UUID
) -> dict[uuid.UUID, datetime]:
    """Mark accepted deliveries sent in one statement; the time of each this sender still held."""
    rows = await conn.fetch(
        "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = clock_timestamp(), "
        "last_error = NULL, lease_until = NULL, lease_owner = NULL "
        "WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_owner = $2 RETURNING id, sent_at",
        delivery_ids,
        owner,
    )
    return {r["id"]: r["sent_at"] for r in rows}


async def hold_all(
    conn: Connection, delivery_ids: list[uuid.UUID], owner: uuid.UUID, lease_seconds: float
) -> set[uuid.UUID]:
    """`hold` for several deliveries in one statement: those still this sender's."""
    if not delivery_ids:
        return set()
    rows = await conn.fetch(
        "UPDATE deliveries SET lease_until = now() + make_interval(secs => $3) "
        "WHERE id = ANY($1::uuid[]) AND status = 'sending' AND lease_owner = $2 RETURNING id",
        delivery_ids,
        owner,
        lease_seconds,
    )
    return {r["id"] for r in rows}


async def mark_failed(conn: Connection, delivery_id: uuid.UUID, owner: uuid.UUID, reason: str) -> bool:
    found = await conn.fetchval(
        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $3, "
        "lease_until = NULL, lease_owner = NULL "
        "WHERE id = $1 AND status = 'sending' AND lease_owner = $2 RETURNING 1",
        delivery_id,
        owner,
        reason,
    )
    return found is not None


async def reschedule(
    conn: Connection, delivery_id: uuid.UUID, owner: uuid.UUID, reason: str, delay_seconds: float
) -> bool:
    found = await conn.fetchval(
        "UPDATE deliveries SET status = 'pending', attempts = attempts + 1, last_error = $3, "
        "lease_until = NULL, lease_owner = NULL, next_attempt_at = now() + make_interval(secs => $4) "
        "WHERE id = $1 AND status = 'sending' AND lease_owner = $2 RETURNING 1",
        delivery_id,
        owner,
        reason,
        delay_seconds,
    )
    return found is not None


_MATCHES = (
    "WHERE ($1::text IS NULL OR lower(to_address) = lower($1)) "
    "AND ($2::uuid IS NULL OR person_id = $2) AND ($3::text IS NULL OR status = $3) "
    "AND ($4::text IS NULL OR template = $4) AND ($5::text IS NULL OR source_event_id = $5) "
    "AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7) "
)


async def search(
    conn: Connection, filters: DeliveryFilter, limit: int, offset: int = 0
) -> tuple[list[DeliveryRow], int]:
    """One page of the log, newest first, narrowed by any of the filter's fields, and how many
    entries the filter matches."""
    values = (
        filters.to,
        filters.person_id,
        filters.status,
        filters.template,
        filters.source_event_id,
        filters.since,
        filters.until,
    )
    rows = await conn.fetch(
        f"SELECT {LISTED} FROM deliveries {_MATCHES}"  # noqa: S608 - fixed column list, values are parameters
        "ORDER BY created_at DESC, id LIMIT $8 OFFSET $9",
        *values,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM deliveries {_MATCHES}", *values)  # noqa: S608
    return [_log_entry(r) for r in rows], int(total)


async def get(conn: Connection, delivery_id: uuid.UUID) -> DeliveryRow | None:
    row = await conn.fetchrow(f"SELECT {LISTED} FROM deliveries WHERE id = $1", delivery_id)  # noqa: S608
    return _log_entry(row) if row is not None else None


async def resend(
    conn: Connection, original_id: uuid.UUID, to_address: str, correlation_id: str, by: uuid.UUID
) -> DeliveryRow:
    """A new pending copy of a delivery (staff's choice overrides opt-outs), asked for by staff
    member `by`."""
    new_id = uuid.uuid4()
    row = await conn.fetchrow(
        f"""INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, person_id,
                                   template, category, language, to_address, subject, body_text,
                                   body_html, calendar, unsubscribe_url, resent_by)
           SELECT $1::uuid, 'resend:' || $1::uuid::text, source_event_id, $3, person_id, template, category,
                  language, $4, subject, body_text, body_html, calendar, unsubscribe_url, $5
           FROM deliveries WHERE id = $2
           RETURNING {COLUMNS}""",  # noqa: S608 - fixed column list
        new_id,
        original_id,
        correlation_id,
        to_address,
        by,
    )
    assert row is not None
    return _log_entry(row)


async def held(conn: Connection, limit: int, *, weekly_due: bool) -> list[HeldRow]:
    """Digest-bound deliveries, locked, grouped by person (oldest first): of people with a daily
    digest (or none any more: what was held goes at the next digest hour), and of people with a
    weekly one on its day."""
    rows = await conn.fetch(
        "SELECT d.id, d.person_id, d.subject, d.language, d.to_address FROM deliveries d "
        "LEFT JOIN preferences p ON p.person_id = d.person_id "
        "WHERE d.status = 'held' AND (coalesce(p.digest, 'none') <> 'weekly' OR $2) "
        "ORDER BY d.person_id, d.created_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED",
        limit,
        weekly_due,
    )
    return [HeldRow(**dict(r)) for r in rows]


async def mark_digested(conn: Connection, delivery_ids: list[uuid.UUID]) -> None:
    await conn.execute("UPDATE deliveries SET status = 'digested' WHERE id = ANY($1::uuid[])", delivery_ids)
