"""The mail sender on a real Postgres and a real SMTP server (aiosmtpd, in this process, made slow,
password-protected or refusing the sender at will): two senders never send the same email; a
killed sender repeats at most one; a 535 or a refused sender pauses sending and keeps every email
queued until the relay accepts again; an email that cannot be built fails alone; a sender whose
lease was taken over settles nothing."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes, policy
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from prometheus_client import CollectorRegistry

from hearth_notifications.domain.preferences import Category, Disposition
from hearth_notifications.domain.rendering import Email
from hearth_notifications.settings import NotificationsSettings
from hearth_notifications.store import deliveries
from hearth_notifications.workers.mailer import Mailer
from hearth_testing.fixtures import StartService
from hearth_testing.processes import TEST_SENDER, free_port
from hearth_testing.waiting import eventually

pytestmark = [
    pytest.mark.integration,
    # The test relay takes AUTH without TLS (a relay on loopback); aiosmtpd warns of it.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
]

PASSWORD = "rotated-2027"


class Relay:
    """An SMTP relay that keeps what it accepts; `delay` slows each DATA, `password` (when set)
    is required, `refuse_sender` answers MAIL FROM with a 553."""

    def __init__(self, *, password: str | None = None) -> None:
        self.received: list[Any] = []
        self.lock = threading.Lock()
        self.delay = 0.0
        self.password = password
        self.refuse_sender = False
        self.refuse_recipients: dict[str, str] = {}  # address: the reply to its RCPT
        options: dict[str, Any] = {}
        if password is not None:
            options = {"authenticator": self._authenticate, "auth_required": True, "auth_require_tls": False}
        self._controller = Controller(self, hostname="127.0.0.1", port=free_port(), **options)

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        return AuthResult(success=data.password.decode() == self.password, handled=False)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_sender:
            return "553 5.7.1 Sender address not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_recipients:
            return self.refuse_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self.lock:
            self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def copies(self) -> Counter[str]:
        """How many times each delivery arrived."""
        with self.lock:
            return Counter(str(m["X-Hearth-Delivery-Id"]) for m in self.received)


@contextlib.contextmanager
def running(relay: Relay) -> Iterator[Relay]:
    relay._controller.start()
    try:
        yield relay
    finally:
        relay._controller.stop()


@pytest.fixture(autouse=True)
async def nothing_left_behind(pool: asyncpg.Pool, correlation_id: str) -> AsyncIterator[None]:
    """This test's emails and events are not sent by a service a later test starts."""
    yield
    await pool.execute("DELETE FROM deliveries WHERE correlation_id LIKE $1", f"{correlation_id}%")
    await pool.execute("DELETE FROM outbox WHERE correlation_id LIKE $1", f"{correlation_id}%")


async def queue(
    pool: asyncpg.Pool, correlation_id: str, count: int, first_cause: str | None = None
) -> list[uuid.UUID]:
    """`count` due emails (correlation ids starting with this test's); return their ids."""
    emails = []
    for n in range(count):
        address = f"reader{n}-{uuid.uuid4().hex[:8]}@example.org"
        email = Email(
            "reminder", Category.REMINDERS, "en", address, None, f"Email {n}", "Hello", "<p>Hello</p>"
        )
        cause = first_cause if first_cause and n == 0 else correlation_id
        emails.append(deliveries.NewDelivery(email, Disposition.SEND, None, f"src-{uuid.uuid4()}", cause))
    async with pool.acquire() as conn:
        await deliveries.add(conn, emails)
        rows = await conn.fetch(
            "SELECT id FROM deliveries WHERE correlation_id LIKE $1 ORDER BY subject", f"{correlation_id}%"
        )
    return [r["id"] for r in rows]


