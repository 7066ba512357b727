"""Formation proposals, as staff review, edit and publish them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from hearth_shared.db import Connection

from ..domain import proposals
from ..domain.formation import Formation, Remainder
from ..domain.kinds import Kind


@dataclass(frozen=True)
class ProposalRow:
    id: uuid.UUID
    kind: Kind
    topic: str | None
    remainder: Remainder
    status: str
    formation: Formation
    created_at: datetime
    published_at: datetime | None
    created_by: uuid.UUID | None  # the staff member who asked for it
    edited_by: uuid.UUID | None  # the staff member who last moved, split or merged in it
    published_by: uuid.UUID | None  # the staff member who published it


def _row(r: asyncpg.Record) -> ProposalRow:
    return ProposalRow(
        r["id"],
        Kind(r["kind"]),
        r["topic"],
        Remainder(r["remainder"]),
        r["status"],
        proposals.from_document(json.loads(r["document"])),
        r["created_at"],
        r["published_at"],
        r["created_by"],
        r["edited_by"],
        r["published_by"],
    )


async def insert(
    conn: Connection,
    proposal_id: uuid.UUID,
    kind: Kind,
    topic: str | None,
    remainder: Remainder,
    formation: Formation,
    by: uuid.UUID | None,
) -> ProposalRow:
    created_at = await conn.fetchval(
        "INSERT INTO proposals (id, kind, topic, remainder, document, created_by) "
        "VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at",
        proposal_id,
        kind.value,
        topic,
        remainder.value,
        json.dumps(proposals.to_document(formation)),
        by,
    )
    return ProposalRow(
        proposal_id, kind, topic, remainder, "draft", formation, created_at, None, by, None, None
    )


async def get(conn: Connection, proposal_id: uuid.UUID, *, lock: bool = False) -> ProposalRow | None:
    query = "SELECT * FROM proposals WHERE id = $1"
    row = await conn.fetchrow(f"{query} FOR UPDATE" if lock else query, proposal_id)
    return _row(row) if row else None


async def save(conn: Connection, proposal_id: uuid.UUID, formation: Formation) -> None:
    """The proposal's groups as they now stand (an erasure's; an edit by staff: `edit`)."""
    await conn.execute(
        "UPDATE proposals SET document = $2 WHERE id = $1",
        proposal_id,
        json.dumps(proposals.to_document(formation)),
    )


async def edit(conn: Connection, proposal_id: uuid.UUID, formation: Formation, by: uuid.UUID | None) -> None:
    """Staff member `by` changed the proposal's groups (a move, split or merge)."""
    await conn.execute(
        "UPDATE proposals SET document = $2, edited_by = $3 WHERE id = $1",
        proposal_id,
        json.dumps(proposals.to_document(formation)),
        by,
    )


async def mark_published(conn: Connection, proposal_id: uuid.UUID, by: uuid.UUID | None) -> None:
    await conn.execute(
        "UPDATE proposals SET status = 'published', published_at = now(), published_by = $2 WHERE id = $1",
        proposal_id,
        by,
    )


async def erase_person(conn: Connection, person_id: uuid.UUID) -> None:
    """Take the person out of every proposal, draft or published."""
    rows = await conn.fetch(
        "SELECT * FROM proposals WHERE document::text LIKE '%' || $1 || '%' FOR UPDATE", str(person_id)
    )
    for row in rows:
        formation = _row(row).formation
        groups = tuple(
            g.__class__(
                g.kind, g.topic, g.language, g.region, tuple(m for m in g.members if m.person_id != person_id)
            )
            for g in formation.groups
        )
        pool = tuple(i for i in formation.left_in_pool if i.person_id != person_id)
        await save(conn, row["id"], Formation(groups, pool))
