"""Keeping the ledger in step with what is known: for each person and activity, the hours the
rules give now. When they differ from the award standing, the standing award is reversed and the
new one appended (never an edit), all under a lock on that person and activity's standing row —
so however often, and in whatever order, attendance and the gathering's policy arrive, exactly one
award stands.

`reconcile` works on many pairs at once, with one statement per table, so a batch of attendance
costs about as many round trips as a single record."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg

from hearth_shared.contracts import EventData
from hearth_shared.contracts.catalogue import (
    Attendee,
    Bilingual,
    CertificateIssued,
    CreditPolicy,
    CreditsAwarded,
    CreditsRevoked,
)
from hearth_shared.db import Connection

from . import domain, store
from .store import Certificate, Entry, Pair, Standing

Published = list[tuple[Pair, EventData]]
"""Events to publish, each with the pair whose change caused it, in the order they happened."""


def policy_of(activity: asyncpg.Record) -> CreditPolicy | None:
    return CreditPolicy.model_validate_json(activity["policy"]) if activity["policy"] else None


def title_of(activity: asyncpg.Record) -> Bilingual:
    return Bilingual(en=activity["title_en"], fr=activity["title_fr"])


def cycle_of(activity: asyncpg.Record, rule: domain.CycleRule) -> str:
    local_day = activity["starts_at"].astimezone(ZoneInfo(activity["time_zone"])).date()
    return rule.cycle_of(local_day).label


@dataclass(frozen=True)
class _Award:
    """A pair's award standing after reconciling: new, or unchanged and maybe still uncertified."""

    pair: Pair
    activity: asyncpg.Record
    policy: CreditPolicy
    entry_id: uuid.UUID
    hours: Decimal


async def reconcile(conn: Connection, pairs: list[Pair], rule: domain.CycleRule) -> Published:
    """Bring each pair's standing award in line with the rules; return what to publish. The
    caller holds the activities' locks (`store.lock_activities`)."""
    activities = await store.activities(conn, {a for a, _ in pairs})
    attendance = await store.attendance_of(conn, [p for p in pairs if p[0] in activities])
    known = sorted(attendance)  # pairs whose activity and attendance have both arrived
    if not known:
        return []  # the other half has not arrived yet; its arrival reconciles
    standings = await store.lock_standings(conn, known)
    attendees = await _attendees(conn, {p for _, p in known})
    entries: list[Entry] = []
    now_standing: list[Standing] = []
    revoked: dict[Pair, str] = {}
    awards: list[_Award] = []
    published: Published = []
    for pair in known:
        activity, record, standing = activities[pair[0]], attendance[pair], standings[pair]
        policy = policy_of(activity)
        hours = (
            domain.ZERO
            if activity["cancelled"]
            else domain.hours_earned(policy, record["minutes_attended"], activity["length_minutes"])
        )
        if Decimal(standing["hours"]) == hours:
            if standing["entry_id"] and policy is not None:
                awards.append(_Award(pair, activity, policy, standing["entry_id"], hours))
            continue
        basis = f"attendance revision {record['revision']}: {record['minutes_attended']} min"
        if standing["entry_id"]:
            reversal = _reversal(standing, basis)
            entries.append(reversal)
            revoked[pair] = f"attendance corrected ({basis})"
            published.append((pair, _revoked(reversal, standing)))
        if hours > 0:
            assert policy is not None
            award = Entry(
                pair[1], pair[0], "award", hours, policy.category.value, cycle_of(activity, rule), basis
            )
            entries.append(award)
            now_standing.append(Standing(*pair, award.id, hours, award.category, award.cycle))
            published.append((pair, _awarded(award, activity, attendees.get(pair[1]))))
            awards.append(_Award(pair, activity, policy, award.id, hours))
        else:
            now_standing.append(Standing(*pair, None, domain.ZERO, None, None))
    await store.append_entries(conn, entries)
    await store.revoke_certificates(conn, revoked)
    await store.set_standings(conn, now_standing)
    return published + await _certify(conn, awards, attendees)


async def _certify(conn: Connection, awards: list[_Award], attendees: dict[uuid.UUID, Attendee]) -> Published:
    """Certificates of attendance for standing awards that have none valid, once the policy's
    conditions (the feedback form) are met and we know whom each is for."""
    if not awards:
        return []
    pairs = [a.pair for a in awards]
    certified = await store.certified(conn, pairs)
    waiting = [a for a in awards if a.pair not in certified]
    if not waiting:
        return []
    needs_feedback = [a.pair for a in waiting if a.policy.requires_feedback]
    feedback = await store.feedback_given(conn, needs_feedback) if needs_feedback else set()
    issued: list[Certificate] = []
    published: Published = []
    for award in waiting:
        attendee = attendees.get(award.pair[1])
        if attendee is None or (award.policy.requires_feedback and award.pair not in feedback):
            continue
        certificate = Certificate(
            new_code(), award.entry_id, award.pair[1], award.pair[0], award.hours, attendee.language
        )
        issued.append(certificate)
        published.append(
            (
                award.pair,
                CertificateIssued(
                    certificate_id=certificate.id,
                    verification_code=certificate.code,
                    person_id=certificate.person_id,
                    activity_id=certificate.activity_id,
                    activity_title=title_of(award.activity),
                    hours=award.hours,
                    certificate_path=f"/certificates/{certificate.code}.pdf",
                    verification_path=f"/verify/{certificate.code}",
                    attendee=attendee,
                ),
            )
        )
    await store.insert_certificates(conn, issued)
    return published


def _reversal(standing: asyncpg.Record, basis: str) -> Entry:
    return Entry(
        standing["person_id"],
        standing["activity_id"],
        "reversal",
        -Decimal(standing["hours"]),
        standing["category"],
        standing["cycle"],
        f"corrected by {basis}",
        reverses=standing["entry_id"],
    )


def _revoked(reversal: Entry, standing: asyncpg.Record) -> CreditsRevoked:
    return CreditsRevoked(
        entry_id=reversal.id,
        reverses=standing["entry_id"],
        person_id=reversal.person_id,
        activity_id=reversal.activity_id,
        hours=Decimal(standing["hours"]),
        cycle=reversal.cycle,
    )


def _awarded(award: Entry, activity: asyncpg.Record, attendee: Attendee | None) -> CreditsAwarded:
    return CreditsAwarded(
        entry_id=award.id,
        person_id=award.person_id,
        activity_id=award.activity_id,
        hours=award.hours,
        category=award.category,
        cycle=award.cycle,
        activity_title=title_of(activity),
        attendee=attendee,
    )


def new_code() -> str:
    """A verification code that is hard to guess and easy to read aloud: XXXX-XXXX-XXXX."""
    raw = secrets.token_hex(6).upper()
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


async def _attendees(conn: Connection, person_ids: set[uuid.UUID]) -> dict[uuid.UUID, Attendee]:
    """Whom certificates and awards are for: people we know, not erased, with an email."""
    return {
        row["id"]: Attendee(
            person_id=row["id"], name=row["name"], email=row["email"], language=row["language"]
        )
        for row in (await store.people(conn, person_ids)).values()
        if not row["erased_at"] and row["email"]
    }
