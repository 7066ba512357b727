"""Notifications on the real broker, database and an SMTP server: reminders at the right instant
across changes of clocks (the scheduler's clock injected), moved and dropped with their gathering;
SMTP down then back; refused addresses; preferences and digests; the delivery log and resend.
Emails as a new attendee receives them: every link a signed link to the public site that the
gateway reads with HEARTH_LINK_KEY; the RFC 8058 one-click opt-out of reminders; the language a
person chose; ticket emails that say the ticket's state."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import asyncpg
import pytest
from aio_pika.abc import AbstractRobustConnection
from icalendar import Calendar

from hearth_notifications.settings import NotificationsSettings
from hearth_notifications.workers.scheduler import Scheduler
from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import (
    CATALOGUE,
    Bilingual,
    CertificateIssued,
    CreditsAwarded,
    EventData,
    GatheringCancelled,
    GatheringScheduled,
    GatheringUpdated,
    GroupFormed,
    Language,
    NotificationDelivered,
    NotificationFailed,
    PersonDetails,
    RegistrationCancelled,
)
from hearth_shared.db import connect_with_retry
from hearth_shared.messaging import Names
from hearth_shared.signed_links import KEY_VARIABLE, PATHS, Purpose, SignedLinks
from hearth_testing.broker import collect, publish_event, watch
from hearth_testing.builders import gathering_scheduled, person_details, ticket_purchased
from hearth_testing.fixtures import StartService
from hearth_testing.infra import TestDatabase
from hearth_testing.processes import ServiceProcess, TcpProxy
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

Publish = Callable[[EventData], Any]


@pytest.fixture
def publish(amqp: AbstractRobustConnection, name_prefix: str) -> Callable[[EventData], Any]:
    async def publish(data: EventData) -> CloudEvent[Any]:
        event = new_event(data, source="/hearth/test")
        await publish_event(amqp, Names(name_prefix, "registration"), event)
        return event

    return publish


@pytest.fixture
async def pool(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    """The notifications schema, as the service's own role sees it (for a scheduler on a test clock)."""
    found = await connect_with_retry(database.dsn("notifications"), "notifications", max_size=3)
    yield found
    await found.close()


def someone(language: Language = "en") -> PersonDetails:
    return person_details(language, name="Alex Roy")


def gathering(starts_at: datetime, zone: str, **changes: Any) -> GatheringScheduled:
    title = Bilingual(en="Justice circle", fr="Cercle justice")
    return gathering_scheduled(starts_at, zone, title=title, capacity=40, **changes)


async def log(service: ServiceProcess, **filters: Any) -> list[dict[str, Any]]:
    async with service.client() as client:
        response = await client.get("/deliveries", params=filters)
    assert response.status_code == 200, response.text
    return list(response.json())


async def until_logged(
    service: ServiceProcess, count: int = 1, timeout: float = 20, **filters: Any
) -> list[dict[str, Any]]:
    return await eventually(
        lambda: log(service, **filters), lambda found: len(found) >= count, timeout=timeout
    )


async def planned(pool: asyncpg.Pool, subject_id: uuid.UUID) -> dict[str, tuple[datetime, str]]:
    """Wait until the subject's plans are stored; each template/offset with its instant and status."""
    rows = await eventually(
        lambda: pool.fetch("SELECT * FROM plans WHERE subject_id = $1", subject_id), timeout=20
    )
    return {f"{r['template']}{r['offset_seconds']}": (r["fire_at"], r["status"]) for r in rows}


