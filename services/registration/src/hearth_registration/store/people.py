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


@dataclass(frozen=True)
class Registrant:
    """A buyer as a purchase finds them: the person (made, or as we know them already), whether
    they hold a place at the gathering already, and whether the purchase's Idempotency-Key was
    used before (then the first outcome is replayed)."""

    person: Person
    has_ticket: bool
    is_waiting: bool
    key_used: bool


async def upsert_registrant(
    conn: Connection,
    gathering_id: uuid.UUID,
    key: str | None,
    *,
    email: str,
    name: str,
    language: str,
    profession: str | None = None,
    regulatory_body: str | None = None,
    region: str | None = None,
) -> Registrant:
    """The person with this email, created with what they told us or as we know them already,
    with what a purchase checks next (one statement: a purchase's round trips are its cost).

    Whoever types an email into a registration form proves nothing about owning it, so an existing
    person's name, language and membership stay as they are (the register, or the person through
    a signed link, changes those); what they attest fills only what we did not know yet."""
    record = await conn.fetchrow(
        """WITH p AS (
                INSERT INTO people (id, email, name, preferred_language, profession, regulatory_body, region)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT ((lower(email))) DO UPDATE
                    SET profession = coalesce(people.profession, EXCLUDED.profession),
                        regulatory_body = coalesce(people.regulatory_body, EXCLUDED.regulatory_body),
                        region = coalesce(people.region, EXCLUDED.region)
                RETURNING *)
            SELECT p.*,
                EXISTS (SELECT 1 FROM tickets t WHERE t.gathering_id = $8 AND t.person_id = p.id
                        AND t.status IN ('active', 'awaiting_payment')) AS has_ticket,
                EXISTS (SELECT 1 FROM waitlist w WHERE w.gathering_id = $8 AND w.person_id = p.id
                        AND w.status IN ('waiting', 'offered')) AS is_waiting,
                ($9::text IS NOT NULL AND (EXISTS (SELECT 1 FROM tickets WHERE idempotency_key = $9)
                    OR EXISTS (SELECT 1 FROM waitlist WHERE idempotency_key = $9))) AS key_used
            FROM p""",
        uuid.uuid4(),
        email,
        name,
        language,
        profession,
        regulatory_body,
        region,
        gathering_id,
        key,
    )
    assert record is not None
    return Registrant(one(Person, record), record["has_ticket"], record["is_waiting"], record["key_used"])


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
