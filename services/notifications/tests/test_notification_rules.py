"""Notifications' decisions, without I/O: why an email is suppressed, when a digest is due, when
an SMTP refusal is final, what a fired plan answers, which change a ticket holder hears about,
and which email each piece of news becomes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from hearth_notifications.domain import digests, emails, gatherings, plans, preferences, sending
from hearth_notifications.domain.people import Person, person_of
from hearth_shared.contracts.catalogue import (
    Bilingual,
    CreditsAwarded,
    GatheringScheduled,
    GatheringSnapshot,
    PersonDetails,
    RegistrationCancelled,
    TicketPurchased,
    WaitlistJoined,
    WaitlistOffered,
)
from hearth_shared.signed_links import PATHS, Purpose, SignedLinks

pytestmark = pytest.mark.unit

LINKS = SignedLinks(["k" * 32], "https://hearth.example.org")

TITLE = Bilingual(en="Justice circle", fr="Cercle justice")
STARTS = datetime(2027, 4, 1, 17, 0, tzinfo=UTC)


def riley() -> Person:
    return Person(uuid.uuid4(), "Riley Doucet", "riley@example.org", "en")


def snapshot() -> GatheringSnapshot:
    return GatheringSnapshot(
        gathering_id=uuid.uuid4(),
        title=TITLE,
        modality="virtual",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=1),
        time_zone="Europe/London",
        join_url="https://video.example.org/j/justice",
    )  # type: ignore[call-arg]


def scheduled(**changes: object) -> GatheringScheduled:
    values: dict[str, object] = {
        "gathering_id": uuid.uuid4(),
        "title": TITLE,
        "kind": "community_of_practice",
        "modality": "in_person",
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=3),
        "time_zone": "Europe/London",
        "capacity": 40,
        "venue": "Camden",
        "address": "London",
    }
    return GatheringScheduled.model_validate(values | changes)


def test_a_suppressed_email_says_which_category_was_opted_out_of() -> None:
    chosen = preferences.Preferences(frozenset({"reminders"}))
    assert preferences.decide("reminder", chosen) == (
        preferences.Disposition.SUPPRESS,
        "opted out of reminders",
    )
    assert preferences.decide("ticket_confirmation", chosen) == (preferences.Disposition.SEND, None)
    digest = preferences.Preferences(digest=preferences.Digest.WEEKLY)
    assert preferences.decide("group_formed", digest) == (preferences.Disposition.HOLD, None)
    assert preferences.decide("group_formed", preferences.Preferences()) == (
        preferences.Disposition.SEND,
        None,
    )


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (datetime(2027, 10, 8, 11, 59, tzinfo=UTC), None),  # 07:59 EDT
        (datetime(2027, 10, 8, 12, 0, tzinfo=UTC), "2027-10-08"),  # 08:00 EDT
        (datetime(2027, 12, 8, 12, 59, tzinfo=UTC), None),  # 07:59 EST: the hour follows the clocks
        (datetime(2027, 12, 9, 3, 0, tzinfo=UTC), "2027-12-08"),  # 22:00 the evening before, local
    ],
)
def test_the_digest_is_due_from_its_local_hour_on_its_local_day(now: datetime, due: str | None) -> None:
    day = digests.digest_day(now, time(8, 0), "America/Toronto")
    assert (day.isoformat() if day else None) == due


def test_a_digest_answers_its_person_and_day() -> None:
    person = uuid.uuid4()
    day = datetime(2027, 10, 8, tzinfo=UTC).date()
    assert digests.source_of_digest(person, day) == f"digest:{person}:2027-10-08"


CREATED = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
BUDGET = timedelta(days=3)


@pytest.mark.parametrize(
    ("code", "phase", "after", "final"),
    [
        (550, "recipient", timedelta(0), True),  # mailbox unavailable
        (554, "data", timedelta(0), True),  # message rejected
        (451, "recipient", timedelta(days=2), False),  # greylisted: try again
        (451, "data", timedelta(days=3), True),  # a trouble of this email past the budget
        (None, "data", timedelta(hours=1), False),  # the connection dropped mid-message
        (535, "auth", timedelta(days=30), False),  # a rotated password: never the email's fault
        (530, "sender", timedelta(0), False),  # authentication / STARTTLS required
        (553, "sender", timedelta(0), False),  # the sender address refused
        (None, "connect", timedelta(days=30), False),  # the relay unreachable
        (None, "build", timedelta(0), True),  # the MIME document cannot be built
    ],
)
def test_only_a_5xx_to_rcpt_or_data_or_an_unbuildable_email_or_the_budget_fails_an_email(
    code: int | None, phase: str, after: timedelta, final: bool
) -> None:
    refusal = sending.Refusal("no", code, sending.Phase(phase))
    assert sending.gives_up(refusal, CREATED, CREATED + after, BUDGET) is final


@pytest.mark.parametrize(
    ("code", "phase", "verdict"),
    [
        (535, "auth", "pause"),
        (530, "recipient", "pause"),
        (421, "data", "pause"),
        (550, "sender", "pause"),
        (None, "connect", "pause"),
        (550, "recipient", "failed"),
        (552, "data", "failed"),
        (452, "recipient", "retry"),
        (None, "data", "retry"),
    ],
)
def test_refusals_of_the_service_pause_sending_and_refusals_of_an_email_do_not(
    code: int | None, phase: str, verdict: str
) -> None:
    assert sending.verdict(sending.Refusal("no", code, sending.Phase(phase))) == verdict


def test_retries_wait_longer_each_time_up_to_an_hour_and_pauses_up_to_their_cap() -> None:
    assert [sending.retry_delay_seconds(n) for n in (1, 2, 3, 9, 12, 30, 10_000)] == [
        2,
        4,
        8,
        512,
        3600,
        3600,
        3600,
    ]
    assert [sending.pause_seconds(n, 60) for n in (1, 2, 3, 6, 7, 100)] == [1, 2, 4, 32, 60, 60]


def test_a_failure_reason_fits_the_contract_whatever_the_server_said() -> None:
    long = sending.storable_reason("550 " + "x" * 10_000 + "\x00")
    assert len(long) == sending.REASON_LIMIT
    assert "\x00" not in sending.storable_reason("550 bad\x00 reply")
    assert sending.storable_reason("550 \ud800") == "550 ?"


def test_a_fired_plan_answers_its_subject_template_offset_and_instant() -> None:
    subject = uuid.uuid4()
    plan = plans.Plan("reminder", -86400, datetime(2027, 3, 13, 15, 0, tzinfo=UTC))
    assert plans.source_of_plan(subject, plan) == f"plan:{subject}:reminder:-86400:2027-03-13T15:00:00+00:00"
    assert plan.lead == timedelta(hours=24)


def test_meeting_reminders_are_planned_before_the_meeting() -> None:
    [day, hour] = plans.meeting_plans(STARTS, [timedelta(hours=24), timedelta(hours=1)])
    assert (day.template, day.offset_seconds, day.fire_at) == (
        "group_meeting_reminder",
        -86400,
        STARTS - timedelta(days=1),
    )
    assert hour.fire_at == STARTS - timedelta(hours=1)


def test_only_a_change_a_holder_notices_is_news() -> None:
    first = gatherings.noticeable(scheduled())
    assert not gatherings.changed_noticeably(None, first)  # its first news
    assert not gatherings.changed_noticeably(first, gatherings.noticeable(scheduled(capacity=80)))
    assert gatherings.changed_noticeably(first, gatherings.noticeable(scheduled(venue="Islington")))
    assert "capacity" not in first


def test_the_read_models_details_show_the_place_in_one_line() -> None:
    gathering = scheduled()
    details = gathering.model_dump(mode="json")
    shown = gatherings.from_details(gathering.gathering_id, details, title="title", join_url=None)
    assert shown.venue == "Camden, London"
    assert shown.starts_at == STARTS
    assert shown.title == TITLE
    assert gatherings.place(None, None) is None
    assert gatherings.place("", "Halifax") == "Halifax"


def test_each_piece_of_ticket_news_becomes_its_own_email() -> None:
    who = PersonDetails(person_id=uuid.uuid4(), name="Riley Doucet", email="riley@example.org", language="en")  # type: ignore[arg-type]
    sold = snapshot()
    news: list[emails.TicketNews] = [
        TicketPurchased(
            ticket_id=uuid.uuid4(), ticket_type="member", price_cents=0, gathering=sold, attendee=who
        ),
        RegistrationCancelled(ticket_id=uuid.uuid4(), gathering=sold, attendee=who),
        WaitlistJoined(entry_id=uuid.uuid4(), position=2, gathering=sold, attendee=who),
        WaitlistOffered(entry_id=uuid.uuid4(), expires_at=STARTS, gathering=sold, attendee=who),
    ]
    to = person_of(who)
    written = [emails.ticket_news(n, to, LINKS, sequence=1) for n in news]
    assert [e.template for e in written] == [
        "ticket_confirmation",
        "registration_cancelled",
        "waitlist_joined",
        "waitlist_offered",
    ]
    assert [e.calendar is not None for e in written] == [True, False, False, False]
    assert {e.person_id for e in written} == {who.person_id}
    # Every link is a signed link to the public site, for its purpose; never an API route.
    assert {"ticket": str(news[0].ticket_id)} == read(written[0].text, Purpose.REGISTRATION)  # type: ignore[union-attr]
    assert {"entry": str(news[3].entry_id)} == read(written[3].text, Purpose.OFFER)  # type: ignore[union-attr]
    assert "/waitlist/" not in written[3].text
    assert "accept" not in "".join(w for w in written[3].text.split() if w.startswith("http"))


def test_ticket_emails_say_the_tickets_state() -> None:
    who = PersonDetails(person_id=uuid.uuid4(), name="Riley Doucet", email="riley@example.org", language="fr")
    sold, to = snapshot(), person_of(who)
    held = TicketPurchased(
        ticket_id=uuid.uuid4(),
        ticket_type="non_member",
        price_cents=4500,
        gathering=sold,
        attendee=who,
        status="awaiting_payment",
        hold_expires_at=datetime(2027, 3, 20, 16, 0, tzinfo=UTC),
    )
    email = emails.ticket_news(held, to, LINKS, sequence=1)
    assert email.template == "ticket_held"
    assert email.calendar is None  # not confirmed: nothing for the calendar yet
    assert "45,00\xa0$" in email.text  # Canadian French: 45,00 $
    assert "20 mars 2027" in email.text  # the hold's expiry, in the gathering's zone
    assert {"ticket": str(held.ticket_id)} == read(email.text, Purpose.REGISTRATION)
    confirmed = TicketPurchased(**(held.model_dump() | {"status": "confirmed"}))
    assert emails.ticket_news(confirmed, to, LINKS, sequence=1).template == "ticket_confirmation"
    expired = RegistrationCancelled(
        ticket_id=held.ticket_id, gathering=sold, attendee=who, reason="hold_expired"
    )
    assert emails.ticket_news(expired, to, LINKS, sequence=2).template == "hold_expired"
    paid = emails.ticket_paid(to, held.ticket_id, sold, LINKS, sequence=3)
    assert paid.template == "ticket_paid"
    assert paid.calendar is not None
    assert {"ticket": str(held.ticket_id)} == read(paid.text, Purpose.REGISTRATION)


def test_the_feedback_request_opens_the_persons_own_form() -> None:
    to = riley()
    gathering_id = uuid.uuid4()
    email = emails.feedback_request(to, gathering_id, TITLE, LINKS)
    assert read(email.text, Purpose.FEEDBACK) == {"gathering": str(gathering_id), "person": str(to.person_id)}
    assert "/gatherings/" not in email.text
    assert email.unsubscribe_url is not None
    assert read(email.unsubscribe_url, Purpose.UNSUBSCRIBE) == {
        "person": str(to.person_id),
        "category": "feedback",
    }


def read(text: str, purpose: Purpose) -> dict[str, str]:
    """The subject of the one link of `purpose` in `text`, as the public site would read it."""
    prefix = "https://hearth.example.org" + PATHS[purpose]
    [link] = {w.rstrip(".,)") for w in text.split() if w.startswith(prefix)}
    return LINKS.read(purpose, link.removeprefix(prefix))


@pytest.mark.parametrize(
    ("hours", "title", "announced"),
    [(Decimal("1.5"), TITLE, True), (Decimal("0"), TITLE, False), (Decimal("1.5"), None, False)],
)
def test_credits_are_announced_only_with_hours_and_a_title(
    hours: Decimal, title: Bilingual | None, announced: bool
) -> None:
    award = CreditsAwarded(
        entry_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        activity_id=uuid.uuid4(),
        hours=hours,
        category="group",
        cycle="2026-2027",
        activity_title=title,
    )
    email = emails.credits_news(award, riley(), LINKS)
    assert (email is not None) is announced
