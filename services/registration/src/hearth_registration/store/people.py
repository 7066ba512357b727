"""People: members from the membership register and those who register themselves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hearth_shared.contracts.catalogue import Language, MemberUpserted
from hearth_shared.db import Connection

from .rows import maybe, one


@dataclass(frozen=True)
class Person:
    id: uuid.UUID
    email: str
    name: str
    preferred_language: Language
    member_id: str | None
    registration_number: str | None
    membership_status: str | None  # None: not on the membership register
    member_changed_at: datetime | None
    profession: str | None
    regulatory_body: str | None
    region: str | None
    updated_at: datetime


async def upsert_person(
    conn: Connection,
    *,
    email: str,
    name: str,
    language: str,
    profession: str | None = None,
    regulatory_body: str | None = None,
    region: str | None = None,
) -> Person:
    """The person with this email: created with what they told us, or as we know them already.

    Whoever types an email into a registration form proves nothing about owning it, so an existing
    person's name, language and membership stay as they are (the register, or the person through
    a signed link, changes those); what they attest fills only what we did not know yet."""
    record = await conn.fetchrow(
        """INSERT INTO people (id, email, name, preferred_language, profession, regulatory_body, region)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT ((lower(email))) DO UPDATE
               SET profession = coalesce(people.profession, EXCLUDED.profession),
                   regulatory_body = coalesce(people.regulatory_body, EXCLUDED.regulatory_body),
                   region = coalesce(people.region, EXCLUDED.region)
           RETURNING *""",
        uuid.uuid4(),
        email,
        name,
        language,
        profession,
        regulatory_body,
        region,
    )
    return one(Person, record)


async def upsert_member(conn: Connection, member: MemberUpserted) -> None:
    """Apply the register's view of a member, unless this person holds a newer one already.
    The email is the person's identity."""
    await conn.execute(
        """INSERT INTO people (id, email, name, preferred_language, member_id,
                               registration_number, membership_status, member_changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT ((lower(email))) DO UPDATE
               SET name = EXCLUDED.name, preferred_language = EXCLUDED.preferred_language,
                   member_id = EXCLUDED.member_id,
                   registration_number = EXCLUDED.registration_number,
                   membership_status = EXCLUDED.membership_status,
                   member_changed_at = EXCLUDED.member_changed_at, updated_at = now()
               WHERE people.member_changed_at IS NULL
                  OR people.member_changed_at < EXCLUDED.member_changed_at""",
        uuid.uuid4(),
        member.email.lower(),
        member.name,
        member.preferred_language,
        member.member_id,
        member.registration_number,
        member.status.value,
        member.changed_at,
    )


async def get_person(conn: Connection, person_id: uuid.UUID) -> Person:
    return one(Person, await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id))


async def get_person_or_none(conn: Connection, person_id: uuid.UUID) -> Person | None:
    return maybe(Person, await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id))


async def person_by_email(conn: Connection, email: str) -> Person | None:
    return maybe(Person, await conn.fetchrow("SELECT * FROM people WHERE lower(email) = lower($1)", email))
