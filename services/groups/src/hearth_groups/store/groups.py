"""Groups and memberships (a person's place in a group)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import asyncpg

from hearth_shared.db import Connection

from ..domain.formation import Pair
from ..domain.kinds import Audience, JoinPolicy, Kind
from ..domain.membership import Place
from ..domain.visibility import Access


@dataclass(frozen=True)
class GroupRow:
    id: uuid.UUID
    kind: Kind
    topic: str
    name_en: str
    name_fr: str
    purpose: str
    language: str
    region: str | None
    time_zone: str
    rhythm: str | None
    min_size: int
    max_size: int
    join_policy: JoinPolicy
    existence_visibility: Audience
    roster_visibility: Audience
    facilitator_id: uuid.UUID | None
    proposal_id: uuid.UUID | None
    formed_size: int
    created_at: datetime
    created_by: uuid.UUID | None  # the staff member who formed it (by hand, or publishing a proposal)
    member_count: int = 0

    @property
    def access(self) -> Access:
        return Access(self.existence_visibility, self.roster_visibility, self.facilitator_id)


COLUMNS = [f.name for f in fields(GroupRow) if f.name not in ("member_count", "created_at")]
SELECT = (
    "SELECT g.*, (SELECT count(*) FROM memberships m WHERE m.group_id = g.id AND m.status = 'member') "
    "AS member_count FROM groups g"
)


def _row(r: asyncpg.Record) -> GroupRow:
    values = {f.name: r[f.name] for f in fields(GroupRow)}
    return GroupRow(
        **values
        | {
            "kind": Kind(r["kind"]),
            "join_policy": JoinPolicy(r["join_policy"]),
            "existence_visibility": Audience(r["existence_visibility"]),
            "roster_visibility": Audience(r["roster_visibility"]),
        }
    )


async def insert_many(conn: Connection, rows: Sequence[GroupRow]) -> None:
    placeholders = ", ".join(f"${n}" for n in range(1, len(COLUMNS) + 1))
    await conn.executemany(
        f"INSERT INTO groups ({', '.join(COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - fixed names
        [tuple(getattr(group, c) for c in COLUMNS) for group in rows],
    )


async def get(conn: Connection, group_id: uuid.UUID, *, lock: bool = False) -> GroupRow | None:
    if lock:
        await conn.execute("SELECT 1 FROM groups WHERE id = $1 FOR UPDATE", group_id)
    row = await conn.fetchrow(f"{SELECT} WHERE g.id = $1", group_id)
    return _row(row) if row else None


async def find(conn: Connection, *, kind: Kind | None = None, text: str | None = None) -> list[GroupRow]:
    """Every group (of a kind; whose name or purpose contains `text`), newest first. Whoever
    asks sees only what the visibility rules let them: the caller filters."""
    rows = await conn.fetch(
        f"{SELECT} WHERE ($1::text IS NULL OR g.kind = $1) AND ($2::text IS NULL OR "
        "g.name_en ILIKE '%' || $2 || '%' OR g.name_fr ILIKE '%' || $2 || '%' "
        "OR g.purpose ILIKE '%' || $2 || '%') ORDER BY g.created_at DESC, g.id",
        kind.value if kind else None,
        text,
    )
    return [_row(r) for r in rows]


async def member_ids(conn: Connection, group_id: uuid.UUID, place: Place = Place.MEMBER) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT person_id FROM memberships WHERE group_id = $1 AND status = $2 ORDER BY person_id",
        group_id,
        place.value,
    )
    return [r["person_id"] for r in rows]


async def groups_of(conn: Connection, person_id: uuid.UUID | None) -> set[uuid.UUID]:
    """The groups a person is a member of (none for nobody)."""
    if person_id is None:
        return set()
    rows = await conn.fetch(
        "SELECT group_id FROM memberships WHERE person_id = $1 AND status = 'member'", person_id
    )
    return {r["group_id"] for r in rows}


async def place_of(conn: Connection, group_id: uuid.UUID, person_id: uuid.UUID) -> Place | None:
    status = await conn.fetchval(
        "SELECT status FROM memberships WHERE group_id = $1 AND person_id = $2", group_id, person_id
    )
    return Place(status) if status else None


async def set_place(
    conn: Connection, group_id: uuid.UUID, person_ids: Iterable[uuid.UUID], place: Place, by: uuid.UUID | None
) -> None:
    await set_places(conn, [(group_id, p) for p in person_ids], place, by)


async def set_places(
    conn: Connection, places: Sequence[tuple[uuid.UUID, uuid.UUID]], place: Place, by: uuid.UUID | None
) -> None:
    """(group, person) pairs take `place`, set by staff member `by` (None: the person, or the
    group's facilitator)."""
    await conn.execute(
        "INSERT INTO memberships (group_id, person_id, status, changed_by) "
        "SELECT g, p, $3, $4 FROM unnest($1::uuid[], $2::uuid[]) AS t (g, p) "
        "ON CONFLICT (group_id, person_id) DO UPDATE SET status = EXCLUDED.status, changed_at = now(), "
        "changed_by = EXCLUDED.changed_by",
        [g for g, _ in places],
        [p for _, p in places],
        place.value,
        by,
    )


async def set_facilitator(conn: Connection, group_id: uuid.UUID, person_id: uuid.UUID | None) -> None:
    await conn.execute("UPDATE groups SET facilitator_id = $2 WHERE id = $1", group_id, person_id)


async def already_placed(
    conn: Connection, kind: Kind, person_ids: Sequence[uuid.UUID]
) -> set[tuple[uuid.UUID, Kind, str]]:
    """(person, kind, topic) of those already members of a group of this kind."""
    rows = await conn.fetch(
        "SELECT m.person_id, g.topic FROM memberships m JOIN groups g ON g.id = m.group_id "
        "WHERE g.kind = $1 AND m.status = 'member' AND m.person_id = ANY($2::uuid[])",
        kind.value,
        list(person_ids),
    )
    return {(r["person_id"], kind, r["topic"]) for r in rows}


async def past_pairs(conn: Connection, kind: Kind, person_ids: Sequence[uuid.UUID]) -> frozenset[Pair]:
    """Pairs of these people who were (or are) in a group of this kind together."""
    rows = await conn.fetch(
        "SELECT a.person_id AS a, b.person_id AS b FROM memberships a "
        "JOIN memberships b ON b.group_id = a.group_id AND b.person_id > a.person_id "
        "JOIN groups g ON g.id = a.group_id "
        "WHERE g.kind = $1 AND a.status IN ('member', 'left') AND b.status IN ('member', 'left') "
        "AND a.person_id = ANY($2::uuid[]) AND b.person_id = ANY($2::uuid[])",
        kind.value,
        list(person_ids),
    )
    return frozenset(frozenset((r["a"], r["b"])) for r in rows)


async def erase_person(conn: Connection, person_id: uuid.UUID) -> list[uuid.UUID]:
    """Remove every place of the person; return the groups they were a member of. Groups they
    facilitated have none until staff appoint another."""
    rows = await conn.fetch(
        "DELETE FROM memberships WHERE person_id = $1 RETURNING group_id, status", person_id
    )
    await conn.execute("UPDATE groups SET facilitator_id = NULL WHERE facilitator_id = $1", person_id)
    return sorted(r["group_id"] for r in rows if r["status"] == Place.MEMBER.value)
