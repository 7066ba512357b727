"""What emails say, without I/O: every template in both languages, local times across DST, the
calendar invitation, escaping, preferences."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from hearth_notifications.domain import preferences, sending
from hearth_notifications.domain.emails import PURPOSES
from hearth_notifications.domain.gatherings import Gathering
from hearth_notifications.domain.invites import invite
from hearth_notifications.domain.people import Person
from hearth_notifications.domain.plans import gathering_plans
from hearth_notifications.domain.rendering import compose, gathering_context
from hearth_notifications.domain.times import duration
from hearth_shared.contracts.catalogue import Bilingual, Interest
from hearth_shared.signed_links import Purpose, SignedLinks

pytestmark = pytest.mark.unit

# 18:00 London on 1 April 2027 (BST, UTC+1).
EVENING = Gathering(
    id=uuid.uuid4(),
    title=Bilingual(en="Networking evening", fr="Soirée de réseautage"),
    starts_at=datetime(2027, 4, 1, 17, 0, tzinfo=UTC),
    ends_at=datetime(2027, 4, 1, 20, 30, tzinfo=UTC),
    time_zone="Europe/London",
    venue="Camden, London",
)
# 12:00 Halifax on 11 March 2027 (AST, UTC-4), online.
QUARTERLY = Gathering(
    id=uuid.uuid4(),
    title=Bilingual(en="Quarterly community of practice", fr="Communauté de pratique trimestrielle"),
    starts_at=datetime(2027, 3, 11, 16, 0, tzinfo=UTC),
    ends_at=datetime(2027, 3, 11, 17, 30, tzinfo=UTC),
    time_zone="America/Halifax",
    join_url="https://video.example.org/j/quarterly",
)


LINKS = SignedLinks(["k" * 32], "https://hearth.example.org")
MY = "https://hearth.example.org/my/TOKEN"


def riley(language: str) -> Person:
    return Person(uuid.uuid4(), "Riley Doucet", "riley@example.org", language)  # type: ignore[arg-type]


def context(template: str, language: str) -> dict[str, Any]:
    """What each template is given by its handler or the scheduler."""
    lead = duration(timedelta(hours=24), language)  # type: ignore[arg-type]
    group = Bilingual(en="Housing & poverty circle", fr="Cercle logement et pauvreté")
    return {
        "ticket_confirmation": gathering_context(QUARTERLY, language) | {"my_url": MY},  # type: ignore[arg-type]
        "ticket_held": gathering_context(EVENING, language)  # type: ignore[arg-type]
        | {"my_url": MY, "expires": "Friday 19:00", "price": "$25.00"},
        "ticket_paid": gathering_context(QUARTERLY, language) | {"my_url": MY},  # type: ignore[arg-type]
        "hold_expired": gathering_context(EVENING, language),  # type: ignore[arg-type]
        "registration_cancelled": gathering_context(EVENING, language),  # type: ignore[arg-type]
        "waitlist_joined": gathering_context(EVENING, language) | {"position": 3},  # type: ignore[arg-type]
        "waitlist_offered": gathering_context(EVENING, language)  # type: ignore[arg-type]
        | {"expires": "Friday 19:00", "offer_url": "https://hearth.example.org/offer/TOKEN"},
        "gathering_updated": gathering_context(EVENING, language) | {"my_url": MY},  # type: ignore[arg-type]
        "gathering_cancelled": gathering_context(EVENING, language) | {"reason": "Storm warning"},  # type: ignore[arg-type]
        "reminder": gathering_context(QUARTERLY, language) | {"lead": lead, "my_url": MY},  # type: ignore[arg-type]
        "feedback_request": {"title": QUARTERLY.title, "feedback_url": "https://hearth.example.org/f/1"},
        "credits_awarded": {"title": QUARTERLY.title, "hours": "1.5", "cycle": "2026-2027"},
        "certificate_issued": {
            "title": QUARTERLY.title,
            "hours": "1.5",
            "verification_url": "https://hearth.example.org/verify/ABC",
        },
        "group_formed": {"group_name": group, "purpose": PURPOSES[Interest.PEER_SUPPORT]},
        "group_meeting_reminder": gathering_context(QUARTERLY, language)  # type: ignore[arg-type]
        | {"group_name": group, "lead": lead},
        "group_digest": {"items": [{"subject": "A new group"}, {"subject": "Another"}]},
    }[template]


SUBJECTS = {
    ("ticket_confirmation", "en"): "Your place is confirmed: Quarterly community of practice",
    ("ticket_confirmation", "fr"): "Votre place est confirmée : Communauté de pratique trimestrielle",
    ("ticket_held", "en"): "Your place is held until payment: Networking evening",
    ("ticket_held", "fr"): "Votre place est réservée en attendant le paiement : Soirée de réseautage",
    ("ticket_paid", "en"): "Payment received, your place is confirmed: Quarterly community of practice",
    ("ticket_paid", "fr"): "Paiement reçu, votre place est confirmée : Communauté de pratique trimestrielle",
    ("hold_expired", "en"): "Your held place has been released: Networking evening",
    ("hold_expired", "fr"): "Votre place réservée a été libérée : Soirée de réseautage",
    ("registration_cancelled", "en"): "Your registration is cancelled: Networking evening",
    ("registration_cancelled", "fr"): "Votre inscription est annulée : Soirée de réseautage",
    ("waitlist_joined", "en"): "You are on the waitlist: Networking evening",
    ("waitlist_joined", "fr"): "Vous êtes sur la liste d'attente : Soirée de réseautage",
    ("waitlist_offered", "en"): "A place is yours until Friday 19:00: Networking evening",
    ("waitlist_offered", "fr"): "Une place vous est réservée jusqu'au Friday 19:00 : Soirée de réseautage",
    ("gathering_updated", "en"): "Changed: Networking evening",
    ("gathering_updated", "fr"): "Modification : Soirée de réseautage",
    ("gathering_cancelled", "en"): "Cancelled: Networking evening",
    ("gathering_cancelled", "fr"): "Annulé : Soirée de réseautage",
    ("reminder", "en"): "In 24 hours: Quarterly community of practice",
    ("reminder", "fr"): "Dans 24 heures : Communauté de pratique trimestrielle",
    ("feedback_request", "en"): "How was Quarterly community of practice?",
    ("feedback_request", "fr"): "Comment s'est passé Communauté de pratique trimestrielle?",
    ("credits_awarded", "en"): "1.5 CPD hours recorded: Quarterly community of practice",
    (
        "credits_awarded",
        "fr",
    ): "1.5 heures de formation continue inscrites : Communauté de pratique trimestrielle",
    ("certificate_issued", "en"): "Your certificate: Quarterly community of practice",
    ("certificate_issued", "fr"): "Votre attestation : Communauté de pratique trimestrielle",
    ("group_formed", "en"): "You are invited to a new group: Housing & poverty circle",
    ("group_formed", "fr"): "Vous êtes invité·e à un nouveau groupe : Cercle logement et pauvreté",
    ("group_meeting_reminder", "en"): "Housing & poverty circle meets in 24 hours",
    ("group_meeting_reminder", "fr"): "Cercle logement et pauvreté se réunit dans 24 heures",
    ("group_digest", "en"): "Your groups today: 2 updates",
    ("group_digest", "fr"): "Vos groupes aujourd'hui : 2 nouvelles",
}
# A phrase each body must carry (beyond the subject), in each language.
BODIES = {
    ("ticket_confirmation", "en"): [
        "Hello Riley Doucet,",
        "12:00",
        "Join online: https://video.example.org",
        MY,
    ],
    ("ticket_confirmation", "fr"): [
        "Bonjour Riley Doucet,",
        "12 h 00",
        "Rejoindre en ligne : https://video",
        MY,
    ],
    ("ticket_held", "en"): ["awaiting payment of $25.00", "until Friday 19:00", MY],
    ("ticket_held", "fr"): ["en attente du paiement de $25.00", "jusqu'au Friday 19:00", MY],
    ("ticket_paid", "en"): ["received your payment", "is confirmed", "12:00", MY],
    ("ticket_paid", "fr"): ["reçu votre paiement", "est confirmée", "12 h 00", MY],
    ("hold_expired", "en"): ["released", "payment did not arrive", "6:00"],
    ("hold_expired", "fr"): ["libérée", "le paiement n'est pas", "18 h 00"],
    ("registration_cancelled", "en"): ["6:00", "register again"],
    ("registration_cancelled", "fr"): ["18 h 00", "inscrivez-vous de nouveau"],
    ("waitlist_joined", "en"): ["number 3"],
    ("waitlist_joined", "fr"): ["au rang 3"],
    ("waitlist_offered", "en"): [
        "Accept or decline it here: https://hearth.example.org/offer/TOKEN",
        "next person",
    ],
    ("waitlist_offered", "fr"): ["https://hearth.example.org/offer/TOKEN", "personne suivante"],
    ("gathering_updated", "en"): ["Where: Camden, London", "updates your calendar"],
    ("gathering_updated", "fr"): ["Où : Camden, London", "met votre agenda à jour"],
    ("gathering_cancelled", "en"): ["Why: Storm warning"],
    ("gathering_cancelled", "fr"): ["Raison : Storm warning"],
    ("reminder", "en"): ["starts in 24 hours", "Atlantic", MY],
    ("reminder", "fr"): ["commence dans 24 heures", "Atlantique"],
    ("feedback_request", "en"): ["https://hearth.example.org/f/1"],
    ("feedback_request", "fr"): ["https://hearth.example.org/f/1"],
    ("credits_awarded", "en"): ["2026-2027 cycle"],
    ("credits_awarded", "fr"): ["cycle 2026-2027"],
    ("certificate_issued", "en"): ["https://hearth.example.org/verify/ABC"],
    ("certificate_issued", "fr"): ["https://hearth.example.org/verify/ABC", "ordre professionnel"],
    ("group_formed", "en"): ["peer support group"],
    ("group_formed", "fr"): ["groupe de soutien entre pairs"],
    ("group_meeting_reminder", "en"): ["meets in 24 hours", "12:00"],
    ("group_meeting_reminder", "fr"): ["se réunit dans 24 heures", "12 h 00"],
    ("group_digest", "en"): ["* A new group", "* Another"],
    ("group_digest", "fr"): ["* A new group", "* Another"],
}


@pytest.mark.parametrize(("template", "language"), sorted(SUBJECTS))
def test_every_template_in_both_languages(template: str, language: str) -> None:
    email = compose(template, riley(language), LINKS, **context(template, language))
    assert email.subject == SUBJECTS[template, language]
    assert email.language == language
    assert email.category == preferences.TEMPLATES[template].category
    greeting = "Bonjour Riley Doucet," if language == "fr" else "Hello Riley Doucet,"
    for part in (email.text, email.html):
        assert greeting in part
        assert "{{" not in part
        assert "{%" not in part
    for phrase in BODIES[template, language]:
        assert phrase in email.text
    assert f'<html lang="{language}">' in email.html


def test_every_template_is_covered_in_both_languages() -> None:
    assert {t for t, _ in SUBJECTS} == set(preferences.TEMPLATES)


def test_every_group_purpose_is_worded_in_both_languages() -> None:
    # A GroupFormed of any purpose the contract names can be announced (practice_area_circle too).
    assert set(PURPOSES) == set(Interest)


@pytest.mark.parametrize(
    ("utc_start", "zone", "language", "expected"),
    [
        # Halifax: AST (UTC-4) until 14 March 2027, ADT (UTC-3) after.
        (datetime(2027, 3, 11, 16, 0), "America/Halifax", "en", "12:00"),
        (datetime(2027, 3, 18, 16, 0), "America/Halifax", "en", "1:00"),
        (datetime(2027, 3, 18, 16, 0), "America/Halifax", "fr", "13 h 00"),
        # London: GMT until 28 March 2027, BST after; the networking evening starts at 18:00.
        (datetime(2027, 3, 25, 18, 0), "Europe/London", "en", "6:00"),
        (datetime(2027, 4, 1, 17, 0), "Europe/London", "en", "6:00"),
        (datetime(2027, 4, 1, 17, 0), "Europe/London", "fr", "18 h 00"),
    ],
)
def test_times_are_written_in_the_gatherings_zone_across_dst(
    utc_start: datetime, zone: str, language: str, expected: str
) -> None:
    gathering = Gathering(
        uuid.uuid4(),
        EVENING.title,
        utc_start.replace(tzinfo=UTC),
        utc_start.replace(tzinfo=UTC) + timedelta(hours=1),
        zone,
    )
    assert expected in gathering_context(gathering, language)["when"]  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_invitation_parses_with_its_start_in_the_gatherings_zone(language: str) -> None:
    calendar = Calendar.from_ical(invite(EVENING, language, sequence=7))  # type: ignore[arg-type]
    [event] = calendar.events
    start = event.start
    assert isinstance(start, datetime)
    assert str(start.tzinfo) == "Europe/London"
    assert (start.hour, start.minute) == (18, 0)  # BST wall clock
    assert event.start == EVENING.starts_at
    assert event.end == EVENING.ends_at
    assert str(event["SUMMARY"]) == getattr(EVENING.title, language)
    assert str(event["LOCATION"]) == "Camden, London"
    assert event["SEQUENCE"] == 7
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar.timezones  # a VTIMEZONE so any calendar reads the local time right


def test_a_cancellation_notice_cancels_the_same_calendar_entry() -> None:
    first = Calendar.from_ical(invite(QUARTERLY, "en", sequence=1)).events[0]
    cancelled = Calendar.from_ical(invite(QUARTERLY, "en", sequence=2, cancelled=True))
    assert cancelled["METHOD"] == "CANCEL"
    assert cancelled.events[0]["UID"] == first["UID"]
    assert str(cancelled.events[0]["STATUS"]) == "CANCELLED"
    assert str(first["LOCATION"]) == "https://video.example.org/j/quarterly"  # online: the join link


def test_html_is_escaped_but_plain_text_is_not() -> None:
    tea = Gathering(
        uuid.uuid4(),
        Bilingual(en="Tea & <b>talk</b>", fr="Thé"),
        EVENING.starts_at,
        EVENING.ends_at,
        EVENING.time_zone,
    )
    email = compose("ticket_confirmation", riley("en"), LINKS, my_url=MY, **gathering_context(tea, "en"))
    assert "Tea &amp; &lt;b&gt;talk&lt;/b&gt;" in email.html
    assert "Tea & <b>talk</b>" in email.text


@pytest.mark.parametrize(
    ("template", "opted_out", "digest", "expected"),
    [
        ("reminder", {"reminders"}, "none", preferences.Disposition.SUPPRESS),
        ("reminder", {"news"}, "none", preferences.Disposition.SEND),
        ("credits_awarded", {"news"}, "none", preferences.Disposition.SUPPRESS),
        ("feedback_request", {"feedback"}, "none", preferences.Disposition.SUPPRESS),
        ("certificate_issued", {"news"}, "none", preferences.Disposition.SEND),  # critical
        ("ticket_held", {"news", "reminders"}, "none", preferences.Disposition.SEND),  # critical
        ("gathering_cancelled", {"reminders"}, "none", preferences.Disposition.SEND),  # critical
        ("gathering_updated", {"reminders", "news"}, "none", preferences.Disposition.SEND),  # your place
        ("group_formed", set(), "weekly", preferences.Disposition.HOLD),
        ("group_formed", set(), "daily", preferences.Disposition.HOLD),
        ("group_formed", set(), "none", preferences.Disposition.SEND),
        ("group_formed", {"groups"}, "weekly", preferences.Disposition.SUPPRESS),
        ("group_meeting_reminder", set(), "weekly", preferences.Disposition.SEND),  # a reminder cannot wait
    ],
)
def test_preferences_decide_what_is_sent_suppressed_or_held(
    template: str, opted_out: set[str], digest: str, expected: preferences.Disposition
) -> None:
    chosen = frozenset(opted_out)
    assert preferences.disposition(template, chosen, preferences.Digest(digest)) is expected


@pytest.mark.parametrize(("template", "language"), sorted(SUBJECTS))
def test_every_footer_links_to_the_preferences_page_and_only_optional_emails_unsubscribe(
    template: str, language: str
) -> None:
    to = riley(language)
    email = compose(template, to, LINKS, **context(template, language))
    assert "reply to this message" not in email.text
    assert "répondez à ce message" not in email.text
    [preferences_link] = [w for w in email.text.split() if "/email-preferences/" in w]
    token = preferences_link.removeprefix("https://hearth.example.org/email-preferences/")
    assert LINKS.read(Purpose.PREFERENCES, token) == {"person": str(to.person_id)}
    assert f'href="{preferences_link}"' in email.html
    kind = preferences.TEMPLATES[template]
    if kind.critical:
        assert email.unsubscribe_url is None
        assert "/unsubscribe/" not in email.text
        return
    assert email.unsubscribe_url is not None
    assert email.unsubscribe_url in email.text
    token = email.unsubscribe_url.removeprefix("https://hearth.example.org/unsubscribe/")
    assert LINKS.read(Purpose.UNSUBSCRIBE, token) == {"person": str(to.person_id), "category": kind.category}


def test_only_reminders_feedback_group_news_and_news_can_be_opted_out_of() -> None:
    optional = {t for t, k in preferences.TEMPLATES.items() if not k.critical}
    assert optional == {
        "reminder",
        "feedback_request",
        "credits_awarded",
        "group_formed",
        "group_meeting_reminder",
        "group_digest",
    }


def test_reminders_are_real_hours_before_the_start_across_a_change_of_clocks() -> None:
    # 12:00 ADT on Sunday 14 March 2027, the day Halifax moves its clocks forward at 02:00.
    starts = datetime(2027, 3, 14, 15, 0, tzinfo=UTC)
    plans = gathering_plans(
        starts, starts + timedelta(hours=1), [timedelta(hours=24), timedelta(hours=1)], timedelta(hours=1)
    )
    by_template = {(p.template, p.offset_seconds): p.fire_at for p in plans}
    # 24 elapsed hours before is 11:00 AST the day before (not 12:00 on the wall clock).
    assert by_template["reminder", -86400] == datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    assert by_template["reminder", -3600] == datetime(2027, 3, 14, 14, 0, tzinfo=UTC)
    assert by_template["feedback_request", 3600] == datetime(2027, 3, 14, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("code", "permanent"), [(550, True), (554, True), (421, False), (535, False), (None, False)]
)
def test_only_5xx_smtp_replies_are_permanent(code: int | None, permanent: bool) -> None:
    assert sending.is_permanent_smtp_failure(code) is permanent


@pytest.mark.parametrize(
    ("lead", "language", "expected"),
    [
        (timedelta(hours=24), "en", "24 hours"),
        (timedelta(hours=1), "en", "1 hour"),
        (timedelta(hours=1), "fr", "1 heure"),
        (timedelta(minutes=30), "fr", "30 minutes"),
        (timedelta(seconds=90), "en", "90 seconds"),
    ],
)
def test_a_reminders_lead_is_written_in_the_unit_it_was_set_in(
    lead: timedelta, language: str, expected: str
) -> None:
    assert duration(lead, language) == expected  # type: ignore[arg-type]
