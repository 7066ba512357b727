"""The v1 events of Hearth. One frozen model per event; `event_type` carries the major version.

A breaking change is a new class with `.v2` in its type, published beside the v1 one until every
consumer has moved. Events carry what their consumers need to act (so nobody calls back) and no
more personal data than that.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from .envelope import EventData
from .text import CleanStr, Timestamp

Language = Literal["en", "fr"]
TEXT = 5000  # characters of free text: a title, a description, comments
URL = 2000  # characters of a link or a path
TimeZoneName = Annotated[CleanStr, Field(min_length=1, max_length=64, examples=["America/Halifax"])]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Bilingual(_Part):
    en: CleanStr = Field(min_length=1, max_length=TEXT)
    fr: CleanStr = Field(min_length=1, max_length=TEXT)


class GatheringKind(StrEnum):
    COMMUNITY_OF_PRACTICE = "community_of_practice"
    NETWORKING_EVENING = "networking_evening"
    CONFERENCE = "conference"
    GROUP_MEETING = "group_meeting"
    INFORMAL_MEETUP = "informal_meetup"


class Modality(StrEnum):
    VIRTUAL = "virtual"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class CreditCategory(StrEnum):
    COMMUNITY_OF_PRACTICE = "community_of_practice"
    PEER_SUPERVISION = "peer_supervision"
    FORMAL_LEARNING = "formal_learning"
    SELF_DIRECTED = "self_directed"


class CreditPolicy(_Part):
    """The CPD credit a gathering offers: up to `hours`, counted in steps of `increment_hours`,
    for those present at least `minimum_attendance_fraction` of its length."""

    hours: Decimal = Field(gt=0, le=100, decimal_places=2)
    minimum_attendance_fraction: Decimal = Field(ge=0, le=1, decimal_places=2)
    category: CreditCategory
    increment_hours: Decimal = Field(default=Decimal("0.25"), gt=0, le=100, decimal_places=2)
    requires_feedback: bool = Field(
        default=False, description="The certificate waits for the attendee's feedback form."
    )


class GatheringStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


REVISION = (
    "Counts the gathering's changes: 1 when scheduled, one more with each update and the cancellation. "
    "A consumer applies a gathering event only when its revision is newer than the one it holds, and "
    "nothing after a cancellation. Absent from publishers that do not count yet."
)


class GatheringScheduled(EventData):
    event_type = "org.hearth.registration.gathering_scheduled.v1"

    gathering_id: UUID
    title: Bilingual
    kind: GatheringKind
    modality: Modality
    starts_at: Timestamp
    ends_at: Timestamp
    time_zone: TimeZoneName
    capacity: int = Field(ge=0)
    status: GatheringStatus = GatheringStatus.OPEN
    description: Bilingual | None = None
    venue: CleanStr | None = Field(default=None, max_length=300)
    address: CleanStr | None = Field(default=None, max_length=500)
    series_id: UUID | None = None
    credit_policy: CreditPolicy | None = Field(default=None, description="None: it earns no credit.")
    revision: int | None = Field(default=None, ge=1, description=REVISION)


class GatheringUpdated(GatheringScheduled):
    """The whole gathering after a change (a snapshot, so consumers need no earlier state)."""

    event_type = "org.hearth.registration.gathering_updated.v1"


class GatheringCancelled(EventData):
    event_type = "org.hearth.registration.gathering_cancelled.v1"

    gathering_id: UUID
    reason: CleanStr | None = Field(default=None, max_length=1000)
    revision: int | None = Field(default=None, ge=1, description=REVISION)


class PersonDetails(_Part):
    """Who an event is about, with what a consumer needs to reach them: a person holding a ticket,
    waiting in line, present at a gathering or credited (the field is named `attendee` in v1)."""

    person_id: UUID
    name: CleanStr = Field(min_length=1, max_length=300)
    email: EmailStr
    language: Language


class GatheringSnapshot(_Part):
    """What a ticket holder's email needs to know about the gathering."""

    gathering_id: UUID
    title: Bilingual
    modality: Modality
    starts_at: Timestamp
    ends_at: Timestamp
    time_zone: TimeZoneName
    venue: CleanStr | None = Field(default=None, max_length=300)
    join_url: CleanStr | None = Field(
        default=None, max_length=URL, description="Only ticket holders ever see it."
    )


class TicketPurchased(EventData):
    event_type = "org.hearth.registration.ticket_purchased.v1"

    ticket_id: UUID
    ticket_type: CleanStr = Field(
        min_length=1, max_length=50, examples=["member", "non_member", "student", "free"]
    )
    price_cents: int = Field(ge=0)
    currency: str = Field(default="CAD", pattern="^[A-Z]{3}$")
    gathering: GatheringSnapshot
    attendee: PersonDetails
    status: Literal["confirmed", "awaiting_payment"] | None = Field(
        default=None,
        description=(
            "confirmed: the seat is the holder's. awaiting_payment: a priced ticket held until "
            "`hold_expires_at`; TicketConfirmed follows when it is paid, RegistrationCancelled "
            "(reason hold_expired) when the hold runs out. The join link comes only with a "
            "confirmed seat. Absent from publishers before paid tickets: confirmed."
        ),
    )
    hold_expires_at: Timestamp | None = Field(
        default=None, description="Set while awaiting payment: when the unpaid hold lapses."
    )


