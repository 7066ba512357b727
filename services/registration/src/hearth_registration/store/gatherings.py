"""Gatherings, their series, ticket types and breakouts, and the seat counts kept on them."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from hearth_shared.db import Connection

# The columns a scheduler sets (and may change later). Column names come from this list only;
# every value is a query parameter.
EDITABLE = (
    "title_en",
    "title_fr",
    "description_en",
    "description_fr",
    "kind",
    "modality",
    "starts_at",
    "ends_at",
    "time_zone",
    "capacity",
    "venue",
    "address",
    "join_url",
    "series_id",
    "credit_policy",
)


def _value(column: str) -> str:
    return "$%d::jsonb" if column == "credit_policy" else "$%d"


async def insert_gathering(conn: Connection, fields: dict[str, Any], status: str) -> asyncpg.Record:
    columns = ("id", "status", *EDITABLE)
    placeholders = ", ".join(_value(c) % (i + 1) for i, c in enumerate(columns))
    row = await conn.fetchrow(
        f"INSERT INTO gatherings ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *",  # noqa: S608
        uuid.uuid4(),
        status,
        *(fields[c] for c in EDITABLE),
    )
    assert row is not None
    return row


async def update_gathering(
    conn: Connection, gathering_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record:
    """Set the given columns (names from EDITABLE or 'status')."""
    columns = [c for c in fields if c in EDITABLE or c == "status"]
    assignments = ", ".join(f"{c} = {_value(c) % (i + 2)}" for i, c in enumerate(columns))
    row = await conn.fetchrow(
        f"UPDATE gatherings SET {assignments}, updated_at = now() WHERE id = $1 RETURNING *",  # noqa: S608
        gathering_id,
        *(fields[c] for c in columns),
    )
    assert row is not None
    return row


async def get_gathering(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1", gathering_id)


async def list_gatherings(
    conn: Connection, *, status: str | None, series_id: uuid.UUID | None, limit: int
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM gatherings WHERE ($1::text IS NULL OR status = $1) "
        "AND ($2::uuid IS NULL OR series_id = $2) ORDER BY starts_at LIMIT $3",
        status,
        series_id,
        limit,
    )


async def lock_gathering(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    """Serialise the seat decisions of one gathering (who waits, who is offered a freed seat)."""
    return await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1 FOR UPDATE", gathering_id)


async def take_seat(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record | None:
    """Take one seat if the gathering is open and not full (atomic under concurrency)."""
    return await conn.fetchrow(
        "UPDATE gatherings SET seats_taken = seats_taken + 1 "
        "WHERE id = $1 AND status = 'open' AND seats_taken < capacity RETURNING *",
        gathering_id,
    )


async def release_seat(conn: Connection, gathering_id: uuid.UUID) -> None:
    await conn.execute("UPDATE gatherings SET seats_taken = seats_taken - 1 WHERE id = $1", gathering_id)


async def replace_ticket_types(
    conn: Connection, gathering_id: uuid.UUID, types: list[tuple[str, int, str]]
) -> None:
    await conn.execute("DELETE FROM ticket_types WHERE gathering_id = $1", gathering_id)
    await conn.executemany(
        "INSERT INTO ticket_types (gathering_id, kind, price_cents, currency) VALUES ($1, $2, $3, $4)",
        [(gathering_id, *t) for t in types],
    )


async def ticket_types(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT kind, price_cents, currency FROM ticket_types WHERE gathering_id = $1 ORDER BY kind",
        gathering_id,
    )


async def ticket_type(conn: Connection, gathering_id: uuid.UUID, kind: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT kind, price_cents, currency FROM ticket_types WHERE gathering_id = $1 AND kind = $2",
        gathering_id,
        kind,
    )


async def insert_series(conn: Connection, title_en: str, title_fr: str, cadence: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "INSERT INTO series (id, title_en, title_fr, cadence) VALUES ($1, $2, $3, $4) RETURNING *",
        uuid.uuid4(),
        title_en,
        title_fr,
        cadence,
    )
    assert row is not None
    return row


async def get_series(conn: Connection, series_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM series WHERE id = $1", series_id)


async def insert_breakout(
    conn: Connection, gathering_id: uuid.UUID, fields: dict[str, Any]
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO breakouts (id, gathering_id, name_en, name_fr, language, practice_area, capacity)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        uuid.uuid4(),
        gathering_id,
        fields["name_en"],
        fields["name_fr"],
        fields["language"],
        fields["practice_area"],
        fields["capacity"],
    )
    assert row is not None
    return row


async def breakouts(conn: Connection, gathering_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM breakouts WHERE gathering_id = $1 ORDER BY name_en, id", gathering_id
    )


async def take_breakout_seat(
    conn: Connection, breakout_id: uuid.UUID, gathering_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "UPDATE breakouts SET seats_taken = seats_taken + 1 "
        "WHERE id = $1 AND gathering_id = $2 AND seats_taken < capacity RETURNING *",
        breakout_id,
        gathering_id,
    )


async def release_breakout_seat(conn: Connection, breakout_id: uuid.UUID) -> None:
    await conn.execute("UPDATE breakouts SET seats_taken = seats_taken - 1 WHERE id = $1", breakout_id)
