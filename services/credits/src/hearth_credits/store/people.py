"""The people table: name, email and language of the people awards and certificates are for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from hearth_shared.db import Connection

from ..domain.people import Person

_COLUMNS = "id, name, email, language, erased_at"


async def upsert(conn: Connection, people: Iterable[Person]) -> None:
    """Keep the latest name, email and language (never bringing back an erased person's); of
    several records of one person, the last counts."""
    latest = sorted({p.id: p for p in people}.values(), key=lambda p: p.id)
    if not latest:
        return
    await conn.execute(
        """INSERT INTO people (id, name, email, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
               language = EXCLUDED.language
           WHERE people.erased_at IS NULL""",
        [p.id for p in latest],
        [p.name for p in latest],
        [p.email for p in latest],
        [p.language for p in latest],
    )


async def get(conn: Connection, person_id: uuid.UUID) -> Person | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM people WHERE id = $1", person_id)  # noqa: S608
    return Person(**dict(row)) if row else None


async def fetch(conn: Connection, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM people WHERE id = ANY($1::uuid[])",  # noqa: S608
        list(set(person_ids)),
    )
    return {r["id"]: Person(**dict(r)) for r in rows}


async def erase(conn: Connection, email: str) -> list[uuid.UUID]:
    """Blank the details of whoever has this email; return their ids."""
    rows = await conn.fetch(
        "UPDATE people SET name = NULL, email = NULL, erased_at = now() "
        "WHERE lower(email) = lower($1) RETURNING id",
        email,
    )
    return [r["id"] for r in rows]
