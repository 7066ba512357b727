"""Recipients (who people are) and their preferences (what they chose to hear)."""

from __future__ import annotations

import uuid

from hearth_shared.db import Connection

from ..domain.people import Person
from ..domain.preferences import Preferences


async def remember(conn: Connection, people: list[Person]) -> None:
    """Keep each person's newest name, address and language (of several, the last; in one row
    order, so concurrent batches never deadlock)."""
    latest = {r.person_id: r for r in people if r.person_id is not None}
    known = [latest[p] for p in sorted(latest)]
    if not known:
        return
    await conn.execute(
        """INSERT INTO recipients (person_id, name, email, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
           ON CONFLICT (person_id) DO UPDATE SET name = excluded.name, email = excluded.email,
               language = excluded.language, updated_at = now()""",
        [r.person_id for r in known],
        [r.name for r in known],
        [r.email for r in known],
        [r.language for r in known],
    )


async def update_by_email(conn: Connection, email: str, name: str, language: str) -> None:
    """The membership register speaks of addresses, not person ids."""
    await conn.execute(
        "UPDATE recipients SET name = $2, language = $3, updated_at = now() WHERE lower(email) = lower($1)",
        email,
        name,
        language,
    )


async def find(conn: Connection, person_ids: list[uuid.UUID]) -> dict[uuid.UUID, Person]:
    rows = await conn.fetch(
        "SELECT person_id, name, email, language FROM recipients WHERE person_id = ANY($1::uuid[])",
        person_ids,
    )
    return {r["person_id"]: Person(r["person_id"], r["name"], r["email"], r["language"]) for r in rows}


async def preferences(conn: Connection, person_ids: list[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
    """The choices of each person who set any."""
    rows = await conn.fetch(
        "SELECT person_id, opted_out, group_digest FROM preferences WHERE person_id = ANY($1::uuid[])",
        person_ids,
    )
    return {r["person_id"]: Preferences(frozenset(r["opted_out"]), r["group_digest"]) for r in rows}


async def set_preferences(conn: Connection, person_id: uuid.UUID, chosen: Preferences) -> None:
    await conn.execute(
        """INSERT INTO preferences (person_id, opted_out, group_digest) VALUES ($1, $2, $3)
           ON CONFLICT (person_id) DO UPDATE SET opted_out = excluded.opted_out,
               group_digest = excluded.group_digest, updated_at = now()""",
        person_id,
        sorted(chosen.opted_out),
        chosen.group_digest,
    )


async def erase(conn: Connection, email: str) -> int:
    """Forget a person's details; their delivery log keeps the facts, not the content."""
    ids = await conn.fetch("DELETE FROM recipients WHERE lower(email) = lower($1) RETURNING person_id", email)
    await conn.execute("DELETE FROM preferences WHERE person_id = ANY($1::uuid[])", [r[0] for r in ids])
    await conn.execute(
        """UPDATE deliveries SET status = CASE WHEN status IN ('pending', 'sending', 'held')
                                                THEN 'failed' ELSE status END,
               last_error = CASE WHEN status IN ('pending', 'sending', 'held')
                                 THEN 'erased at the person''s request' ELSE last_error END,
               to_address = 'erased', subject = '', body_text = '', body_html = '', calendar = NULL
           WHERE lower(to_address) = lower($1)""",
        email,
    )
    return len(ids)
