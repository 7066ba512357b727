"""The people table: name, email and language of the people awards and certificates are for."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from hearth_shared.db import Connection

from ..domain.people import Person

_COLUMNS = "id, name, email, language, erased_at"


async def upsert(conn: Connection, people: Sequence[Person], *, known_at: Sequence[datetime] = ()) -> None:
    """Keep the latest name, email and language (never bringing back an erased person's); of
    several records of one person, the last counts. `known_at`: when each record was published,
    which tells a record from before an erasure request (see `erase_late`)."""
    if known_at:
        await erase_late(conn, people, known_at)
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


_DIGEST = "encode(sha256(convert_to(lower(btrim({})), 'UTF8')), 'hex')"


async def erase_late(conn: Connection, people: Sequence[Person], known_at: Sequence[datetime]) -> None:
    """People that records dated before an erasure request name with the erased address (late or
    replayed records) are kept as erased: their id, no name, no email."""
    await conn.execute(
        f"""INSERT INTO people (id, language, erased_at)
            SELECT DISTINCT ON (u.id) u.id, u.language, now()
            FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[]) AS u(id, email, language, at)
                JOIN erased_addresses a ON a.email_digest = {_DIGEST.format("u.email")}
            WHERE u.at <= a.requested_at
            ON CONFLICT (id) DO UPDATE SET name = NULL, email = NULL,
                erased_at = coalesce(people.erased_at, now())""",  # noqa: S608 (a constant)
        [p.id for p in people],
        [p.email for p in people],
        [p.language for p in people],
        list(known_at),
    )


async def erase(conn: Connection, email: str, requested_at: datetime) -> list[uuid.UUID]:
    """Blank the details of whoever has this email, keep a tombstone of the address; return
    their ids."""
    await conn.execute(
        f"""INSERT INTO erased_addresses (email_digest, requested_at) VALUES ({_DIGEST.format("$1")}, $2)
            ON CONFLICT (email_digest) DO UPDATE
                SET requested_at = greatest(erased_addresses.requested_at, EXCLUDED.requested_at)""",  # noqa: S608
        email,
        requested_at,
    )
    rows = await conn.fetch(
        "UPDATE people SET name = NULL, email = NULL, erased_at = now() "
        "WHERE lower(email) = lower($1) RETURNING id",
        email,
    )
    return [r["id"] for r in rows]
