"""Queries on notifications' own schema."""

from __future__ import annotations

import uuid

import asyncpg

from hearth_shared.db import Connection

from .domain import Email


async def add_delivery(conn: Connection, email: Email, *, source_event_id: str, correlation_id: str) -> bool:
    """Record an email to send; False when this event already produced it for this recipient."""
    key = f"{source_event_id}:{email.to_address.lower()}:{email.template}"
    inserted = await conn.fetchval(
        """INSERT INTO deliveries (id, idempotency_key, source_event_id, correlation_id, template,
                                   language, to_address, subject, body_text, body_html)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING true""",
        uuid.uuid4(),
        key,
        source_event_id,
        correlation_id,
        email.template,
        email.language,
        email.to_address,
        email.subject,
        email.text,
        email.html,
    )
    return bool(inserted)


async def claim_due(conn: Connection) -> asyncpg.Record | None:
    """Lock one due delivery that no other sender holds (inside the caller's transaction)."""
    return await conn.fetchrow(
        "SELECT * FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now() "
        "ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )


async def mark_sent(conn: Connection, delivery_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), "
        "last_error = NULL WHERE id = $1",
        delivery_id,
    )


async def mark_failed(conn: Connection, delivery_id: uuid.UUID, reason: str) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE id = $1",
        delivery_id,
        reason,
    )


async def reschedule(conn: Connection, delivery_id: uuid.UUID, reason: str, delay_seconds: float) -> None:
    await conn.execute(
        "UPDATE deliveries SET attempts = attempts + 1, last_error = $2, "
        "next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1",
        delivery_id,
        reason,
        delay_seconds,
    )


async def list_deliveries(
    conn: Connection, *, to_address: str | None, status: str | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, source_event_id, correlation_id, template, language, to_address, subject, "
        "status, attempts, last_error, created_at, sent_at FROM deliveries "
        "WHERE ($1::text IS NULL OR lower(to_address) = lower($1)) "
        "AND ($2::text IS NULL OR status = $2) ORDER BY created_at DESC LIMIT $3",
        to_address,
        status,
        limit,
    )
