"""Server-side sessions, found by the SHA-256 of the cookie's token."""

from __future__ import annotations

import uuid
from datetime import datetime

from hearth_shared.db import Connection

from ..domain.sessions import SessionRules, Stage
from ..domain.staff import Session
from .staff import _COLUMNS, _staff


async def insert(
    conn: Connection, token_hash: str, staff_id: uuid.UUID, stage: Stage, csrf_token: str, now: datetime
) -> None:
    await conn.execute(
        """INSERT INTO sessions (token_hash, staff_id, stage, csrf_token, created_at, last_seen_at)
           VALUES ($1, $2, $3, $4, $5, $5)""",
        token_hash,
        staff_id,
        stage.value,
        csrf_token,
        now,
    )


async def find(conn: Connection, token_hash: str) -> Session | None:
    columns = ", ".join(f"s.{c.strip()}" for c in _COLUMNS.split(","))
    row = await conn.fetchrow(
        f"""SELECT {columns}, x.stage, x.csrf_token, x.created_at AS session_created_at, x.last_seen_at
            FROM sessions x JOIN staff s ON s.id = x.staff_id WHERE x.token_hash = $1""",  # noqa: S608 - fixed column lists and clauses; values are parameters
        token_hash,
    )
    if row is None:
        return None
    return Session(
        staff=_staff(row),
        stage=Stage(row["stage"]),
        csrf_token=row["csrf_token"],
        created_at=row["session_created_at"],
        last_seen_at=row["last_seen_at"],
    )


async def touch(conn: Connection, token_hash: str, now: datetime) -> None:
    await conn.execute("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1", token_hash, now)


async def complete(conn: Connection, token_hash: str, now: datetime) -> None:
    await conn.execute(
        "UPDATE sessions SET stage = 'complete', created_at = $2, last_seen_at = $2 WHERE token_hash = $1",
        token_hash,
        now,
    )


async def delete(conn: Connection, token_hash: str) -> None:
    await conn.execute("DELETE FROM sessions WHERE token_hash = $1", token_hash)


async def delete_for_staff(conn: Connection, staff_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM sessions WHERE staff_id = $1", staff_id)


async def delete_ended(conn: Connection, rules: SessionRules, now: datetime) -> int:
    """Every session past its idle or absolute limit (half-open ones past theirs)."""
    removed = await conn.fetch(
        """DELETE FROM sessions
           WHERE last_seen_at <= $1::timestamptz - $2::interval
              OR (stage = 'complete' AND created_at <= $1::timestamptz - $3::interval)
              OR (stage = 'password' AND created_at <= $1::timestamptz - $4::interval)
           RETURNING 1""",
        now,
        rules.idle,
        rules.absolute,
        rules.half_open,
    )
    return len(removed)
