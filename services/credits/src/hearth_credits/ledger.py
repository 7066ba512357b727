"""Keeping the ledger in step with what is known: for each person and activity, the hours the
rules give now. When they differ from the award standing, the standing award is reversed and the
new one appended (never an edit), all under a lock on that person and activity's standing row —
so however often, and in whatever order, attendance and the gathering's policy arrive, exactly one
award stands."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from hearth_shared.contracts.catalogue import (
    Attendee,
    Bilingual,
    CertificateIssued,
    CreditPolicy,
    CreditsAwarded,
    CreditsRevoked,
)
from hearth_shared.db import Connection
from hearth_shared.messaging import Emit

from . import domain, store


def policy_of(activity: asyncpg.Record) -> CreditPolicy | None:
    return CreditPolicy.model_validate_json(activity["policy"]) if activity["policy"] else None


def title_of(activity: asyncpg.Record) -> Bilingual:
    return Bilingual(en=activity["title_en"], fr=activity["title_fr"])


def cycle_of(activity: asyncpg.Record, rule: domain.CycleRule) -> str:
    local_day = activity["starts_at"].astimezone(ZoneInfo(activity["time_zone"])).date()
    return rule.cycle_of(local_day).label


async def reconcile(
    conn: Connection, activity_id: uuid.UUID, person_id: uuid.UUID, rule: domain.CycleRule, emit: Emit
) -> None:
    activity = await store.activity(conn, activity_id)
    attendance = await store.attendance_of(conn, activity_id, person_id)
    if activity is None or attendance is None:
        return  # the other half has not arrived yet; its arrival reconciles
    policy = policy_of(activity)
    hours = (
        domain.ZERO
        if activity["cancelled"]
        else domain.hours_earned(policy, attendance["minutes_attended"], activity["length_minutes"])
    )
    standing = await store.lock_standing(conn, person_id, activity_id)
    if Decimal(standing["hours"]) == hours:
        if standing["entry_id"]:
            await certify(conn, activity, person_id, standing["entry_id"], hours, emit)
        return
    basis = f"attendance revision {attendance['revision']}: {attendance['minutes_attended']} min"
    if standing["entry_id"]:
        await _reverse(conn, standing, basis, emit)
    if hours > 0:
        assert policy is not None
        attendee = await _attendee(conn, person_id)
        cycle = cycle_of(activity, rule)
        entry_id = await store.append_entry(
            conn,
            person_id=person_id,
            activity_id=activity_id,
            kind="award",
            hours=hours,
            category=policy.category.value,
            cycle=cycle,
            basis=basis,
        )
        await store.set_standing(conn, person_id, activity_id, entry_id, hours, policy.category.value, cycle)
        await emit(
            CreditsAwarded(
                entry_id=entry_id,
                person_id=person_id,
                activity_id=activity_id,
                hours=hours,
                category=policy.category.value,
                cycle=cycle,
                activity_title=title_of(activity),
                attendee=attendee,
            )
        )
        await _issue(conn, activity, person_id, entry_id, hours, attendee, emit)
    else:
        await store.set_standing(conn, person_id, activity_id, None, domain.ZERO, None, None)


async def _reverse(conn: Connection, standing: asyncpg.Record, basis: str, emit: Emit) -> None:
    person_id, activity_id = standing["person_id"], standing["activity_id"]
    hours = Decimal(standing["hours"])
    entry_id = await store.append_entry(
        conn,
        person_id=person_id,
        activity_id=activity_id,
        kind="reversal",
        hours=-hours,
        category=standing["category"],
        cycle=standing["cycle"],
        basis=f"corrected by {basis}",
        reverses=standing["entry_id"],
    )
    await store.revoke_certificates(conn, person_id, activity_id, f"attendance corrected ({basis})")
    await emit(
        CreditsRevoked(
            entry_id=entry_id,
            reverses=standing["entry_id"],
            person_id=person_id,
            activity_id=activity_id,
            hours=hours,
            cycle=standing["cycle"],
        )
    )


async def certify(
    conn: Connection,
    activity: asyncpg.Record,
    person_id: uuid.UUID,
    entry_id: uuid.UUID,
    hours: Decimal,
    emit: Emit,
) -> None:
    """Issue the certificate of attendance for a standing award, once, when the policy's
    conditions (the feedback form) are met and we know whom it is for."""
    if not await store.valid_certificate(conn, person_id, activity["id"]):
        await _issue(conn, activity, person_id, entry_id, hours, await _attendee(conn, person_id), emit)


async def _issue(
    conn: Connection,
    activity: asyncpg.Record,
    person_id: uuid.UUID,
    entry_id: uuid.UUID,
    hours: Decimal,
    attendee: Attendee | None,
    emit: Emit,
) -> None:
    """A new award's certificate (none can be valid yet: a reversal revoked the last one)."""
    policy = policy_of(activity)
    if policy is None or attendee is None:
        return
    if policy.requires_feedback and not await store.feedback_given(conn, activity["id"], person_id):
        return
    code = new_code()
    row = await store.insert_certificate(
        conn,
        code=code,
        entry_id=entry_id,
        person_id=person_id,
        activity_id=activity["id"],
        hours=hours,
        language=attendee.language,
    )
    await emit(
        CertificateIssued(
            certificate_id=row["id"],
            verification_code=code,
            person_id=person_id,
            activity_id=activity["id"],
            activity_title=title_of(activity),
            hours=hours,
            certificate_path=f"/certificates/{code}.pdf",
            verification_path=f"/verify/{code}",
            attendee=attendee,
        )
    )


def new_code() -> str:
    """A verification code that is hard to guess and easy to read aloud: XXXX-XXXX-XXXX."""
    raw = secrets.token_hex(6).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


async def _attendee(conn: Connection, person_id: uuid.UUID) -> Attendee | None:
    row = await store.person(conn, person_id)
    if row is None or row["erased_at"] or not row["email"]:
        return None
    return Attendee(person_id=person_id, name=row["name"], email=row["email"], language=row["language"])