def calendar_of(email: EmailMessage) -> Calendar:
    [attachment] = [p for p in email.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


@pytest.mark.parametrize(
    ("starts_at", "zone", "day_before", "local"),
    [
        # 12:00 ADT on 14 March 2027, the morning Halifax springs forward: 24 hours before is
        # 11:00 AST on the 13th (15:00 UTC), not noon on the wall clock.
        (
            datetime(2027, 3, 14, 15, 0, tzinfo=UTC),
            "America/Halifax",
            datetime(2027, 3, 13, 15, 0, tzinfo=UTC),
            "12:00",
        ),
        # 18:00 BST on 28 March 2027, the day London springs forward: 24 hours before is 17:00 GMT.
        (
            datetime(2027, 3, 28, 17, 0, tzinfo=UTC),
            "Europe/London",
            datetime(2027, 3, 27, 17, 0, tzinfo=UTC),
            "6:00",
        ),
    ],
)
async def test_reminders_fire_at_the_right_instant_across_a_change_of_clocks(
    start_service: StartService,
    smtp_sink: SmtpSink,
    publish: Publish,
    pool: asyncpg.Pool,
    starts_at: datetime,
    zone: str,
    day_before: datetime,
    local: str,
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    g, who = gathering(starts_at, zone), someone()
    await publish(g)
    await publish(ticket_purchased(g, who))
    await smtp_sink.wait_for(str(who.email))  # the confirmation
    plans = await planned(pool, g.gathering_id)
    assert plans["reminder-86400"] == (day_before, "planned")
    assert plans["reminder-3600"] == (starts_at - timedelta(hours=1), "planned")

    scheduler = Scheduler(pool, NotificationsSettings(), clock=lambda: day_before)
    await scheduler.fire_due(day_before - timedelta(seconds=1))
    assert await log(notifications, person_id=who.person_id, template="reminder") == []
    await scheduler.fire_due(day_before)
    [email] = [m for m in await smtp_sink.wait_for(str(who.email), 2) if m["Subject"].startswith("In")]
    assert email["Subject"] == "In 24 hours: Justice circle"
    assert local in email.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    await scheduler.fire_due(day_before + timedelta(minutes=5))  # a second pass: nothing more
    assert len(await log(notifications, person_id=who.person_id, template="reminder")) == 1
    await scheduler.fire_due(starts_at - timedelta(hours=1))
    await smtp_sink.wait_for(str(who.email), 3)
    reminders = await until_logged(
        notifications, 2, person_id=who.person_id, template="reminder", status="sent"
    )
    assert sorted(r["subject"] for r in reminders) == [
        "In 1 hour: Justice circle",
        "In 24 hours: Justice circle",
    ]


async def test_reminders_move_with_the_gathering_and_never_fire_once_it_is_cancelled(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, pool: asyncpg.Pool
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    first = datetime(2027, 5, 6, 16, 0, tzinfo=UTC)
    moved_to = first + timedelta(days=7, hours=2)
    g, who = gathering(first, "America/Halifax"), someone("fr")
    cancelled, other = gathering(first, "America/Halifax"), someone()
    for data in (g, ticket_purchased(g, who), cancelled, ticket_purchased(cancelled, other)):
        await publish(data)
    await planned(pool, g.gathering_id)
    await planned(pool, cancelled.gathering_id)
    await smtp_sink.wait_for(str(other.email))
    await publish(
        GatheringUpdated(
            **(g.model_dump() | {"starts_at": moved_to, "ends_at": moved_to + timedelta(hours=1)})
        )
    )
    await publish(GatheringCancelled(gathering_id=cancelled.gathering_id, reason="Facilitator ill"))

    await eventually(
        lambda: planned(pool, g.gathering_id),
        lambda plans: plans["reminder-3600"][0] == moved_to - timedelta(hours=1),
        timeout=20,
    )
    # The holder hears of the change (an updated invitation) and the other of the cancellation.
    [changed] = [
        m for m in await smtp_sink.wait_for(str(who.email), 2) if m["Subject"].startswith("Modification")
    ]
    assert "jeudi 13 mai 2027" in changed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert calendar_of(changed).events[0].start == moved_to
    [notice] = [
        m for m in await smtp_sink.wait_for(str(other.email), 2) if m["Subject"].startswith("Cancelled")
    ]
    # Read once the cancellation has been handled (its notice is mailed after the plans are dropped).
    assert (await planned(pool, cancelled.gathering_id))["reminder-3600"][1] == "dropped"
    assert "Why: Facilitator ill" in notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert calendar_of(notice)["METHOD"] == "CANCEL"

    scheduler = Scheduler(pool, NotificationsSettings(), clock=lambda: first)
    await scheduler.fire_due(first)  # the old instants, and the cancelled gathering's
    assert await log(notifications, person_id=who.person_id, template="reminder") == []
    assert await log(notifications, person_id=other.person_id, template="reminder") == []
    await scheduler.fire_due(moved_to - timedelta(hours=1))
    sent = await until_logged(notifications, 2, person_id=who.person_id, template="reminder", status="sent")
    assert sorted(r["subject"] for r in sent) == [
        "Dans 1 heure : Cercle justice",
        "Dans 24 heures : Cercle justice",
    ]
    assert await log(notifications, person_id=other.person_id, template="reminder") == []


async def test_a_reminder_planned_before_a_restart_fires_on_time_after_it(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, pool: asyncpg.Pool
) -> None:
    """The service's own scheduler on the real clock: a reminder 1 hour before a gathering that
    starts in 1 hour and 6 seconds, with the service restarted in between."""
    first = await start_service("notifications", smtp_port=smtp_sink.port)
    starts_at = datetime.now(UTC) + timedelta(hours=1, seconds=6)
    g, who = gathering(starts_at, "Europe/London"), someone()
    await publish(g)
    await publish(ticket_purchased(g, who))
    await planned(pool, g.gathering_id)
    await first.stop()
    again = await start_service("notifications", smtp_port=smtp_sink.port)
    [email] = [m for m in await smtp_sink.wait_for(str(who.email), 2) if m["Subject"].startswith("In 1 hour")]
    [row] = await until_logged(again, person_id=who.person_id, template="reminder", status="sent")
    fired = datetime.fromisoformat(row["created_at"])
    assert starts_at - timedelta(hours=1) <= fired < starts_at - timedelta(hours=1) + timedelta(seconds=3)
    assert email["Subject"] == "In 1 hour: Justice circle"


async def test_smtp_down_for_a_while_is_retried_then_delivered(
    start_service: StartService,
    smtp_sink: SmtpSink,
    publish: Publish,
    amqp: AbstractRobustConnection,
    name_prefix: str,
) -> None:
    proxy = TcpProxy("127.0.0.1", smtp_sink.port)  # not listening yet: the SMTP server is down
    notifications = await start_service("notifications", smtp_port=proxy.port)
    delivered = await watch(amqp, Names(name_prefix, "test"), NotificationDelivered)
    g, who = gathering(datetime(2027, 9, 9, 16, 0, tzinfo=UTC), "America/Halifax"), someone()
    await publish(g)
    purchase = await publish(ticket_purchased(g, who))
    rows = await eventually(
        lambda: log(notifications, person_id=who.person_id),
        lambda rows: bool(rows) and rows[0]["attempts"] >= 2,
        timeout=20,
    )
    assert rows[0]["status"] in ("pending", "sending")
    assert "SMTP unavailable" in rows[0]["last_error"]
    await proxy.restore()
    try:
        [email] = await smtp_sink.wait_for(str(who.email), timeout=30)
        [row] = await until_logged(notifications, person_id=who.person_id, status="sent")
    finally:
        await proxy.cut()  # only once the server's answer is back, or the sender retries
    assert email["Subject"] == "Your place is confirmed: Justice circle"
    assert calendar_of(email).events[0].start == g.starts_at
    assert row["attempts"] >= 3
    events = [e for e in await collect(delivered, 1) if e["data"]["person_id"] == str(who.person_id)]
    assert events[0]["data"]["source_event_id"] == purchase.id
    assert events[0]["data"]["template"] == "ticket_confirmation"


async def test_a_refused_address_fails_with_its_reason_in_the_log(
    start_service: StartService,
    smtp_sink: SmtpSink,
    publish: Publish,
    amqp: AbstractRobustConnection,
    name_prefix: str,
) -> None:
    notifications = await start_service("notifications", smtp_port=smtp_sink.port)
    failed = await watch(amqp, Names(name_prefix, "test"), NotificationFailed)
    g, refused, fine = (
        gathering(datetime(2027, 9, 9, 16, 0, tzinfo=UTC), "Europe/London"),
        someone(),
        someone(),
    )
    smtp_sink.refuse.add(str(refused.email))
    for data in (ticket_purchased(g, refused), ticket_purchased(g, fine)):
        await publish(data)
    await smtp_sink.wait_for(str(fine.email))  # valid work keeps flowing
    [row] = await until_logged(notifications, to=str(refused.email), status="failed")
    assert row["attempts"] == 1  # a 5xx is not retried
    assert "550" in row["last_error"]
    assert "mailbox unavailable" in row["last_error"]
    [event] = await collect(failed, 1)
    assert event["data"]["delivery_id"] == row["id"]
    assert "550" in event["data"]["reason"]
    assert smtp_sink.to(str(refused.email)) == []
    # The watcher lives on the session's connection: removed, so later NotificationFailed events
    # go unrouted again (the privacy tests read them there).
    await failed.delete(if_unused=False, if_empty=False)

    async with notifications.client() as client:
        smtp_sink.refuse.discard(str(refused.email))  # the address was fixed at the mail server
        response = await client.post(f"/deliveries/{row['id']}/resend")
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "pending"
        await smtp_sink.wait_for(str(refused.email))
        missing = await client.post(f"/deliveries/{uuid.uuid4()}/resend")
        assert missing.status_code == 404
        assert (await client.get("/deliveries", params={"status": "lost"})).status_code == 422


def a_zone_just_past_midnight() -> str:
    """A fixed-offset zone whose local time is now between midnight and one: a digest due at 23:00
    there is not due for the next 22 hours, whatever the time the test runs."""
    offset = datetime.now(UTC).hour  # hours behind UTC that put the local hour at 0
    return f"Etc/GMT+{offset}" if offset <= 12 else f"Etc/GMT-{24 - offset}"


async def test_opt_outs_suppress_all_but_critical_messages_and_digests_gather_group_news(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, pool: asyncpg.Pool
) -> None:
    # The service's own scheduler must not send the digest before the test has seen it held.
    notifications = await start_service(
        "notifications",
        smtp_port=smtp_sink.port,
        digest_time_zone=a_zone_just_past_midnight(),
        digest_at="23:00",
    )
    g, who = gathering(datetime(2027, 10, 7, 16, 0, tzinfo=UTC), "America/Halifax"), someone("fr")
    await publish(g)
    await publish(ticket_purchased(g, who))
    await smtp_sink.wait_for(str(who.email))
    async with notifications.client() as client:
        prefs = f"/people/{who.person_id}/preferences"
        assert (await client.get(prefs)).json() == {"opted_out": [], "digest": "none", "language": None}
        for bad in ({"opted_out": ["everything"]}, {"opted_out": ["tickets"]}, {"digest": "hourly"}):
            assert (await client.put(prefs, json=bad)).status_code == 422, bad  # tickets: critical
        assert (await client.put(f"/people/{uuid.uuid4()}/preferences", json={})).status_code == 404
        chosen = {"opted_out": ["news", "reminders"], "digest": "daily", "language": None}
        assert (await client.put(prefs, json=chosen)).status_code == 200
        assert (await client.get(prefs)).json() == chosen

    await publish(
        CreditsAwarded(
            entry_id=uuid.uuid4(),
            person_id=who.person_id,
            activity_id=g.gathering_id,
            hours=1.5,  # type: ignore[arg-type]
            category="group",
            cycle="2027-2028",
            activity_title=g.title,
            attendee=who,
        )
    )
    await publish(
        CertificateIssued(
            certificate_id=uuid.uuid4(),
            verification_code="HRTH-7K2P-9QXM",
            person_id=who.person_id,
            activity_id=g.gathering_id,
            activity_title=g.title,
            hours=1.5,  # type: ignore[arg-type]
            certificate_path="/certificates/HRTH-7K2P-9QXM.pdf",
            verification_path="/verify/HRTH-7K2P-9QXM",
            attendee=who,
        )
    )
    await publish(
        GroupFormed(
            group_id=uuid.uuid4(),
            name=Bilingual(en="Justice peer support", fr="Soutien entre pairs justice"),
            purpose="peer_support",
            language="fr",
            member_person_ids=[who.person_id],  # type: ignore[arg-type]
        )
    )
    [certificate] = [m for m in await smtp_sink.wait_for(str(who.email), 2) if "attestation" in m["Subject"]]
    assert "/verify/HRTH-7K2P-9QXM" in certificate.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [suppressed] = await until_logged(notifications, person_id=who.person_id, template="credits_awarded")
    assert suppressed["status"] == "suppressed"
    assert suppressed["last_error"] == "opted out of news"
    [held] = await until_logged(notifications, person_id=who.person_id, template="group_formed")
    assert held["status"] == "held"

    # The digest goes out at 08:00 Toronto time: not at 07:59, once at 08:00, not again that day.
    settings = NotificationsSettings(digest_time_zone="America/Toronto")
    morning = datetime(2027, 10, 8, 12, 0, tzinfo=UTC)  # 08:00 EDT
    scheduler = Scheduler(pool, settings, clock=lambda: morning)
    assert await scheduler.send_digests(morning - timedelta(minutes=1)) == 0
    assert await scheduler.send_digests(morning) >= 1
    [digest] = [m for m in await smtp_sink.wait_for(str(who.email), 3) if "groupes" in m["Subject"]]
    assert digest["Subject"] == "Vos groupes aujourd'hui : 1 nouvelle"
    assert "Soutien entre pairs justice" in digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [held] = await log(notifications, person_id=who.person_id, template="group_formed")
    assert held["status"] == "digested"
    await scheduler.send_digests(morning + timedelta(hours=1))
    assert len(await log(notifications, person_id=who.person_id, template="group_digest")) == 1


KEY = "link-key-for-the-tests-0123456789abcdef"


@pytest.fixture
def public_url() -> str:
    """A public address of this test's own (the signer is cached per address)."""
    return f"https://hearth-{uuid.uuid4().hex[:8]}.example.org"


@pytest.fixture
def links(public_url: str) -> SignedLinks:
    return SignedLinks([KEY], public_url)


async def with_links(start: StartService, smtp: SmtpSink, public_url: str) -> ServiceProcess:
    return await start("notifications", smtp_port=smtp.port, link_key=KEY, public_url=public_url)


def text(email: EmailMessage) -> str:
    return str(email.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def read(links: SignedLinks, url: str, purpose: Purpose) -> dict[str, str]:
    """What the gateway's page for `purpose` reads from the link (LinkRefused if it cannot)."""
    prefix = links.public_url + PATHS[purpose]
    assert url.startswith(prefix), url
    return links.read(purpose, url.removeprefix(prefix).rstrip(".,)"))


def link(email: EmailMessage, links: SignedLinks, purpose: Purpose) -> str:
    prefix = links.public_url + PATHS[purpose]
    [found] = {w for w in text(email).split() if w.startswith(prefix)}
    return found


def starting_in_two_days() -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


async def test_the_confirmation_links_to_my_registration_and_the_preferences_page_signed(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, public_url: str, links: SignedLinks
) -> None:
    await with_links(start_service, smtp_sink, public_url)
    g, who = gathering_scheduled(starting_in_two_days()), person_details("en")
    purchase = ticket_purchased(g, who)
    await publish(g)
    await publish(purchase)
    [email] = await smtp_sink.wait_for(str(who.email))
    body = text(email)
    assert "Your place at" in body
    assert read(links, link(email, links, Purpose.REGISTRATION), Purpose.REGISTRATION) == {
        "ticket": str(purchase.ticket_id)
    }
    assert read(links, link(email, links, Purpose.PREFERENCES), Purpose.PREFERENCES) == {
        "person": str(who.person_id)
    }
    assert "reply to this message" not in body
    assert "127.0.0.1:800" not in body  # no raw service route
    assert email["List-Unsubscribe"] is None  # a confirmation is critical: no opt-out


async def test_one_click_unsubscribe_from_reminders_stops_reminders_and_nothing_else(
    start_service: StartService,
    smtp_sink: SmtpSink,
    publish: Publish,
    pool: asyncpg.Pool,
    public_url: str,
    links: SignedLinks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = await with_links(start_service, smtp_sink, public_url)
    monkeypatch.setenv(KEY_VARIABLE, KEY)  # the scheduler below signs in this process
    starts = starting_in_two_days()
    g, who = gathering_scheduled(starts), person_details("en")
    await publish(g)
    await publish(ticket_purchased(g, who))
    await smtp_sink.wait_for(str(who.email))
    await eventually(lambda: pool.fetch("SELECT 1 FROM plans WHERE subject_id = $1", g.gathering_id))

    settings = NotificationsSettings(public_url=public_url)
    scheduler = Scheduler(pool, settings, clock=lambda: starts)
    await scheduler.fire_due(starts - timedelta(hours=24))
    [reminder] = [m for m in await smtp_sink.wait_for(str(who.email), 2) if m["Subject"].startswith("In 24")]
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = str(reminder["List-Unsubscribe"]).strip()  # folded: the link is longer than a line
    assert header.startswith("<")
    assert header.endswith(">")
    subject = read(links, header[1:-1], Purpose.UNSUBSCRIBE)
    assert subject == {"person": str(who.person_id), "category": "reminders"}

    # The mail client's POST reaches the gateway's /unsubscribe/{token}, which calls this.
    async with service.client(role="public") as client:
        for _ in range(2):  # a repeated one-click changes nothing
            answer = await client.post(
                f"/people/{subject['person']}/unsubscribe", json={"category": "reminders"}
            )
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"opted_out": ["reminders"], "digest": "none", "language": None}
        critical = await client.post(f"/people/{who.person_id}/unsubscribe", json={"category": "tickets"})
        assert critical.status_code == 422
        unknown = await client.post(f"/people/{uuid.uuid4()}/unsubscribe", json={"category": "reminders"})
        assert unknown.status_code == 404

    await scheduler.fire_due(starts - timedelta(hours=1))
    rows = await eventually(
        lambda: pool.fetch(
            "SELECT status, last_error FROM deliveries WHERE person_id = $1 AND template = 'reminder' "
            "ORDER BY created_at",
            who.person_id,
        ),
        lambda rows: len(rows) == 2,
    )
    assert [r["status"] for r in rows] == ["sent", "suppressed"]
    assert rows[1]["last_error"] == "opted out of reminders"
    # Critical news still comes: a second ticket's confirmation.
    other = gathering_scheduled(starts + timedelta(days=7))
    await publish(other)
    await publish(ticket_purchased(other, who))
    await smtp_sink.wait_for(str(who.email), 3)


async def test_the_language_a_person_chose_wins_over_the_one_events_give(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, public_url: str
) -> None:
    service = await with_links(start_service, smtp_sink, public_url)
    g, who = gathering_scheduled(starting_in_two_days()), person_details("en")
    await publish(g)
    await publish(ticket_purchased(g, who))
    await smtp_sink.wait_for(str(who.email))
    async with service.client(role="public") as client:
        chosen = {"opted_out": ["feedback"], "digest": "weekly", "language": "fr"}
        answer = await client.put(f"/people/{who.person_id}/preferences", json=chosen)
        assert answer.status_code == 200, answer.text
        assert (await client.get(f"/people/{who.person_id}/preferences")).json() == chosen
    other = gathering_scheduled(starting_in_two_days() + timedelta(days=3))
    await publish(other)
    await publish(ticket_purchased(other, who))  # the event still says English
    emails = await smtp_sink.wait_for(str(who.email), 2)
    assert emails[-1]["Subject"].startswith("Votre place est confirmée")
    assert "Choisissez les courriels que vous recevez" in text(emails[-1])


async def test_a_held_ticket_says_it_awaits_payment_until_the_holds_expiry(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, public_url: str, links: SignedLinks
) -> None:
    await with_links(start_service, smtp_sink, public_url)
    g, who = gathering_scheduled(starting_in_two_days()), person_details("en")
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    held = ticket_purchased(g, who, price_cents=4500, status="awaiting_payment", hold_expires_at=expires)
    await publish(g)
    await publish(held)
    [email] = await smtp_sink.wait_for(str(who.email))
    assert email["Subject"].startswith("Your place is held until payment")
    assert "$45.00" in text(email)
    assert read(links, link(email, links, Purpose.REGISTRATION), Purpose.REGISTRATION) == {
        "ticket": str(held.ticket_id)
    }


async def test_a_paid_hold_is_confirmed_with_the_invitation_and_an_expired_one_released(
    start_service: StartService, smtp_sink: SmtpSink, publish: Publish, public_url: str
) -> None:
    await with_links(start_service, smtp_sink, public_url)
    g, payer, lapser = gathering_scheduled(starting_in_two_days()), person_details("en"), person_details("en")
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    await publish(g)
    held = {}
    for who in (payer, lapser):
        held[who.person_id] = purchase = ticket_purchased(
            g, who, price_cents=4500, status="awaiting_payment", hold_expires_at=expires
        )
        await publish(purchase)
        await smtp_sink.wait_for(str(who.email))
    paid = CATALOGUE["org.hearth.registration.ticket_confirmed.v1"](
        ticket_id=held[payer.person_id].ticket_id, person_id=payer.person_id, gathering_id=g.gathering_id
    )
    await publish(paid)
    lapsed = held[lapser.person_id]
    await publish(
        RegistrationCancelled(
            ticket_id=lapsed.ticket_id,
            gathering=lapsed.gathering,
            attendee=lapser,
            reason="hold_expired",  # type: ignore[call-arg]
        )
    )
    confirmed = (await smtp_sink.wait_for(str(payer.email), 2))[-1]
    assert confirmed["Subject"].startswith("Payment received, your place is confirmed")
    assert calendar_of(confirmed).events[0].start == g.starts_at
    released = (await smtp_sink.wait_for(str(lapser.email), 2))[-1]
    assert released["Subject"].startswith("Your held place has been released")
