"""How credits' types become the contracts it publishes (and how the contracts it consumes become
its types), and the source its events carry."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from hearth_shared.contracts import EventData
from hearth_shared.contracts.catalogue import (
    AttendanceRecorded,
    Bilingual,
    CertificateIssued,
    CreditsAwarded,
    CreditsRevoked,
    GatheringScheduled,
    PersonDetails,
)
from hearth_shared.messaging import source_of

from .domain.activities import Activity
from .domain.attendance import Attendance, Pair
from .domain.certificates import Certificate
from .domain.ledger import Correction, Entry
from .domain.people import Person

SERVICE = "credits"
SOURCE = source_of(SERVICE)

Published = list[tuple[Pair, EventData]]
"""Events to publish, each with the pair whose change caused it, in the order they happened."""


def activity_of(gathering: GatheringScheduled) -> Activity:
    """A gathering's snapshot (scheduled or updated) as the activity it earns credit for."""
    return Activity(
        id=gathering.gathering_id,
        title_en=gathering.title.en,
        title_fr=gathering.title.fr,
        starts_at=gathering.starts_at,
        length_minutes=int((gathering.ends_at - gathering.starts_at).total_seconds() // 60),
        time_zone=gathering.time_zone,
        policy=gathering.credit_policy,
    )


def attendance_of(record: AttendanceRecorded) -> Attendance:
    return Attendance(
        id=record.attendance_id,
        activity_id=record.gathering_id,
        person_id=record.person_id,
        minutes_attended=record.minutes_attended,
        revision=record.revision,
    )


def person_of(details: PersonDetails) -> Person:
    """The person an event is about (its `attendee` field), as credits keeps them."""
    return Person(
        id=details.person_id, name=details.name, email=str(details.email), language=details.language
    )


def person_details(person: Person, known: PersonDetails | None = None) -> PersonDetails:
    """Whom an award or certificate is for, as the events carry it (a reachable person). `known`:
    the same person's details as an event just brought them, already validated; they are used
    when they say the same (validating an address again costs more than the rest of an award)."""
    if known is not None and person_of(known) == person:
        return known
    return PersonDetails(person_id=person.id, name=person.name, email=person.email, language=person.language)


def title_of(activity: Activity) -> Bilingual:
    return Bilingual(en=activity.title_en, fr=activity.title_fr)


def credits_revoked(correction: Correction) -> CreditsRevoked:
    """The reversal of the award that stood before `correction`."""
    assert correction.reversal is not None
    assert correction.before.entry_id is not None
    return CreditsRevoked(
        entry_id=correction.reversal.id,
        reverses=correction.before.entry_id,
        person_id=correction.reversal.person_id,
        activity_id=correction.reversal.activity_id,
        hours=correction.before.hours,
        cycle=correction.reversal.cycle,
    )


def credits_awarded(
    award: Entry, activity: Activity | None = None, details: PersonDetails | None = None
) -> CreditsAwarded:
    """An award entry; a gathering's carries its title and whom it is for (a self-report's not)."""
    return CreditsAwarded(
        entry_id=award.id,
        person_id=award.person_id,
        activity_id=award.activity_id,
        hours=award.hours,
        category=award.category,
        cycle=award.cycle,
        activity_title=title_of(activity) if activity else None,
        attendee=details,
    )


def of_corrections(
    corrections: Sequence[Correction],
    activities: Mapping[uuid.UUID, Activity],
    details: Mapping[uuid.UUID, PersonDetails],
) -> Published:
    """What each correction publishes, in order: the reversal (if any), then the new award (if any,
    with whom it is for when we know them)."""
    published: Published = []
    for correction in corrections:
        activity_id, person_id = correction.pair
        if correction.reversal is not None:
            published.append((correction.pair, credits_revoked(correction)))
        if correction.award is not None:
            awarded = credits_awarded(correction.award, activities[activity_id], details.get(person_id))
            published.append((correction.pair, awarded))
    return published


def certificate_issued(
    certificate: Certificate, activity: Activity, details: PersonDetails
) -> CertificateIssued:
    return CertificateIssued(
        certificate_id=certificate.id,
        verification_code=certificate.code,
        person_id=certificate.person_id,
        activity_id=certificate.activity_id,
        activity_title=title_of(activity),
        hours=certificate.hours,
        certificate_path=f"/certificates/{certificate.code}.pdf",
        verification_path=f"/verify/{certificate.code}",
        attendee=details,
    )