class TicketConfirmed(EventData):
    """A ticket held awaiting payment was paid (the payment system's PaymentReceived, or staff
    marking it paid): the seat is the holder's, and the snapshot now carries the join link."""

    event_type = "org.hearth.registration.ticket_confirmed.v1"

    ticket_id: UUID
    person_id: UUID
    gathering_id: UUID
    amount_cents: int | None = Field(default=None, ge=0, description="What was paid")
    currency: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    method: CleanStr | None = Field(
        default=None,
        max_length=50,
        examples=["payment_system", "e_transfer", "invoice", "at_door", "card"],
        description="payment_system: a PaymentReceived event; the others: staff marked it paid.",
    )
    gathering: GatheringSnapshot | None = None
    attendee: PersonDetails | None = None


class RegistrationCancelled(EventData):
    event_type = "org.hearth.registration.registration_cancelled.v1"

    ticket_id: UUID
    gathering: GatheringSnapshot
    attendee: PersonDetails
    reason: CleanStr | None = Field(
        default=None,
        max_length=50,
        examples=["hold_expired"],
        description="None: the holder or staff cancelled. hold_expired: an unpaid hold ran out.",
    )


class PaymentReceived(EventData):
    """Published by the association's payment system when a ticket held awaiting payment is
    paid. Registration confirms the ticket; a payment it cannot apply (unknown ticket, another
    amount or currency, a hold that lapsed, a ticket paid already under another reference) is
    parked for staff with the reason. The same `reference` again changes nothing."""

    event_type = "org.hearth.payments.payment_received.v1"

    ticket_id: UUID
    amount_cents: int = Field(ge=0, le=100_000_000)
    currency: str = Field(pattern="^[A-Z]{3}$", examples=["CAD"])
    reference: CleanStr = Field(
        min_length=1, max_length=200, description="The payment system's own id for the payment"
    )
    paid_at: Timestamp


class WaitlistJoined(EventData):
    """The gathering was full: the person waits in line for a seat."""

    event_type = "org.hearth.registration.waitlist_joined.v1"

    entry_id: UUID
    position: int = Field(ge=1, description="Place in line when joining (1 = next).")
    gathering: GatheringSnapshot
    attendee: PersonDetails


class WaitlistOffered(EventData):
    """A seat freed up and is held for this person until `expires_at`; they accept or it passes on."""

    event_type = "org.hearth.registration.waitlist_offered.v1"

    entry_id: UUID
    expires_at: Timestamp
    gathering: GatheringSnapshot
    attendee: PersonDetails


class AttendanceRecorded(EventData):
    """One person's presence at one gathering (or group meeting). A correction is a newer
    `revision` of the same `attendance_id`, so consumers keep the highest revision."""

    event_type = "org.hearth.registration.attendance_recorded.v1"

    attendance_id: UUID
    gathering_id: UUID
    person_id: UUID
    minutes_attended: int = Field(ge=0)
    revision: int = Field(ge=1)
    attendee: PersonDetails | None = None


class AttendanceReported(EventData):
    """Published by a video-conferencing system after a session: how long one person (known by
    email) was present. Registration turns it into AttendanceRecorded."""

    event_type = "org.hearth.conferencing.attendance_reported.v1"

    gathering_id: UUID
    email: EmailStr
    minutes_attended: int = Field(ge=0, le=24 * 60)
    reported_at: Timestamp


class FeedbackSubmitted(EventData):
    event_type = "org.hearth.registration.feedback_submitted.v1"

    feedback_id: UUID
    gathering_id: UUID
    person_id: UUID
    benefit_rating: int = Field(ge=1, le=5)
    comments: CleanStr | None = Field(default=None, max_length=TEXT)


class Interest(StrEnum):
    ADVOCACY_CAMPAIGN = "advocacy_campaign"
    BEST_PRACTICE_RESOURCE = "best_practice_resource"
    PEER_SUPPORT = "peer_support"
    PEER_SUPERVISION = "peer_supervision"
    # Added to v1 (additive): groups must be deployed before registration publishes it.
    PRACTICE_AREA_CIRCLE = "practice_area_circle"


class InterestExpressed(EventData):
    event_type = "org.hearth.registration.interest_expressed.v1"

    person_id: UUID
    gathering_id: UUID | None = None
    interest: Interest
    practice_area: CleanStr | None = Field(default=None, max_length=100, examples=["housing_and_poverty"])
    language: Language


class CreditsAwarded(EventData):
    """A ledger entry crediting CPD hours for one activity (a gathering, or an approved
    self-reported activity)."""

    event_type = "org.hearth.credits.credits_awarded.v1"

    entry_id: UUID
    person_id: UUID
    activity_id: UUID
    hours: Decimal = Field(ge=0)
    category: CleanStr = Field(max_length=100)
    cycle: CleanStr = Field(max_length=20, examples=["2026-2027"])
    activity_title: Bilingual | None = None
    attendee: PersonDetails | None = None