async def statuses(pool: asyncpg.Pool, ids: list[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await pool.fetch("SELECT * FROM deliveries WHERE id = ANY($1::uuid[])", ids)
    return {r["id"]: r for r in rows}


def settings(relay: Relay, **changes: Any) -> NotificationsSettings:
    return NotificationsSettings(smtp_port=relay.port, mail_lease_seconds=3, mail_from=TEST_SENDER, **changes)


@contextlib.asynccontextmanager
async def sending(*mailers: Mailer) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(m.run()) for m in mailers]
    try:
        yield
    finally:
        for mailer in mailers:
            await mailer.stop(flush_timeout=0)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def arrived(relay: Relay, ids: list[uuid.UUID], timeout: float = 30) -> Counter[str]:
    wanted = {str(i) for i in ids}
    return await eventually(
        lambda: _mine(relay, wanted), lambda copies: set(copies) >= wanted, timeout=timeout, interval=0.05
    )


async def _mine(relay: Relay, wanted: set[str]) -> Counter[str]:
    return Counter({k: v for k, v in relay.copies().items() if k in wanted})


async def test_two_senders_never_send_the_same_email_even_when_the_relay_outlasts_the_lease(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    """20 emails at 0.4 s each over two connections per sender: a lane takes longer than the 3 s
    lease, which the sender renews; the other sender takes none of what the first holds."""
    with running(Relay()) as relay:
        relay.delay = 0.4
        ids = await queue(pool, correlation_id, 20)
        one, two = (Mailer(pool, settings(relay, mail_batch_size=20)) for _ in range(2))
        async with sending(one, two):
            copies = await arrived(relay, ids, timeout=40)
            await asyncio.sleep(4)  # past a lease: nothing comes a second time
            copies = await _mine(relay, {str(i) for i in ids})
        assert set(copies.values()) == {1}, copies
        assert {r["status"] for r in (await statuses(pool, ids)).values()} == {"sent"}


@pytest.mark.parametrize(("how", "repeats"), [("kill", 1), ("stop", 0)])
async def test_a_killed_sender_repeats_at_most_one_email_and_a_stopped_one_none(
    start_service: StartService, pool: asyncpg.Pool, correlation_id: str, how: str, repeats: int
) -> None:
    """SIGKILL in the middle of a batch: at most the email on the wire is sent again. SIGTERM:
    the sender settles what it sent (and sends on within the grace period), nothing repeats."""
    with running(Relay()) as relay:
        relay.delay = 0.2
        options = {"smtp_port": relay.port, "smtp_connections": 1, "mail_lease_seconds": 3}
        # Sending needs the database and the relay, not the broker: /health is enough.
        notifications = await start_service("notifications", wait_for="/health", **options)
        ids = await queue(pool, correlation_id, 15)
        await eventually(lambda: _mine(relay, {str(i) for i in ids}), lambda c: len(c) >= 5, interval=0.02)
        # In the middle of a batch: one email on the wire, the rest leased.
        await (notifications.kill() if how == "kill" else notifications.stop())
        await start_service("notifications", wait_for="/health", **options)
        copies = await arrived(relay, ids)
        await asyncio.sleep(1)
        copies = await _mine(relay, {str(i) for i in ids})
    assert sum(copies.values()) - len(ids) <= repeats, copies  # at most the one in flight
    rows = await eventually(
        lambda: statuses(pool, ids), lambda rows: {r["status"] for r in rows.values()} == {"sent"}
    )
    assert len(rows) == len(ids)


@pytest.mark.parametrize("refusal", ["authentication", "sender"])
async def test_a_relay_refusing_the_service_pauses_sending_and_keeps_every_email_queued(
    pool: asyncpg.Pool, correlation_id: str, refusal: str
) -> None:
    """A rotated password (535) or a refused sender (553 to MAIL FROM) fails no email: sending
    pauses (logged, and the metric says so) and resumes once the relay accepts; each email goes once."""
    relay = Relay(password=PASSWORD if refusal == "authentication" else None)
    relay.refuse_sender = refusal == "sender"
    with running(relay):
        login = {"smtp_username": "hearth", "smtp_password": "old-password"} if relay.password else {}
        chosen = settings(relay, smtp_pause_max_seconds=1, **login)
        registry = CollectorRegistry()
        mailer = Mailer(pool, chosen, registry=registry)
        ids = await queue(pool, correlation_id, 5)
        async with sending(mailer):
            rows = await eventually(
                lambda: statuses(pool, ids),
                lambda rows: any(r["attempts"] >= 3 for r in rows.values()),
                timeout=20,
            )
            assert {r["status"] for r in rows.values()} <= {"pending", "sending"}
            expected = "535" if relay.password else "553"
            assert any(expected in (r["last_error"] or "") for r in rows.values())
            assert registry.get_sample_value("hearth_mail_sending_paused") == 1
            phase = "auth" if relay.password else "sender"
            assert (registry.get_sample_value("hearth_mail_pauses_total", {"phase": phase}) or 0) >= 3
            assert relay.copies() == Counter()

            relay.password, relay.refuse_sender = "old-password", False  # the relay accepts again
            copies = await arrived(relay, ids, timeout=20)
            assert set(copies.values()) == {1}
            rows = await eventually(
                lambda: statuses(pool, ids), lambda rows: {r["status"] for r in rows.values()} == {"sent"}
            )
            assert registry.get_sample_value("hearth_mail_sending_paused") == 0


async def test_an_email_that_cannot_be_built_fails_alone_and_the_others_flow(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    """A correlation id taken from an X-Correlation-Id header with a line break in it cannot be a
    header: that email fails (with NotificationFailed); the others are sent, once."""
    with running(Relay()) as relay:
        ids = await queue(pool, correlation_id, 4, first_cause=f"{correlation_id}\r\nBcc: x@example.org")
        mailer = Mailer(pool, settings(relay))
        async with sending(mailer):
            rows = await eventually(
                lambda: statuses(pool, ids),
                lambda rows: {r["status"] for r in rows.values()} == {"sent", "failed"},
                timeout=20,
            )
            await asyncio.sleep(0.5)
        [bad] = [r for r in rows.values() if r["status"] == "failed"]
        assert "\r\n" in bad["correlation_id"]
        assert "could not be built" in bad["last_error"]
        assert bad["attempts"] == 1
        copies = relay.copies()
        assert str(bad["id"]) not in copies
        assert {copies[str(i)] for i in ids if i != bad["id"]} == {1}
        event = await pool.fetchval(
            "SELECT convert_from(body, 'UTF8') FROM outbox WHERE correlation_id = $1 AND event_type = $2",
            bad["correlation_id"],
            "org.hearth.notifications.notification_failed.v1",
        )
        assert event is not None
        assert "could not be built" in event


async def emails_counted(registry: CollectorRegistry, outcome: str) -> float:
    """`hearth_emails_<outcome>_total` of these reminders (the only label is the category)."""
    return registry.get_sample_value(f"hearth_emails_{outcome}_total", {"category": "reminders"}) or 0.0


@pytest.mark.parametrize(
    ("reply", "status"), [("550 5.1.1 mailbox unavailable", "failed"), ("452 4.2.2 mailbox full", "pending")]
)
async def test_a_refused_recipient_fails_or_waits_alone_and_sending_goes_on(
    pool: asyncpg.Pool, correlation_id: str, reply: str, status: str
) -> None:
    """A 5xx to RCPT fails that email at once; a 4xx reschedules it with a delay; neither pauses
    sending, so the other emails go."""
    with running(Relay()) as relay:
        ids = await queue(pool, correlation_id, 3)
        refused = (await statuses(pool, ids[:1]))[ids[0]]
        relay.refuse_recipients[refused["to_address"]] = reply
        registry = CollectorRegistry()
        mailer = Mailer(pool, settings(relay), registry=registry)
        async with sending(mailer):
            copies = await arrived(relay, ids[1:])
            row = await eventually(
                lambda: statuses(pool, ids[:1]), lambda rows: rows[ids[0]]["attempts"] == 1
            )
            sent = await eventually(
                lambda: emails_counted(registry, "sent"), lambda n: n == 2, what="two emails counted sent"
            )
        assert (sent, await emails_counted(registry, "failed")) == (2, 1 if status == "failed" else 0)
        assert set(copies.values()) == {1}
        assert row[ids[0]]["status"] == status
        assert reply.split()[0] in row[ids[0]]["last_error"]
        assert registry.get_sample_value("hearth_mail_sending_paused") in (None, 0)
        if status == "pending":
            assert row[ids[0]]["next_attempt_at"] > row[ids[0]]["created_at"]


async def test_a_sender_whose_lease_was_taken_over_settles_nothing(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    [delivery] = await queue(pool, correlation_id, 1)
    first, second = uuid.uuid4(), uuid.uuid4()
    async with pool.acquire() as conn:
        # Due before anything else in the table, so a claim of one takes it.
        await conn.execute(
            "UPDATE deliveries SET next_attempt_at = now() - interval '10 years' WHERE id = $1", delivery
        )
        assert [r.id for r in await deliveries.claim_due(conn, 1, 60, first)] == [delivery]
        await conn.execute(
            "UPDATE deliveries SET lease_until = now() - interval '1 s' WHERE id = $1", delivery
        )
        assert [r.id for r in await deliveries.claim_due(conn, 1, 60, second)] == [delivery]
        assert not await deliveries.hold(conn, delivery, first, 60)
        assert await deliveries.mark_sent(conn, delivery, first) is None
        assert not await deliveries.mark_failed(conn, delivery, first, "late")
        assert await deliveries.hold(conn, delivery, second, 60)
        assert await deliveries.mark_sent(conn, delivery, second) is not None


async def test_renewing_leases_never_waits_on_a_delivery_being_settled(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    """The sender renews its leases while its lanes settle answers: renewal skips the rows a
    settlement holds instead of waiting for them (waiting, in its own row order, deadlocked)."""
    ids = await queue(pool, correlation_id, 3)
    owner = uuid.uuid4()
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE deliveries SET status = 'sending', lease_owner = $2, lease_until = now() "
            "WHERE id = ANY($1::uuid[])",
            ids,
            owner,
        )
    async with pool.acquire() as settling, settling.transaction():
        await settling.execute("UPDATE deliveries SET attempts = attempts WHERE id = $1", ids[0])
        async with pool.acquire() as renewing:
            renewed = await asyncio.wait_for(deliveries.renew(renewing, owner, 60), 5)
    assert renewed == 2
    async with pool.acquire() as conn:
        leases = await conn.fetch(
            "SELECT id, lease_until > now() + interval '30 s' AS renewed FROM deliveries "
            "WHERE id = ANY($1::uuid[])",
            ids,
        )
    assert {r["id"]: r["renewed"] for r in leases} == {ids[0]: False, ids[1]: True, ids[2]: True}


async def test_the_service_will_not_start_without_a_sender_address(start_service: StartService) -> None:
    """No HEARTH_MAIL_FROM: the process exits at once, saying what to set, instead of sending
    from an address the association does not own."""
    with pytest.raises(RuntimeError, match="HEARTH_MAIL_FROM is required"):
        await start_service("notifications", wait_for="/health", mail_from="")


async def test_fewer_emails_than_connections_are_each_sent_once(
    pool: asyncpg.Pool, correlation_id: str
) -> None:
    """A batch smaller than the connections leaves lanes with nothing to send: the others send."""
    with running(Relay()) as relay:
        ids = await queue(pool, correlation_id, 2)
        mailer = Mailer(pool, settings(relay, smtp_connections=5))
        async with sending(mailer):
            copies = await arrived(relay, ids, timeout=10)
            await eventually(
                lambda: statuses(pool, ids), lambda rows: {r["status"] for r in rows.values()} == {"sent"}
            )
        assert set(copies.values()) == {1}
