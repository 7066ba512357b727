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
    )


async def insert(
    conn: Connection,
    proposal_id: uuid.UUID,
    kind: Kind,
    topic: str | None,
    remainder: Remainder,
    formation: Formation,
) -> ProposalRow:
    created_at = await conn.fetchval(
        "INSERT INTO proposals (id, kind, topic, remainder, document) "
        "VALUES ($1, $2, $3, $4, $5) RETURNING created_at",
        proposal_id,
        kind.value,
        topic,
        remainder.value,
        json.dumps(proposals.to_document(formation)),
    )
    return ProposalRow(proposal_id, kind, topic, remainder, "draft", formation, created_at, None)


async def get(conn: Connection, proposal_id: uuid.UUID, *, lock: bool = False) -> ProposalRow | None:
    query = "SELECT * FROM proposals WHERE id = $1"
    row = await conn.fetchrow(f"{query} FOR UPDATE" if lock else query, proposal_id)
    return _row(row) if row else None


async def save(conn: Connection, proposal_id: uuid.UUID, formation: Formation) -> None:
    await conn.execute(
        "UPDATE proposals SET document = $2 WHERE id = $1",
        proposal_id,
        json.dumps(proposals.to_document(formation)),
    )


async def mark_published(conn: Connection, proposal_id: uuid.UUID) -> None:
    await conn.execute(
        "UPDATE proposals SET status = 'published', published_at = now() WHERE id = $1", proposal_id
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
