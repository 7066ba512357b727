"""The interest pool: open entries (one per person, kind and topic), placed or withdrawn ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from hearth_shared.db import Connection

from ..domain.formation import Interest
from ..domain.kinds import Kind


@dataclass(frozen=True)
class InterestRow:
    id: uuid.UUID
    interest: Interest
    gathering_id: uuid.UUID | None
    status: str
    group_id: uuid.UUID | None


def _row(r: asyncpg.Record) -> InterestRow:
    interest = Interest(
        r["expressed_at"], r["person_id"], Kind(r["kind"]), r["topic"], r["language"], r["region"]
    )
    return InterestRow(r["id"], interest, r["gathering_id"], r["status"], r["group_id"])


@dataclass(frozen=True)
class NewInterest:
    id: uuid.UUID
    interest: Interest
    gathering_id: uuid.UUID | None


async def add(conn: Connection, entries: Sequence[NewInterest]) -> int:
    """Add to the pool (never an erased person); an open entry for the same person, kind and topic
    keeps the earlier time."""
    result = await conn.execute(
        """INSERT INTO interests (id, person_id, kind, topic, language, region, gathering_id, expressed_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
                                $7::uuid[], $8::timestamptz[]) AS i(id, p, k, t, l, r, g, at)
           WHERE NOT EXISTS (SELECT 1 FROM erased_people x WHERE x.person_id = i.p)
           ON CONFLICT (person_id, kind, topic) WHERE status = 'open'
           DO UPDATE SET expressed_at = least(interests.expressed_at, EXCLUDED.expressed_at)""",
        [e.id for e in entries],
        [e.interest.person_id for e in entries],
        [e.interest.kind.value for e in entries],
        [e.interest.topic for e in entries],
        [e.interest.language for e in entries],
        [e.interest.region for e in entries],
        [e.gathering_id for e in entries],
        [e.interest.expressed_at for e in entries],
    )
    return int(result.split()[-1])


async def open_entry(conn: Connection, person_id: uuid.UUID, kind: Kind, topic: str) -> InterestRow | None:
    row = await conn.fetchrow(
        "SELECT * FROM interests WHERE person_id = $1 AND kind = $2 AND topic = $3 AND status = 'open'",
        person_id,
        kind.value,
        topic,
    )
    return _row(row) if row else None


async def get(conn: Connection, interest_id: uuid.UUID) -> InterestRow | None:
    row = await conn.fetchrow("SELECT * FROM interests WHERE id = $1", interest_id)
    return _row(row) if row else None


async def pool(conn: Connection, kind: Kind, topic: str | None, *, lock: bool = False) -> list[InterestRow]:
    """The open entries of a kind (and topic, when given), in the pool's order."""
    query = (
        "SELECT * FROM interests WHERE status = 'open' AND kind = $1 AND ($2::text IS NULL OR topic = $2) "
        "ORDER BY expressed_at, person_id"
    )
    rows = await conn.fetch(f"{query} FOR UPDATE" if lock else query, kind.value, topic)
    return [_row(r) for r in rows]


async def from_gathering(
    conn: Connection, gathering_id: uuid.UUID, kind: Kind, topic: str, language: str
) -> list[InterestRow]:
    """Open interest of one kind, topic and language expressed at one gathering (in its feedback:
    only those who said yes to following up are there)."""
    rows = await conn.fetch(
        "SELECT * FROM interests WHERE status = 'open' AND gathering_id = $1 AND kind = $2 AND topic = $3 "
        "AND language = $4 ORDER BY expressed_at, person_id",
        gathering_id,
        kind.value,
        topic,
        language,
    )
    return [_row(r) for r in rows]


async def of_person(conn: Connection, person_id: uuid.UUID) -> list[InterestRow]:
    rows = await conn.fetch(
        "SELECT * FROM interests WHERE person_id = $1 AND status = 'open' ORDER BY expressed_at", person_id
    )
    return [_row(r) for r in rows]


async def withdraw(conn: Connection, interest_id: uuid.UUID) -> bool:
    done = await conn.execute(
        "UPDATE interests SET status = 'withdrawn' WHERE id = $1 AND status = 'open'", interest_id
    )
    return done.endswith(" 1")


async def mark_placed_many(
    conn: Connection, placed: Sequence[tuple[Kind, str, uuid.UUID, uuid.UUID]]
) -> None:
    """(kind, topic, person, group): the person's open interest of that kind and topic is placed."""
    await conn.execute(
        "UPDATE interests i SET status = 'placed', group_id = t.g "
        "FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[]) AS t (k, topic, p, g) "
        "WHERE i.status = 'open' AND i.kind = t.k AND i.topic = t.topic AND i.person_id = t.p",
        [k.value for k, _, _, _ in placed],
        [topic for _, topic, _, _ in placed],
        [p for _, _, p, _ in placed],
        [g for _, _, _, g in placed],
    )


async def erase_person(conn: Connection, person_id: uuid.UUID) -> None:
    await conn.execute("DELETE FROM interests WHERE person_id = $1", person_id)
