"""Erasure on registration's tables: the person's row pseudonymised, their free text and
import-report rows removed, and a tombstone so the membership register cannot bring them back."""

from __future__ import annotations

import uuid
from datetime import datetime

from hearth_shared.db import Connection

from ..domain.erasure import ERASED_NAME, email_digest, pseudonymous_email


async def erase(
    conn: Connection, email: str, member_id: str | None, requested_at: datetime
) -> uuid.UUID | None:
    """Pseudonymise whoever has this email (or member id); keep the tombstone even when nobody
    does. Return the erased person's id."""
    row = await conn.fetchrow(
        """SELECT id, member_id FROM people
           WHERE lower(email) = lower($1) OR ($2::text IS NOT NULL AND member_id = $2)
           ORDER BY (lower(email) = lower($1)) DESC LIMIT 1 FOR UPDATE""",
        email,
        member_id,
    )
    person_id = row["id"] if row else None
    await conn.execute(
        """INSERT INTO erasures (email_digest, person_id, member_id, requested_at)
           VALUES ($1, $2, $3, $4) ON CONFLICT (email_digest) DO UPDATE
               SET person_id = coalesce(EXCLUDED.person_id, erasures.person_id),
                   member_id = coalesce(EXCLUDED.member_id, erasures.member_id)""",
        email_digest(email),
        person_id,
        member_id or (row["member_id"] if row else None),
        requested_at,
    )
    await _forget_import_rows(conn, email)
    if person_id is not None:
        await _pseudonymise(conn, person_id)
    return person_id


async def _pseudonymise(conn: Connection, person_id: uuid.UUID) -> None:
    await conn.execute(
        """UPDATE people SET email = $2, name = $3, member_id = NULL, registration_number = NULL,
               profession = NULL, regulatory_body = NULL, region = NULL,
               erased_at = coalesce(erased_at, now()), updated_at = now()
           WHERE id = $1""",
        person_id,
        pseudonymous_email(person_id),
        ERASED_NAME,
    )
    await conn.execute("UPDATE feedback SET comments = NULL WHERE person_id = $1", person_id)


async def _forget_import_rows(conn: Connection, email: str) -> None:
    """Rows of attendance reports that named this email (an import keeps the rows it could not
    use, with the address as written) keep their line and reason, not the address."""
    await conn.execute(
        """UPDATE attendance_imports SET errors = (
               SELECT jsonb_agg(CASE WHEN strpos(lower(e::text), lower($1)) > 0
                                     THEN jsonb_build_object('line', e -> 'line', 'erased', true,
                                              'reason', 'erased at the person''s request')
                                     ELSE e END ORDER BY n)
               FROM jsonb_array_elements(errors) WITH ORDINALITY AS x(e, n))
           WHERE strpos(lower(errors::text), lower($1)) > 0""",
        email,
    )


async def is_erased(conn: Connection, email: str, member_id: str | None) -> bool:
    """Whether an erasure named this email or member id."""
    return bool(
        await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM erasures
                              WHERE email_digest = $1 OR ($2::text IS NOT NULL AND member_id = $2))""",
            email_digest(email),
            member_id,
        )
    )