class CreditsRevoked(EventData):
    """A reversal entry: the award `reverses` no longer stands (its attendance was corrected)."""

    event_type = "org.hearth.credits.credits_revoked.v1"

    entry_id: UUID
    reverses: UUID
    person_id: UUID
    activity_id: UUID
    hours: Decimal = Field(ge=0, description="The hours taken back")
    cycle: CleanStr = Field(max_length=20)


class CertificateIssued(EventData):
    event_type = "org.hearth.credits.certificate_issued.v1"

    certificate_id: UUID
    verification_code: CleanStr = Field(min_length=8, max_length=40)
    person_id: UUID
    activity_id: UUID
    activity_title: Bilingual
    hours: Decimal = Field(ge=0)
    certificate_path: CleanStr = Field(max_length=URL, description="Path of the PDF on the credits API")
    verification_path: CleanStr = Field(max_length=URL, description="Path of the public verification page")
    attendee: PersonDetails


class GroupFormed(EventData):
    event_type = "org.hearth.groups.group_formed.v1"

    group_id: UUID
    name: Bilingual
    purpose: Interest
    practice_area: CleanStr | None = Field(default=None, max_length=100)
    language: Language
    member_person_ids: list[UUID]


class GroupMemberJoined(EventData):
    """A person joined a group after it formed."""

    event_type = "org.hearth.groups.group_member_joined.v1"

    group_id: UUID
    person_id: UUID


class GroupMemberLeft(EventData):
    event_type = "org.hearth.groups.group_member_left.v1"

    group_id: UUID
    person_id: UUID


class GroupMeetingScheduled(EventData):
    """A group's meeting, new or moved (the same meeting_id again replaces its time)."""

    event_type = "org.hearth.groups.group_meeting_scheduled.v1"

    meeting_id: UUID
    group_id: UUID
    group_name: Bilingual
    starts_at: Timestamp
    ends_at: Timestamp
    time_zone: TimeZoneName
    join_url: CleanStr | None = Field(default=None, max_length=URL)
    venue: CleanStr | None = Field(default=None, max_length=300)


class GroupMeetingCancelled(EventData):
    event_type = "org.hearth.groups.group_meeting_cancelled.v1"

    meeting_id: UUID
    group_id: UUID


class NotificationDelivered(EventData):
    """An email was accepted by the SMTP server."""

    event_type = "org.hearth.notifications.notification_delivered.v1"

    delivery_id: UUID
    source_event_id: CleanStr = Field(max_length=200)
    template: CleanStr = Field(max_length=100)
    language: Language
    person_id: UUID | None = None
    attempts: int = Field(ge=1)
    delivered_at: Timestamp


class NotificationFailed(EventData):
    """An email will not be sent: refused for good (5xx, invalid address) or attempts exhausted."""

    event_type = "org.hearth.notifications.notification_failed.v1"

    delivery_id: UUID
    source_event_id: CleanStr = Field(max_length=200)
    template: CleanStr = Field(max_length=100)
    language: Language
    person_id: UUID | None = None
    attempts: int = Field(ge=0)
    reason: CleanStr = Field(max_length=4000)


class MembershipStatus(StrEnum):
    ACTIVE = "active"
    LAPSED = "lapsed"
    SUSPENDED = "suspended"
    RESIGNED = "resigned"


class MemberUpserted(EventData):
    """Published by the association's membership register whenever a member record changes."""

    event_type = "org.hearth.membership.member_upserted.v1"

    member_id: CleanStr = Field(min_length=1, max_length=100)
    registration_number: CleanStr = Field(min_length=1, max_length=100)
    name: CleanStr = Field(min_length=1, max_length=300)
    email: EmailStr
    preferred_language: Language
    status: MembershipStatus
    changed_at: Timestamp


class PersonErasureRequested(EventData):
    """A person's right to erasure: every service removes their personal details."""

    event_type = "org.hearth.privacy.person_erasure_requested.v1"

    email: EmailStr
    member_id: CleanStr | None = Field(default=None, max_length=100)
    requested_at: Timestamp


CATALOGUE: dict[str, type[EventData]] = {
    model.event_type: model
    for model in (
        GatheringScheduled,
        GatheringUpdated,
        GatheringCancelled,
        TicketPurchased,
        TicketConfirmed,
        RegistrationCancelled,
        WaitlistJoined,
        WaitlistOffered,
        AttendanceRecorded,
        AttendanceReported,
        PaymentReceived,
        FeedbackSubmitted,
        InterestExpressed,
        CreditsAwarded,
        CreditsRevoked,
        CertificateIssued,
        GroupFormed,
        GroupMemberJoined,
        GroupMemberLeft,
        GroupMeetingScheduled,
        GroupMeetingCancelled,
        NotificationDelivered,
        NotificationFailed,
        MemberUpserted,
        PersonErasureRequested,
    )
}
