"""Recipients (who people are) and their preferences (what they chose to hear)."""

from __future__ import annotations

import uuid
from datetime import datetime

from hearth_shared.db import Connection

from ..domain.people import Person
from ..domain.preferences import Digest, Preferences


async def remember(conn: Connection, people: list[Person], *, known_at: list[datetime] | None = None) -> None:
    """Keep each person's newest name, address and language (of several, the last; in one row
    order, so concurrent batches never deadlock) — never an erased person's. `known_at`: when
    each event said so, which tells a fact from before an erasure request (see `block_late`)."""
    if known_at is not None:
        await block_late(conn, people, known_at)
    latest = {r.person_id: r for r in people if r.person_id is not None}
    known = [latest[p] for p in sorted(latest)]
    if not known:
        return
    await conn.execute(
        """INSERT INTO recipients (person_id, name, email, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS r(p, n, e, l)
           WHERE NOT EXISTS (SELECT 1 FROM erased_people x WHERE x.person_id = r.p)
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
    """Whom to write to, in the language they chose (else the one events gave)."""
    rows = await conn.fetch(
        "SELECT r.person_id, r.name, r.email, coalesce(p.language, r.language) AS language "
        "FROM recipients r LEFT JOIN preferences p USING (person_id) WHERE r.person_id = ANY($1::uuid[])",
        person_ids,
    )
    return {r["person_id"]: Person(r["person_id"], r["name"], r["email"], r["language"]) for r in rows}


async def preferences(conn: Connection, person_ids: list[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
    """The choices of each person who set any."""
    rows = await conn.fetch(
        "SELECT person_id, opted_out, digest, language FROM preferences WHERE person_id = ANY($1::uuid[])",
        person_ids,
    )
    return {
        r["person_id"]: Preferences(frozenset(r["opted_out"]), Digest(r["digest"]), r["language"])
        for r in rows
    }


async def set_preferences(conn: Connection, person_id: uuid.UUID, chosen: Preferences) -> None:
    await conn.execute(
        """INSERT INTO preferences (person_id, opted_out, digest, language) VALUES ($1, $2, $3, $4)
           ON CONFLICT (person_id) DO UPDATE SET opted_out = excluded.opted_out,
               digest = excluded.digest, language = excluded.language, updated_at = now()""",
        person_id,
        sorted(chosen.opted_out),
        str(chosen.digest),
        chosen.language,
    )


async def opt_out(conn: Connection, person_id: uuid.UUID, category: str) -> None:
    """One more category opted out of (a one-click unsubscribe: repeating it changes nothing)."""
    await conn.execute(
        """INSERT INTO preferences (person_id, opted_out) VALUES ($1, ARRAY[$2::text])
           ON CONFLICT (person_id) DO UPDATE SET
               opted_out = ARRAY(SELECT DISTINCT c FROM unnest(preferences.opted_out || $2::text) AS c
                                 ORDER BY 1),
               updated_at = now()""",
        person_id,
        category,
    )


_DIGEST = "encode(sha256(convert_to(lower(btrim({})), 'UTF8')), 'hex')"


async def block_late(conn: Connection, people: list[Person], known_at: list[datetime]) -> None:
    """Tombstone the person ids that events dated before an erasure request name with the erased
    address (the events were late, or replayed): from now on they are erased too."""
    await conn.execute(
        f"""INSERT INTO erased_people (person_id)
            SELECT DISTINCT u.p FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(p, e, at)
                JOIN erased_addresses a ON a.email_digest = {_DIGEST.format("u.e")}
            WHERE u.p IS NOT NULL AND u.at <= a.requested_at
            ON CONFLICT (person_id) DO NOTHING""",  # noqa: S608 (a constant, no input)
        [p.person_id for p in people],
        [p.email for p in people],
        known_at,
    )


async def erase(conn: Connection, email: str, requested_at: datetime) -> int:
    """Forget a person's details and keep tombstones (their id, a digest of the address); their
    delivery log keeps the facts (template, status, times), not the content. Return how many
    person ids were erased."""
    await conn.execute(
        f"""INSERT INTO erased_addresses (email_digest, requested_at) VALUES ({_DIGEST.format("$1")}, $2)
            ON CONFLICT (email_digest) DO UPDATE
                SET requested_at = greatest(erased_addresses.requested_at, EXCLUDED.requested_at)""",  # noqa: S608
        email,
        requested_at,
    )
    ids = await conn.fetch(
        """INSERT INTO erased_people (person_id)
           SELECT person_id FROM recipients WHERE lower(email) = lower($1)
           UNION SELECT person_id FROM deliveries
                 WHERE lower(to_address) = lower($1) AND person_id IS NOT NULL
           ON CONFLICT (person_id) DO UPDATE SET erased_at = erased_people.erased_at
           RETURNING person_id""",
        email,
    )
    erased = [r["person_id"] for r in ids]
    await conn.execute("DELETE FROM recipients WHERE person_id = ANY($1::uuid[])", erased)
    await conn.execute("DELETE FROM preferences WHERE person_id = ANY($1::uuid[])", erased)
    await _blank_deliveries(conn, email, erased)
    return len(erased)


async def _blank_deliveries(conn: Connection, email: str, erased: list[uuid.UUID]) -> None:
    """Unsent emails are not sent; every one keeps its metadata, not its address or content."""
    await conn.execute(
        """UPDATE deliveries SET status = CASE WHEN status IN ('pending', 'sending', 'held')
                                                THEN 'failed' ELSE status END,
               last_error = CASE WHEN status IN ('pending', 'sending', 'held')
                                      OR strpos(lower(last_error), lower($1)) > 0
                                 THEN 'erased at the person''s request' ELSE last_error END,
               to_address = 'erased', subject = '', body_text = '', body_html = '', calendar = NULL,
               unsubscribe_url = NULL
           WHERE lower(to_address) = lower($1) OR person_id = ANY($2::uuid[])""",
        email,
        erased,
    )
