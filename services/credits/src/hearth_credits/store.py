"""asyncpg queries on the credits schema, one function per query, the caller owning the transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from hearth_shared.contracts.catalogue import Attendee, GatheringScheduled
from hearth_shared.db import Connection


async def lock_activity(conn: Connection, activity_id: uuid.UUID) -> None:
    """Serialise everything that touches one activity's awards until the transaction ends: its
    policy and its attendance arrive on different queues, and each must see the other's commit."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))", str(activity_id))


async def upsert_activity(conn: Connection, gathering: GatheringScheduled) -> None:
    await conn.execute(
        """INSERT INTO activities (id, title_en, title_fr, starts_at, length_minutes, time_zone, policy)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
           ON CONFLICT (id) DO UPDATE SET title_en = EXCLUDED.title_en, title_fr = EXCLUDED.title_fr,
               starts_at = EXCLUDED.starts_at, length_minutes = EXCLUDED.length_minutes,
               time_zone = EXCLUDED.time_zone, policy = EXCLUDED.policy""",
        gathering.gathering_id,
        gathering.title.en,
        gathering.title.fr,
        gathering.starts_at,
        int((gathering.ends_at - gathering.starts_at).total_seconds() // 60),
        gathering.time_zone,
        gathering.credit_policy.model_dump_json() if gathering.credit_policy else None,
    )


async def cancel_activity(conn: Connection, activity_id: uuid.UUID) -> None:
    await conn.execute("UPDATE activities SET cancelled = true WHERE id = $1", activity_id)


async def activity(conn: Connection, activity_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM activities WHERE id = $1", activity_id)


async def upsert_person(conn: Connection, attendee: Attendee) -> None:
    """Keep the latest name, email and language (never bringing back an erased person's)."""
    await conn.execute(
        """INSERT INTO people (id, name, email, language) VALUES ($1, $2, $3, $4)
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
               language = EXCLUDED.language
           WHERE people.erased_at IS NULL""",
        attendee.person_id,
        attendee.name,
        attendee.email,
        attendee.language,
    )


async def person(conn: Connection, person_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id)


async def erase_person(conn: Connection, email: str) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "UPDATE people SET name = NULL, email = NULL, erased_at = now() "
        "WHERE lower(email) = lower($1) RETURNING id",
        email,
    )
    return [r["id"] for r in rows]


async def keep_attendance(
    conn: Connection,
    attendance_id: uuid.UUID,
    activity_id: uuid.UUID,
    person_id: uuid.UUID,
    minutes: int,
    revision: int,
) -> bool:
    """Store this revision unless a newer one is already here; True when it was stored."""
    stored = await conn.fetchval(
        """INSERT INTO attendance (id, activity_id, person_id, minutes_attended, revision)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (activity_id, person_id) DO UPDATE
               SET minutes_attended = EXCLUDED.minutes_attended, revision = EXCLUDED.revision
               WHERE attendance.revision < EXCLUDED.revision
           RETURNING true""",
        attendance_id,
        activity_id,
        person_id,
        minutes,
        revision,
    )
    return bool(stored)


async def attendance_of(
    conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM attendance WHERE activity_id = $1 AND person_id = $2", activity_id, person_id
    )


async def attendees_of(conn: Connection, activity_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT person_id FROM attendance WHERE activity_id = $1", activity_id)
    return [r["person_id"] for r in rows]


async def lock_standing(conn: Connection, person_id: uuid.UUID, activity_id: uuid.UUID) -> asyncpg.Record:
    """The current award for this person and activity, locked (created empty the first time)."""
    await conn.execute(
        "INSERT INTO standing (person_id, activity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        person_id,
        activity_id,
    )
    row = await conn.fetchrow(
        "SELECT * FROM standing WHERE person_id = $1 AND activity_id = $2 FOR UPDATE", person_id, activity_id
    )
    assert row is not None
    return row


async def set_standing(
    conn: Connection,
    person_id: uuid.UUID,
    activity_id: uuid.UUID,
    entry_id: uuid.UUID | None,
    hours: Decimal,
    category: str | None,
    cycle: str | None,
) -> None:
    await conn.execute(
        "UPDATE standing SET entry_id = $3, hours = $4, category = $5, cycle = $6 "
        "WHERE person_id = $1 AND activity_id = $2",
        person_id,
        activity_id,
        entry_id,
        hours,
        category,
        cycle,
    )


async def append_entry(
    conn: Connection,
    *,
    person_id: uuid.UUID,
    activity_id: uuid.UUID,
    kind: str,
    hours: Decimal,
    category: str,
    cycle: str,
    basis: str,
    reverses: uuid.UUID | None = None,
) -> uuid.UUID:
    entry_id = uuid.uuid4()
    await conn.execute(
        """INSERT INTO ledger (id, person_id, activity_id, kind, hours, category, cycle, reverses, basis)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        entry_id,
        person_id,
        activity_id,
        kind,
        hours,
        category,
        cycle,
        reverses,
        basis,
    )
    return entry_id


async def ledger(conn: Connection, person_id: uuid.UUID, cycle: str | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT l.*, coalesce(a.title_en, s.title) AS title_en, coalesce(a.title_fr, s.title) AS title_fr,
                  coalesce(a.starts_at::date, s.activity_date) AS activity_date
           FROM ledger l LEFT JOIN activities a ON a.id = l.activity_id
                LEFT JOIN self_reports s ON s.id = l.activity_id
           WHERE l.person_id = $1 AND ($2::text IS NULL OR l.cycle = $2) ORDER BY l.seq""",
        person_id,
        cycle,
    )


async def hours_in_cycle(conn: Connection, person_id: uuid.UUID, cycle: str) -> Decimal:
    total = await conn.fetchval(
        "SELECT coalesce(sum(hours), 0) FROM ledger WHERE person_id = $1 AND cycle = $2", person_id, cycle
    )
    return Decimal(total)


async def feedback_given(conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT true FROM feedback_given WHERE activity_id = $1 AND person_id = $2",
            activity_id,
            person_id,
        )
    )


async def record_feedback(conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO feedback_given (activity_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        activity_id,
        person_id,
    )


async def valid_certificate(
    conn: Connection, person_id: uuid.UUID, activity_id: uuid.UUID
) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM certificates WHERE person_id = $1 AND activity_id = $2 AND revoked_at IS NULL",
        person_id,
        activity_id,
    )


async def insert_certificate(
    conn: Connection,
    *,
    code: str,
    entry_id: uuid.UUID,
    person_id: uuid.UUID,
    activity_id: uuid.UUID,
    hours: Decimal,
    language: str,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO certificates (id, code, entry_id, person_id, activity_id, hours, language)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        uuid.uuid4(),
        code,
        entry_id,
        person_id,
        activity_id,
        hours,
        language,
    )
    assert row is not None
    return row


async def revoke_certificates(
    conn: Connection, person_id: uuid.UUID, activity_id: uuid.UUID, reason: str
) -> None:
    await conn.execute(
        "UPDATE certificates SET revoked_at = now(), revoked_reason = $3 "
        "WHERE person_id = $1 AND activity_id = $2 AND revoked_at IS NULL",
        person_id,
        activity_id,
        reason,
    )


async def certificate(conn: Connection, code: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT c.*, a.title_en, a.title_fr, a.starts_at, a.time_zone, p.name, p.erased_at, l.category
           FROM certificates c JOIN activities a ON a.id = c.activity_id
                JOIN ledger l ON l.id = c.entry_id
                LEFT JOIN people p ON p.id = c.person_id
           WHERE c.code = $1""",
        code,
    )


async def insert_self_report(
    conn: Connection,
    person_id: uuid.UUID,
    title: str,
    category: str,
    hours: Decimal,
    day: date,
    evidence: str,
) -> asyncpg.Record:
    row = await conn.fetchrow(
        """INSERT INTO self_reports (id, person_id, title, category, hours, activity_date, evidence)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *""",
        uuid.uuid4(),
        person_id,
        title,
        category,
        hours,
        day,
        evidence,
    )
    assert row is not None
    return row


async def lock_self_report(conn: Connection, report_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM self_reports WHERE id = $1 FOR UPDATE", report_id)


async def decide_self_report(
    conn: Connection, report_id: uuid.UUID, status: str, reason: str | None, decided_at: datetime
) -> asyncpg.Record:
    row = await conn.fetchrow(
        "UPDATE self_reports SET status = $2, decision_reason = $3, decided_at = $4 "
        "WHERE id = $1 RETURNING *",
        report_id,
        status,
        reason,
        decided_at,
    )
    assert row is not None
    return row


async def self_reports(
    conn: Connection, *, status: str | None, person_id: uuid.UUID | None
) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM self_reports WHERE ($1::text IS NULL OR status = $1) "
        "AND ($2::uuid IS NULL OR person_id = $2) ORDER BY submitted_at",
        status,
        person_id,
    )
