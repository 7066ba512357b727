"""Group meetings: their times, the credit they earn, and what a facilitator's attendance sheet
changes (each change a newer revision, so consumers keep the latest)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from hearth_shared.contracts.catalogue import Modality

from .errors import GroupsRefused

ATTENDANCE_NAMESPACE = uuid.UUID("6b1f0c9e-3f4a-4f5e-9a51-0d3c2f6a7e11")
MINIMUM_ATTENDANCE_FRACTION = Decimal("0.75")


class MeetingRefused(GroupsRefused):
    code = "meeting_refused"
    status = 422


def check_times(starts_at: datetime, ends_at: datetime, modality: Modality, venue: str | None) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise MeetingRefused("give times with their offset (RFC 3339)", "starts_at")
    if ends_at <= starts_at:
        raise MeetingRefused("a meeting ends after it starts", "ends_at")
    if modality is not Modality.VIRTUAL and not venue:
        raise MeetingRefused(f"a {modality} meeting needs a venue", "venue")


def credit_hours(starts_at: datetime, ends_at: datetime) -> Decimal:
    """A meeting's full length in hours, in quarter hours (what CPD counts)."""
    hours = Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)
    return (hours * 4).to_integral_value(rounding=ROUND_DOWN) / 4


def attendance_id(meeting_id: uuid.UUID, person_id: uuid.UUID) -> uuid.UUID:
    """One attendance per person per meeting, whichever sheet recorded it."""
    return uuid.uuid5(ATTENDANCE_NAMESPACE, f"{meeting_id}:{person_id}")


@dataclass(frozen=True)
class Recorded:
    person_id: uuid.UUID
    minutes: int
    revision: int


def attendance_changes(
    kept: dict[uuid.UUID, Recorded], sheet: dict[uuid.UUID, int], length_minutes: int
) -> list[Recorded]:
    """What a new sheet changes: new or different minutes at the next revision; someone on the
    old sheet but not this one is corrected to 0 minutes."""
    changes: list[Recorded] = []
    for person_id, minutes in sorted(sheet.items()):
        if not 0 <= minutes <= length_minutes:
            raise MeetingRefused(f"minutes attended are between 0 and {length_minutes}", "attendees")
        before = kept.get(person_id)
        if before is None or before.minutes != minutes:
            changes.append(Recorded(person_id, minutes, before.revision + 1 if before else 1))
    for person_id, before in sorted(kept.items()):
        if person_id not in sheet and before.minutes != 0:
            changes.append(Recorded(person_id, 0, before.revision + 1))
    return changes
