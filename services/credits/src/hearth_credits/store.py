"""asyncpg queries on the credits schema, one function per query, the caller owning the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from hearth_shared.contracts.catalogue import AttendanceRecorded, Attendee, GatheringScheduled
from hearth_shared.db import Connection

Pair = tuple[uuid.UUID, uuid.UUID]
"""An activity and a person: the unit the ledger keeps one standing award for."""


async def lock_activities(
    conn: Connection, activity_ids: Iterable[uuid.UUID], *, shared: bool = False
) -> None:
    """Serialise what touches these activities' awards until the transaction ends: a policy (or
    feedback) and the attendance it applies to arrive on different queues, and each must see the
    other's commit. Attendance takes the lock `shared`: batches of attendance for one activity run
    side by side (the standing rows order them), while a policy or feedback waits for them and
    they for it. Locks are taken in id order, so two transactions never wait in a circle."""
    lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(
        f"SELECT {lock}(hashtextextended(id::text, 0)) FROM unnest($1::uuid[]) AS id",  # noqa: S608
        sorted(set(activity_ids)),
    )


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


async def activities(conn: Connection, activity_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM activities WHERE id = ANY($1::uuid[])", list(set(activity_ids)))
    return {r["id"]: r for r in rows}


async def upsert_people(conn: Connection, attendees: Iterable[Attendee]) -> None:
    """Keep the latest name, email and language (never bringing back an erased person's); of
    several records of one person, the last counts."""
    latest = sorted({a.person_id: a for a in attendees}.values(), key=lambda a: a.person_id)
    if not latest:
        return
    await conn.execute(
        """INSERT INTO people (id, name, email, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
           ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
               language = EXCLUDED.language
           WHERE people.erased_at IS NULL""",
        [a.person_id for a in latest],
        [a.name for a in latest],
        [str(a.email) for a in latest],
        [a.language for a in latest],
    )


async def person(conn: Connection, person_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM people WHERE id = $1", person_id)


async def people(conn: Connection, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM people WHERE id = ANY($1::uuid[])", list(set(person_ids)))
    return {r["id"]: r for r in rows}


async def erase_person(conn: Connection, email: str) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "UPDATE people SET name = NULL, email = NULL, erased_at = now() "
        "WHERE lower(email) = lower($1) RETURNING id",
        email,
    )
    return [r["id"] for r in rows]


async def keep_attendance(conn: Connection, records: Iterable[AttendanceRecorded]) -> set[Pair]:
    """Store each record's revision unless a newer one is already here (of several for one
    activity and person, the highest revision); return the pairs whose attendance changed."""
    newest: dict[Pair, AttendanceRecorded] = {}
    for r in records:
        pair = (r.gathering_id, r.person_id)
        if pair not in newest or newest[pair].revision <= r.revision:
            newest[pair] = r
    ordered = [newest[pair] for pair in sorted(newest)]  # one row order for concurrent batches
    rows = await conn.fetch(
        """INSERT INTO attendance (id, activity_id, person_id, minutes_attended, revision)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::int[])
           ON CONFLICT (activity_id, person_id) DO UPDATE
               SET minutes_attended = EXCLUDED.minutes_attended, revision = EXCLUDED.revision
               WHERE attendance.revision < EXCLUDED.revision
           RETURNING activity_id, person_id""",
        [r.attendance_id for r in ordered],
        [r.gathering_id for r in ordered],
        [r.person_id for r in ordered],
        [r.minutes_attended for r in ordered],
        [r.revision for r in ordered],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


async def attendance_of(conn: Connection, pairs: list[Pair]) -> dict[Pair, asyncpg.Record]:
    rows = await conn.fetch(
        """SELECT a.* FROM attendance a
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]): r for r in rows}


