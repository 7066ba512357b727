"""Registration's rules, free of I/O: gathering status, who may hold which ticket, waitlist
offers, choosing a breakout."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from hearth_shared.contracts.catalogue import GatheringStatus, MembershipStatus


class RegistrationRefused(Exception):
    """A request the rules do not allow; `code` is stable for API clients, `field` names the
    part of the request at fault when there is one."""

    code = "refused"
    status = 409  # a conflict with the current state; 422 when the request itself is wrong

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class GatheringNotOpen(RegistrationRefused):
    code = "gathering_not_open"


class AlreadyRegistered(RegistrationRefused):
    code = "already_registered"


class AlreadyWaiting(RegistrationRefused):
    code = "already_waitlisted"


class OfferNotOpen(RegistrationRefused):
    code = "offer_not_open"


class NotEligible(RegistrationRefused):
    code = "not_eligible"
    status = 422


class BreakoutFull(RegistrationRefused):
    code = "breakout_full"


class InvalidGathering(RegistrationRefused):
    code = "invalid"
    status = 422


class TicketTypeNotOffered(RegistrationRefused):
    code = "ticket_type_not_offered"
    status = 422


class UnknownBreakout(RegistrationRefused):
    code = "unknown_breakout"
    status = 422


class TransitionRefused(RegistrationRefused):
    code = "status_transition_refused"


class NotAnAttendee(RegistrationRefused):
    code = "not_an_attendee"


# draft → open → closed, and any of them → cancelled. A closed gathering may reopen (a late
# cancellation freed seats); a cancelled one is final.
TRANSITIONS: dict[GatheringStatus, frozenset[GatheringStatus]] = {
    GatheringStatus.DRAFT: frozenset({GatheringStatus.OPEN, GatheringStatus.CANCELLED}),
    GatheringStatus.OPEN: frozenset({GatheringStatus.CLOSED, GatheringStatus.CANCELLED}),
    GatheringStatus.CLOSED: frozenset({GatheringStatus.OPEN, GatheringStatus.CANCELLED}),
    GatheringStatus.CANCELLED: frozenset(),
}


def check_transition(current: GatheringStatus, target: GatheringStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise TransitionRefused(
            f"a {current.value} gathering cannot become {target.value} (allowed: {allowed})", "status"
        )


class TicketKind(StrEnum):
    MEMBER = "member"
    NON_MEMBER = "non_member"
    STUDENT = "student"
    FREE = "free"


@dataclass(frozen=True)
class Attestation:
    """What a non-member states about their regulated profession when registering."""

    profession: str | None
    regulatory_body: str | None
    region: str | None
    attests_regulated_profession: bool


def check_eligible(kind: TicketKind, membership: str | None, attestation: Attestation) -> None:
    """A member ticket needs an active membership; a non-member ticket, a regulated profession."""
    if kind is TicketKind.MEMBER and membership != MembershipStatus.ACTIVE:
        state = f"is {membership}" if membership else "is not on the membership register"
        raise NotEligible(
            f"a member ticket needs an active membership, and this email {state}", "ticket_type"
        )
    if kind is TicketKind.NON_MEMBER:
        for field in ("profession", "regulatory_body", "region"):
            if not getattr(attestation, field):
                raise NotEligible(f"a non-member ticket needs your {field.replace('_', ' ')}", field)
        if not attestation.attests_regulated_profession:
            raise NotEligible(
                "a non-member ticket needs you to attest that you practise a regulated profession",
                "attests_regulated_profession",
            )


def check_can_accept(status: WaitlistStatus, expires_at: datetime | None, now: datetime) -> None:
    """An offer is accepted only while it is open and its hold has not run out."""
    if status is not WaitlistStatus.OFFERED:
        raise OfferNotOpen(f"this waitlist entry is {status.value}, not offered")
    if expires_at is None or expires_at <= now:
        raise OfferNotOpen("the hold on this seat has expired; it has passed to the next person")


def check_can_withdraw(status: WaitlistStatus) -> None:
    if status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        raise OfferNotOpen(f"this waitlist entry is already {status.value}")


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class BreakoutRoom:
    id: object
    language: str | None
    practice_area: str | None
    free_seats: int


def breakout_preference(
    rooms: Sequence[BreakoutRoom], language: str, practice_area: str | None
) -> list[BreakoutRoom]:
    """Rooms with a free seat, best first: the person's language first, then their practice area,
    then the emptiest. A room with no language set suits everyone, after a matching one."""

    def rank(room: BreakoutRoom) -> tuple[int, int, int]:
        speaks = 0 if room.language == language else 1 if room.language is None else 2
        area = 0 if practice_area and room.practice_area == practice_area else 1
        return (speaks, area, -room.free_seats)

    return sorted((r for r in rooms if r.free_seats > 0), key=rank)


def normalise_email(email: str) -> str:
    """Emails identify people case-insensitively; store them trimmed and lower-cased."""
    return email.strip().lower()
