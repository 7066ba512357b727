"""Gatherings, their series and ticket types, and the seat count kept on each gathering."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth_shared.db import Connection

from ..domain import NotFound, TicketType
from .rows import many, maybe, one

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


@dataclass(frozen=True)
class Gathering:
    id: uuid.UUID
    title_en: str
    title_fr: str
    description_en: str | None
    description_fr: str | None
    kind: str
    modality: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    capacity: int
    seats_taken: int  # tickets sold plus seats held for waitlist offers
    venue: str | None
    address: str | None
    join_url: str | None
    series_id: uuid.UUID | None
    credit_policy: str | None  # the contract's CreditPolicy as JSON; None: no CPD credit
    status: str
    created_at: datetime
    updated_at: datetime
    revision: int  # one more with each gathering event published (the events carry it)
    created_by: uuid.UUID | None  # the staff member who scheduled it (None: before tokens)
    updated_by: uuid.UUID | None  # the staff member who last changed it, its status included


@dataclass(frozen=True)
class Series:
    id: uuid.UUID
    title_en: str
    title_fr: str
    cadence: str
    created_at: datetime
    created_by: uuid.UUID | None  # the staff member who created it (None: before tokens)


@dataclass(frozen=True)
class Offer:
    """A gathering as a buyer meets it: the row (read without a lock), its ticket types, and
    whether it has breakouts to place people in."""

    gathering: Gathering
    ticket_types: list[TicketType]
    has_breakouts: bool


def _value(column: str) -> str:
    return "$%d::jsonb" if column == "credit_policy" else "$%d"


async def insert_gathering(
    conn: Connection, fields: dict[str, Any], status: str, by: uuid.UUID | None
) -> Gathering:
    columns = ("id", "status", "created_by", *EDITABLE)
    placeholders = ", ".join(_value(c) % (i + 1) for i, c in enumerate(columns))
    record = await conn.fetchrow(
        f"INSERT INTO gatherings ({', '.join(columns)}) VALUES ({placeholders}) RETURNING *",  # noqa: S608
        uuid.uuid4(),
        status,
        by,
        *(fields[c] for c in EDITABLE),
    )
    return one(Gathering, record)


async def update_gathering(
    conn: Connection, gathering_id: uuid.UUID, fields: dict[str, Any], by: uuid.UUID | None
) -> Gathering:
    """Set the given columns (names from EDITABLE or 'status'), saying who changed them."""
    columns = [c for c in fields if c in EDITABLE or c == "status"]
    assignments = "".join(f"{c} = {_value(c) % (i + 3)}, " for i, c in enumerate(columns))
    record = await conn.fetchrow(
        f"UPDATE gatherings SET {assignments}updated_by = $2, updated_at = now() "  # noqa: S608
        "WHERE id = $1 RETURNING *",
        gathering_id,
        by,
        *(fields[c] for c in columns),
    )
    return one(Gathering, record)


async def get_gathering(conn: Connection, gathering_id: uuid.UUID) -> Gathering | None:
    return maybe(Gathering, await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1", gathering_id))


async def known_gathering(conn: Connection, gathering_id: uuid.UUID) -> Gathering:
    """The gathering, or NotFound (for a request that names it)."""
    if (gathering := await get_gathering(conn, gathering_id)) is None:
        raise NotFound(f"no gathering {gathering_id}")
    return gathering


async def list_gatherings(
    conn: Connection,
    *,
    status: str | None,
    series_id: uuid.UUID | None,
    limit: int,
    offset: int = 0,
    ending_after: datetime | None = None,
    newest_first: bool = False,
) -> tuple[list[Gathering], int]:
    """One page of the gatherings matching, by start (earliest first unless `newest_first`), and
    how many match."""
    where = (
        "WHERE ($1::text IS NULL OR status = $1) AND ($2::uuid IS NULL OR series_id = $2) "
        "AND ($3::timestamptz IS NULL OR ends_at >= $3)"
    )
    order = "starts_at DESC, id" if newest_first else "starts_at, id"
    records = await conn.fetch(
        f"SELECT * FROM gatherings {where} ORDER BY {order} LIMIT $4 OFFSET $5",  # noqa: S608 - fixed text
        status,
        series_id,
        ending_after,
        limit,
        offset,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM gatherings {where}", status, series_id, ending_after)  # noqa: S608
    return many(Gathering, records), int(total)


async def lock_gathering(conn: Connection, gathering_id: uuid.UUID) -> Gathering | None:
    """Serialise the seat decisions of one gathering (who waits, who is offered a freed seat)."""
    record = await conn.fetchrow("SELECT * FROM gatherings WHERE id = $1 FOR UPDATE", gathering_id)
    return maybe(Gathering, record)


async def claim_begun_with_line(conn: Connection, limit: int) -> list[Gathering]:
    """Gatherings that have begun with people still in line (or offered a seat), locked for their
    line to close; skipping any another transaction holds."""
    records = await conn.fetch(
        "SELECT * FROM gatherings g WHERE starts_at <= now() AND EXISTS (SELECT 1 FROM waitlist w "
        "WHERE w.gathering_id = g.id AND w.status IN ('waiting', 'offered')) "
        "LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return many(Gathering, records)


async def take_seat(conn: Connection, gathering_id: uuid.UUID) -> Gathering | None:
    """Take one seat if the gathering is open and not full (domain.seat_or_line's rule, applied
    atomically under concurrency); None when it is full or not open."""
    record = await conn.fetchrow(
        "UPDATE gatherings SET seats_taken = seats_taken + 1 "
        "WHERE id = $1 AND status = 'open' AND seats_taken < capacity RETURNING *",
        gathering_id,
    )
    return maybe(Gathering, record)


async def release_seat(conn: Connection, gathering_id: uuid.UUID, count: int = 1) -> None:
    await conn.execute(
        "UPDATE gatherings SET seats_taken = seats_taken - $2 WHERE id = $1", gathering_id, count
    )


async def next_revision(conn: Connection, gathering_id: uuid.UUID) -> Gathering:
    """Count one more change of the gathering, for the event about to tell it (same transaction)."""
    record = await conn.fetchrow(
        "UPDATE gatherings SET revision = revision + 1 WHERE id = $1 RETURNING *", gathering_id
    )
    return one(Gathering, record)


async def replace_ticket_types(conn: Connection, gathering_id: uuid.UUID, types: list[TicketType]) -> None:
    await conn.execute("DELETE FROM ticket_types WHERE gathering_id = $1", gathering_id)
    await conn.executemany(
        "INSERT INTO ticket_types (gathering_id, kind, price_cents, currency) VALUES ($1, $2, $3, $4)",
        [(gathering_id, t.kind, t.price_cents, t.currency) for t in types],
    )


async def offer(conn: Connection, gathering_id: uuid.UUID) -> Offer | None:
    """The gathering, its ticket types and whether it has breakouts, in one statement (a
    purchase's first; its round trips are what a purchase costs)."""
    record = await conn.fetchrow(
        "SELECT g.*, t.kinds, t.prices, t.currencies, "
        "EXISTS (SELECT 1 FROM breakouts b WHERE b.gathering_id = g.id) AS has_breakouts "
        "FROM gatherings g, LATERAL (SELECT array_agg(kind ORDER BY kind) AS kinds, "
        "array_agg(price_cents ORDER BY kind) AS prices, array_agg(currency ORDER BY kind) AS currencies "
        "FROM ticket_types WHERE gathering_id = g.id) t WHERE g.id = $1",
        gathering_id,
    )
    if record is None:
        return None
    types = zip(record["kinds"] or [], record["prices"] or [], record["currencies"] or [], strict=True)
    return Offer(one(Gathering, record), [TicketType(*t) for t in types], record["has_breakouts"])


async def ticket_types(conn: Connection, gathering_id: uuid.UUID) -> list[TicketType]:
    records = await conn.fetch(
        "SELECT kind, price_cents, currency FROM ticket_types WHERE gathering_id = $1 ORDER BY kind",
        gathering_id,
    )
    return many(TicketType, records)


async def insert_series(
    conn: Connection, title_en: str, title_fr: str, cadence: str, by: uuid.UUID | None
) -> Series:
    record = await conn.fetchrow(
        "INSERT INTO series (id, title_en, title_fr, cadence, created_by) VALUES ($1, $2, $3, $4, $5) "
        "RETURNING *",
        uuid.uuid4(),
        title_en,
        title_fr,
        cadence,
        by,
    )
    return one(Series, record)


async def get_series(conn: Connection, series_id: uuid.UUID) -> Series | None:
    return maybe(Series, await conn.fetchrow("SELECT * FROM series WHERE id = $1", series_id))