async def attendees_of(conn: Connection, activity_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT person_id FROM attendance WHERE activity_id = $1", activity_id)
    return [r["person_id"] for r in rows]


async def lock_standings(conn: Connection, pairs: list[Pair]) -> dict[Pair, asyncpg.Record]:
    """The current award of each pair, locked (created empty the first time), in a fixed order."""
    ordered = sorted(set(pairs))
    activity_ids, person_ids = [a for a, _ in ordered], [p for _, p in ordered]
    await conn.execute(
        "INSERT INTO standing (activity_id, person_id) SELECT * FROM unnest($1::uuid[], $2::uuid[]) "
        "ON CONFLICT DO NOTHING",
        activity_ids,
        person_ids,
    )
    rows = await conn.fetch(
        """SELECT s.* FROM standing s
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)
           ORDER BY s.activity_id, s.person_id FOR UPDATE OF s""",
        activity_ids,
        person_ids,
    )
    return {(r["activity_id"], r["person_id"]): r for r in rows}


@dataclass(frozen=True)
class Standing:
    """What stands for a pair after a change: an award entry (or nothing, with zero hours)."""

    activity_id: uuid.UUID
    person_id: uuid.UUID
    entry_id: uuid.UUID | None
    hours: Decimal
    category: str | None
    cycle: str | None


async def set_standings(conn: Connection, standings: list[Standing]) -> None:
    if not standings:
        return
    await conn.execute(
        """UPDATE standing s
           SET entry_id = n.entry_id, hours = n.hours, category = n.category, cycle = n.cycle
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::numeric[], $5::text[], $6::text[])
                AS n(activity_id, person_id, entry_id, hours, category, cycle)
           WHERE s.activity_id = n.activity_id AND s.person_id = n.person_id""",
        [n.activity_id for n in standings],
        [n.person_id for n in standings],
        [n.entry_id for n in standings],
        [n.hours for n in standings],
        [n.category for n in standings],
        [n.cycle for n in standings],
    )


@dataclass(frozen=True)
class Entry:
    """A ledger line: an award, or the reversal of one (negative hours)."""

    person_id: uuid.UUID
    activity_id: uuid.UUID
    kind: str
    hours: Decimal
    category: str
    cycle: str
    basis: str
    reverses: uuid.UUID | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


async def append_entries(conn: Connection, entries: list[Entry]) -> None:
    """Append to the ledger, in the order given (its `seq` keeps that order)."""
    if not entries:
        return
    await conn.execute(
        """INSERT INTO ledger (id, person_id, activity_id, kind, hours, category, cycle, reverses, basis)
           SELECT e.id, e.person_id, e.activity_id, e.kind, e.hours, e.category, e.cycle, e.reverses, e.basis
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[], $6::text[],
                       $7::text[], $8::uuid[], $9::text[]) WITH ORDINALITY
                AS e(id, person_id, activity_id, kind, hours, category, cycle, reverses, basis, n)
           ORDER BY e.n""",
        [e.id for e in entries],
        [e.person_id for e in entries],
        [e.activity_id for e in entries],
        [e.kind for e in entries],
        [e.hours for e in entries],
        [e.category for e in entries],
        [e.cycle for e in entries],
        [e.reverses for e in entries],
        [e.basis for e in entries],
    )


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


async def feedback_given(conn: Connection, pairs: list[Pair]) -> set[Pair]:
    rows = await conn.fetch(
        """SELECT activity_id, person_id FROM feedback_given
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


async def record_feedback(conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "INSERT INTO feedback_given (activity_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        activity_id,
        person_id,
    )


async def certified(conn: Connection, pairs: list[Pair]) -> set[Pair]:
    """The pairs that hold a valid certificate."""
    rows = await conn.fetch(
        """SELECT activity_id, person_id FROM certificates
           JOIN unnest($1::uuid[], $2::uuid[]) AS p(activity_id, person_id) USING (activity_id, person_id)
           WHERE revoked_at IS NULL""",
        [a for a, _ in pairs],
        [p for _, p in pairs],
    )
    return {(r["activity_id"], r["person_id"]) for r in rows}


@dataclass(frozen=True)
class Certificate:
    code: str
    entry_id: uuid.UUID
    person_id: uuid.UUID
    activity_id: uuid.UUID
    hours: Decimal
    language: str
    id: uuid.UUID = field(default_factory=uuid.uuid4)


async def insert_certificates(conn: Connection, certificates: list[Certificate]) -> None:
    if not certificates:
        return
    await conn.execute(
        """INSERT INTO certificates (id, code, entry_id, person_id, activity_id, hours, language)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::uuid[], $5::uuid[],
                                $6::numeric[], $7::text[])""",
        [c.id for c in certificates],
        [c.code for c in certificates],
        [c.entry_id for c in certificates],
        [c.person_id for c in certificates],
        [c.activity_id for c in certificates],
        [c.hours for c in certificates],
        [c.language for c in certificates],
    )


async def revoke_certificates(conn: Connection, revoked: dict[Pair, str]) -> None:
    """Revoke each pair's valid certificate, with the reason given for it."""
    if not revoked:
        return
    await conn.execute(
        """UPDATE certificates c SET revoked_at = now(), revoked_reason = r.reason
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS r(activity_id, person_id, reason)
           WHERE c.activity_id = r.activity_id AND c.person_id = r.person_id AND c.revoked_at IS NULL""",
        [a for a, _ in revoked],
        [p for _, p in revoked],
        list(revoked.values()),
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
