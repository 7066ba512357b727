"""The delivery log: one row per email Hearth means to send, written before the send."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import asyncpg

from hearth_shared.db import Connection

from ..domain import Disposition
from ..messages import Email

COLUMNS = (
    "id, source_event_id, correlation_id, person_id, template, category, language, to_address, "
    "subject, status, attempts, last_error, created_at, sent_at"
)


@dataclass(frozen=True)
class NewDelivery:
    email: Email
    disposition: Disposition
    reason: str | None  # why it is not sent, when it is not
    source_event_id: str
    correlation_id: str


async def add(conn: Connection, emails: list[NewDelivery]) -> int:
    """Record emails; return how many are new. The same source, person and template never make a
    second row."""
    if not emails:
        return 0
    rows = await conn.fetch(
        """INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, person_id,
                                   template, category, language, to_address, subject, body_text,
                                   body_html, calendar, status, last_error)
           SELECT gen_random_uuid(), k, src, cor, p, t, c, l, a, s, bt, bh, cal, st, why
           FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                       $13::text[], $14::text[])
                AS e(k, src, cor, p, t, c, l, a, s, bt, bh, cal, st, why)
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
    )
    return len(rows)


async def claim_due(conn: Connection, limit: int, lease_seconds: float) -> list[asyncpg.Record]:
    """Lease due deliveries to this sender (committed at once): another replica, or this one after
    a crash, takes them back only when the lease runs out."""
    return await conn.fetch(
        """UPDATE deliveries SET status = 'sending', lease_until = now() + make_interval(secs => $2)
           WHERE id IN (SELECT id FROM deliveries
                        WHERE (status = 'pending' AND next_attempt_at <= now())
                           OR (status = 'sending' AND lease_until < now())
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
           RETURNING *""",
        limit,
        lease_seconds,
    )


async def mark_sent(conn: Connection, delivery_ids: list[uuid.UUID]) -> list[datetime]:
    """Mark accepted deliveries sent; return each one's time, in the order given."""
    rows = await conn.fetch(
        "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = clock_timestamp(), "
        "last_error = NULL, lease_until = NULL WHERE id = ANY($1::uuid[]) RETURNING id, sent_at",
        delivery_ids,
    )
    sent = {r["id"]: r["sent_at"] for r in rows}
    return [sent[i] for i in delivery_ids]


async def mark_failed(conn: Connection, delivery_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2, "
        "lease_until = NULL WHERE id = $1",
        delivery_id,
        reason,
    )


async def reschedule(conn: Connection, delivery_id: uuid.UUID, reason: str, delay_seconds: float) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'pending', attempts = attempts + 1, last_error = $2, "
        "lease_until = NULL, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        delivery_id,
        reason,
        delay_seconds,
    )


async def search(conn: Connection, filters: dict[str, Any], limit: int) -> list[asyncpg.Record]:
    """The log, newest first, narrowed by any of: to, person_id, status, template, source_event_id,
    since, until."""
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM deliveries "  # noqa: S608 - fixed column list, values are parameters
        "WHERE ($1::text IS NULL OR lower(to_address) = lower($1)) "
        "AND ($2::uuid IS NULL OR person_id = $2) AND ($3::text IS NULL OR status = $3) "
        "AND ($4::text IS NULL OR template = $4) AND ($5::text IS NULL OR source_event_id = $5) "
        "AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7) "
        "ORDER BY created_at DESC LIMIT $8",
        filters.get("to"),
        filters.get("person_id"),
        filters.get("status"),
        filters.get("template"),
        filters.get("source_event_id"),
        filters.get("since"),
        filters.get("until"),
        limit,
    )


async def get(conn: Connection, delivery_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM deliveries WHERE id = $1", delivery_id)


async def resend(
    conn: Connection, original: asyncpg.Record, to_address: str, correlation_id: str
) -> asyncpg.Record:
    """A new pending copy of a delivery (staff's choice overrides opt-outs)."""
    new_id = uuid.uuid4()
    row = await conn.fetchrow(
        f"""INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, person_id,
                                   template, category, language, to_address, subject, body_text,
                                   body_html, calendar)
           SELECT $1::uuid, 'resend:' || $1::uuid::text, source_event_id, $3, person_id, template, category,
                  language, $4, subject, body_text, body_html, calendar
           FROM deliveries WHERE id = $2
           RETURNING {COLUMNS}""",  # noqa: S608 - fixed column list
        new_id,
        original["id"],
        correlation_id,
        to_address,
    )
    assert row is not None
    return row


async def held(conn: Connection, limit: int) -> list[asyncpg.Record]:
    """Digest-bound deliveries, locked, grouped by person (oldest first)."""
    return await conn.fetch(
        "SELECT id, person_id, subject, body_text, language, to_address FROM deliveries "
        "WHERE status = 'held' ORDER BY person_id, created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )


async def mark_digested(conn: Connection, delivery_ids: list[uuid.UUID]) -> None:
    await conn.execute("UPDATE deliveries SET status = 'digested' WHERE id = ANY($1::uuid[])", delivery_ids)


async def claim_digest_day(conn: Connection, person_id: uuid.UUID, day: date) -> bool:
    """True the first time a digest is made for this person and day."""
    return bool(
        await conn.fetchval(
            "INSERT INTO digests (person_id, day) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING true",
            person_id,
            day,
        )
    )
