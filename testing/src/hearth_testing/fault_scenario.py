"""The fault scenario of issue 15, for tests/test_faults.py and bench/faults.py.

Registration, credits and notifications run as processes on a RabbitMQ node and a PostgreSQL
cluster of the scenario's own (hearth_testing.private_servers). A steady load buys tickets over
HTTP (as the gateway would, with a service token and an Idempotency-Key, retried until answered,
as a client does) and, for each ticket bought, publishes the video platform's AttendanceReported
(retried with the same event id until the broker confirms it). Meanwhile faults hit in a shuffled
order: SIGKILLs of each service (restarted at once; notifications only while its sender is
sending), broker restarts, database crash-restarts (immediate stop). After the last fault the
scenario waits for everything to drain, then counts what each purchase and each report became:
tickets and credit awards in the services' tables, emails in an SMTP sink of its own (a repeated
email is one whose delivery id arrived before).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import AttendanceReported
from hearth_shared.messaging import Names

from .builders import gathering_body
from .infra import TestDatabase
from .private_servers import PrivatePostgres, PrivateRabbitMQ, private_postgres, private_rabbitmq
from .processes import ServiceProcess, free_port
from .smtp import SmtpSink

SERVICES = ("registration", "credits", "notifications")
CONFIRMATION = "Your place is confirmed:"  # ticket_confirmation.en's subject
UNROUTED = "hearth.unrouted.recent"  # NotificationDelivered has no consumer by design
DRAINED_PARTS = ("tickets", "awards", "confirmations", "outboxes", "emails", "queues")
CREDIT_POLICY = {"hours": "1.5", "minimum_attendance_fraction": "0.75", "category": "community_of_practice"}


@dataclass(frozen=True)
class FaultPlan:
    purchases: int  # as many AttendanceReported follow, one per ticket
    rate: float  # purchases started per second
    kills_per_service: int
    broker_restarts: int = 1
    database_restarts: int = 1
    drain_timeout: float = 90.0
    seed: int = 15
    # Notifications' SMTP connections: the repeat bound is one email per crash per connection.
    smtp_connections: int = 1

    def faults(self) -> list[str]:
        kinds = [s for s in SERVICES for _ in range(self.kills_per_service)]
        kinds += ["rabbitmq"] * self.broker_restarts + ["postgres"] * self.database_restarts
        random.Random(self.seed).shuffle(kinds)
        return kinds


@dataclass
class Outcome:
    """What the scenario counted; `problems()` lists each way it fell short of issue 15."""

    accepted: int
    given_up: int
    reports: int
    kills: Counter[str]
    tickets_missing: int
    tickets_extra: int
    confirmations_missing: int
    confirmations_doubled: int  # purchases with more than one confirmation delivery
    awards_missing: int
    awards_doubled: int
    duplicate_emails: int  # an email whose delivery id had already arrived
    emails: int
    unsettled: dict[str, tuple[int, int]]  # queue: (ready, unacknowledged), parking included
    unpublished: dict[str, int]  # service: outbox rows not yet published
    pending_deliveries: int
    drained: bool
    drain_seconds: float  # from the end of the last fault to everything settled
    load_seconds: float
    timeline: list[tuple[float, str]] = field(default_factory=list)
    drain_parts: dict[str, float] = field(default_factory=dict)  # part: seconds after the last fault
    # What was still pending, every few seconds of the drain: what held the last part back.
    drain_progress: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "timeline"} | {"kills": dict(self.kills)}


@dataclass
class Purchase:
    email: str
    person_id: str


class Rig:
    """The private servers, the database provisioned on them, the SMTP sink, the services."""

    def __init__(
        self,
        rabbit: PrivateRabbitMQ,
        postgres: PrivatePostgres,
        database: TestDatabase,
        logs: Path,
        smtp_connections: int = 1,
    ) -> None:
        self.rabbit, self.postgres, self.database = rabbit, postgres, database
        self.smtp_connections = smtp_connections
        self.sink = SmtpSink()
        self.names = Names("", "registration")
        self.services = {s: ServiceProcess(s, self._env(s), logs / f"{s}.log") for s in SERVICES}

    async def stop_services(self) -> None:
        await asyncio.gather(*(process.stop() for process in self.services.values()))

    def _env(self, service: str) -> dict[str, str]:
        env = {
            "HEARTH_AMQP_URL": self.rabbit.amqp_url,
            "HEARTH_DATABASE_URL": self.database.dsn(service),
            "HEARTH_HTTP_PORT": str(free_port()),
            "HEARTH_RETRY_DELAYS": json.dumps([1.0, 2.0, 4.0]),
            "HEARTH_RELAY_POLL_SECONDS": "0.5",
            "HEARTH_LOG_LEVEL": "WARNING",
        }
        if service == "notifications":
            # Issue 15 allows one repeated email per crash per SMTP connection (one by default, the
            # strictest). A short lease, so what a killed sender held is sent again within the drain.
            env |= {
                "HEARTH_SMTP_HOST": "127.0.0.1",
                "HEARTH_SMTP_PORT": str(self.sink.port),
                "HEARTH_SMTP_CONNECTIONS": str(self.smtp_connections),
                "HEARTH_MAIL_LEASE_SECONDS": "10",
                # Above what the load asks (three emails a purchase), so that the drain measures
                # recovery, not the default 50 a second that a provider's throttle would set.
                "HEARTH_SMTP_RATE_PER_SECOND": "500",
            }
        return env


@asynccontextmanager
async def fault_rig(logs: Path, smtp_connections: int = 1) -> AsyncIterator[Rig]:
    async with AsyncExitStack() as stack:
        rabbit = await stack.enter_async_context(private_rabbitmq())
        postgres = await stack.enter_async_context(private_postgres())
        database = TestDatabase(postgres.admin_dsn, "hearth_faults", "hf_")
        await database.create()
        rig = Rig(rabbit, postgres, database, logs, smtp_connections)
        rig.sink.start()
        stack.callback(rig.sink.stop)
        stack.push_async_callback(rig.stop_services)
        await asyncio.gather(*(p.start(timeout=60) for p in rig.services.values()))
        yield rig


class Reporter:
    """The video platform: publishes each report with confirms, again (same id) until confirmed."""

    def __init__(self, rig: Rig) -> None:
        self._rig = rig
        self._channel: aio_pika.abc.AbstractChannel | None = None
        self._connection: aio_pika.abc.AbstractConnection | None = None
        self._lock = asyncio.Lock()

    async def report(self, gathering_id: str, email: str) -> None:
        data = AttendanceReported(
            gathering_id=uuid.UUID(gathering_id),
            email=email,
            minutes_attended=90,
            reported_at=datetime.now(UTC),
        )
        event = new_event(data, source="/video-platform")
        message = aio_pika.Message(
            event.model_dump_json().encode(),
            message_id=event.id,
            content_type="application/cloudevents+json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        )
        async with self._lock:
            while True:
                try:
                    exchange = await self._exchange()
                    await asyncio.wait_for(exchange.publish(message, routing_key=data.routing_key()), 10)
                    return
                except Exception:
                    await self.close()
                    await asyncio.sleep(0.5)

    async def _exchange(self) -> aio_pika.abc.AbstractExchange:
        if self._channel is None:
            self._connection = await aio_pika.connect(self._rig.rabbit.amqp_url, timeout=5)
            self._channel = await self._connection.channel(publisher_confirms=True)
        return await self._channel.get_exchange(self._rig.names.events_exchange)

    async def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                await connection.close()
            except Exception:
                return


async def buy(client: httpx.AsyncClient, gathering_id: str, index: int, give_up_at: float) -> Purchase | None:
    """One buyer, retrying the same request (same Idempotency-Key) until it is answered."""
    tag = uuid.uuid4().hex[:12]
    body = {"name": f"Buyer {index}", "email": f"buyer.{tag}@example.org", "preferred_language": "en"}
    while time.monotonic() < give_up_at:
        try:
            response = await client.post(
                f"/gatherings/{gathering_id}/tickets", json=body, headers={"Idempotency-Key": f"faults-{tag}"}
            )
        except httpx.TransportError:
            await asyncio.sleep(0.3)
            continue
        if response.status_code in (200, 201):
            return Purchase(body["email"], str(response.json()["ticket"]["person_id"]))
        if response.status_code < 500:
            raise AssertionError(f"purchase refused: {response.status_code} {response.text}")
        await asyncio.sleep(0.3)
    return None


async def load(rig: Rig, plan: FaultPlan, gathering_id: str, reporter: Reporter) -> list[Purchase | None]:
    registration = rig.services["registration"]
    in_flight = asyncio.Semaphore(64)
    started = time.monotonic()
    give_up_at = started + plan.purchases / plan.rate + 120

    async def one(index: int) -> Purchase | None:
        await asyncio.sleep(max(0.0, started + index / plan.rate - time.monotonic()))
        async with in_flight:
            bought = await buy(client, gathering_id, index, give_up_at)
        if bought is not None:
            await reporter.report(gathering_id, bought.email)
        return bought

    async with registration.client(timeout=30, limits=httpx.Limits(max_connections=64)) as client:
        return list(await asyncio.gather(*(one(i) for i in range(plan.purchases))))


async def inject(rig: Rig, plan: FaultPlan, started: float, timeline: list[tuple[float, str]]) -> None:
    """The faults, one after another, spread over the middle 80% of the load."""
    faults = plan.faults()
    span = plan.purchases / plan.rate
    for number, fault in enumerate(faults):
        at = started + span * (0.1 + 0.8 * number / max(1, len(faults) - 1))
        await asyncio.sleep(max(0.0, at - time.monotonic()))
        timeline.append((time.monotonic() - started, f"{fault} begins"))
        if fault == "rabbitmq":
            await rig.rabbit.restart()
        elif fault == "postgres":
            await rig.postgres.crash_restart()
        else:
            if fault == "notifications":
                await sending(rig.sink, emails=10)
            process = rig.services[fault]
            await process.kill()
            await process.start(wait_for="/health", timeout=60)
        timeline.append((time.monotonic() - started, f"{fault} back"))


async def sending(sink: SmtpSink, emails: int, timeout: float = 30.0) -> None:
    """Until the sink has received `emails` more: notifications is then killed while its sender
    is sending (after a restart or an outage, in the middle of a batch of the backlog), the crash
    window issue 15 names, rather than wherever the schedule happens to fall."""
    with sink.lock:
        wanted = len(sink.messages) + emails
    deadline = time.monotonic() + timeout
    while len(sink.messages) < wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


async def run_scenario(plan: FaultPlan, logs: Path, progress: Callable[[str], None] = print) -> Outcome:
    async with fault_rig(logs, plan.smtp_connections) as rig:
        async with rig.services["registration"].client() as client:
            created = await client.post(
                "/gatherings", json=gathering_body(plan.purchases + 10, credit_policy=CREDIT_POLICY)
            )
        assert created.status_code == 201, created.text
        gathering_id = str(created.json()["id"])
        reporter = Reporter(rig)
        timeline: list[tuple[float, str]] = []
        started = time.monotonic()
        progress(f"load: {plan.purchases} purchases at {plan.rate}/s, faults: {plan.faults()}")
        try:
            purchases, _ = await asyncio.gather(
                load(rig, plan, gathering_id, reporter), inject(rig, plan, started, timeline)
            )
        finally:
            await reporter.close()
        load_seconds = time.monotonic() - started
        last_fault = started + timeline[-1][0] if timeline else time.monotonic()
        progress(f"load done in {load_seconds:.0f} s; draining")
        counts = Counts(rig, gathering_id, [p for p in purchases if p is not None])
        progress_seen: list[dict[str, Any]] = []
        parts = await until_drained(counts, plan.drain_timeout, since=last_fault, seen=progress_seen)
        drained = len(parts) == len(DRAINED_PARTS)
        outcome = await counts.outcome(plan, purchases, drained, time.monotonic() - last_fault)
        outcome.load_seconds, outcome.timeline, outcome.drain_parts = load_seconds, timeline, parts
        outcome.drain_progress = progress_seen
        restarted = [what.removesuffix(" back") for _, what in timeline if what.endswith(" back")]
        outcome.kills = Counter(name for name in restarted if name in SERVICES)
        return outcome


async def until_drained(
    counts: Counts, timeout: float, since: float, seen: list[dict[str, Any]] | None = None
) -> dict[str, float]:
    """Seconds from `since` until each part of "drained" first held (missing: it never did);
    `seen` gets what was pending every 5 s (`Counts.pending`)."""
    deadline = time.monotonic() + timeout
    first: dict[str, float] = {}
    next_look = time.monotonic()
    while time.monotonic() < deadline:
        if seen is not None and time.monotonic() >= next_look:
            next_look += 5.0
            with contextlib.suppress(Exception):  # a database still recovering: look again later
                seen.append({"at": round(time.monotonic() - since, 1)} | await counts.pending())
        try:
            parts = await counts.settled()
        except Exception:  # a service's database still recovering
            parts = {}
        for part, done in parts.items():
            if done:
                first.setdefault(part, time.monotonic() - since)
        if parts and all(parts.values()):
            return first
        await asyncio.sleep(0.5)
    return first


class Counts:
    """Reads what the purchases and reports became, from the services' tables, the broker and
    the SMTP sink."""

    def __init__(self, rig: Rig, gathering_id: str, accepted: list[Purchase]) -> None:
        self.rig, self.gathering_id, self.accepted = rig, gathering_id, accepted
        # The sink's messages read so far, as (recipient, delivery id, a confirmation?): the drain
        # looks twice a second, and re-reading the headers of 15,000 emails each time took the CPU
        # (and the GIL of the sink's thread) from what it measures.
        self._read: list[tuple[str, str, bool]] = []
        # Parts that held once hold for good (an effect never goes away): not looked at again.
        self._held: set[str] = set()

    def _received(self) -> list[tuple[str, str, bool]]:
        with self.rig.sink.lock:
            new = self.rig.sink.messages[len(self._read) :]
        self._read += [
            (str(m["To"]).lower(), str(m["X-Hearth-Delivery-Id"]), CONFIRMATION in str(m["Subject"]))
            for m in new
        ]
        return self._read

    async def _query(self, service: str, sql: str, *args: Any) -> list[Any]:
        conn = await self.rig.database.connect(service)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()

    async def tickets(self) -> Counter[str]:
        rows = await self._query(
            "registration",
            "SELECT p.email FROM tickets t JOIN people p ON p.id = t.person_id WHERE t.gathering_id = $1",
            uuid.UUID(self.gathering_id),
        )
        return Counter(r["email"] for r in rows)

    async def awards(self) -> Counter[str]:
        rows = await self._query("credits", "SELECT person_id FROM ledger WHERE kind = 'award'")
        return Counter(str(r["person_id"]) for r in rows)

    async def unpublished(self) -> dict[str, int]:
        found = {}
        for service in SERVICES:
            [row] = await self._query(service, "SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
            found[service] = int(row["n"])
        return found

    async def pending_deliveries(self) -> int:
        sql = "SELECT count(*) AS n FROM deliveries WHERE status = 'pending'"
        [row] = await self._query("notifications", sql)
        return int(row["n"])

    async def unsettled(self) -> dict[str, tuple[int, int]]:
        queues = await self.rig.rabbit.queues()
        return {name: held for name, held in queues.items() if name != UNROUTED and sum(held) > 0}

    async def pending(self) -> dict[str, Any]:
        """What is still to do: outbox rows, emails by status (and when the next pending one is
        due, and the most attempts among them), messages the broker holds, emails received."""
        [emails] = await self._query(
            "notifications",
            "SELECT count(*) FILTER (WHERE status = 'pending') AS pending, "
            "count(*) FILTER (WHERE status = 'sending') AS sending, "
            "count(*) FILTER (WHERE status = 'pending' AND next_attempt_at > now()) AS deferred, "
            "extract(epoch FROM max(next_attempt_at) FILTER (WHERE status = 'pending') - now())::float "
            "AS last_due_in, "
            "max(attempts) FILTER (WHERE status = 'pending') AS most_attempts FROM deliveries",
        )
        with self.rig.sink.lock:
            received = len(self.rig.sink.messages)
        return {
            "unpublished": {s: n for s, n in (await self.unpublished()).items() if n},
            "emails": dict(emails),
            "received": received,
            "queues": await self.unsettled(),
        }

    def confirmations(self) -> Counter[str]:
        """Distinct confirmation deliveries per recipient."""
        seen = {(to, delivery) for to, delivery, confirmation in self._received() if confirmation}
        return Counter(to for to, _ in seen)

    def repeated_emails(self) -> tuple[int, int]:
        """(emails received, emails whose delivery id had arrived before)."""
        ids = [delivery for _, delivery, _ in self._received()]
        return len(ids), len(ids) - len(set(ids))

    async def settled(self) -> dict[str, bool]:
        """Each part of "drained": every effect there, nothing pending, nothing held by the broker."""
        wanted = self.accepted
        parts = {}
        if "tickets" not in self._held:
            tickets = await self.tickets()
            parts["tickets"] = all(tickets[p.email] >= 1 for p in wanted)
        if "awards" not in self._held:
            awards = await self.awards()
            parts["awards"] = all(awards[p.person_id] >= 1 for p in wanted)
        if "confirmations" not in self._held:
            confirmations = self.confirmations()
            parts["confirmations"] = all(confirmations[p.email.lower()] >= 1 for p in wanted)
        self._held |= {part for part, done in parts.items() if done}
        return (
            {part: True for part in self._held}
            | parts
            | {
                "outboxes": not any((await self.unpublished()).values()),
                "emails": await self.pending_deliveries() == 0,
                "queues": not await self.unsettled(),
            }
        )

    async def outcome(
        self, plan: FaultPlan, purchases: list[Purchase | None], drained: bool, drain_seconds: float
    ) -> Outcome:
        tickets, awards, confirmations = await self.tickets(), await self.awards(), self.confirmations()
        emails, repeated = self.repeated_emails()
        wanted = self.accepted
        return Outcome(
            accepted=len(wanted),
            given_up=purchases.count(None),
            reports=len(wanted),
            kills=Counter(),  # from the timeline: the faults that happened
            tickets_missing=sum(1 for p in wanted if tickets[p.email] == 0),
            tickets_extra=sum(tickets.values()) - sum(1 for p in wanted if tickets[p.email] > 0),
            confirmations_missing=sum(1 for p in wanted if confirmations[p.email.lower()] == 0),
            confirmations_doubled=sum(1 for p in wanted if confirmations[p.email.lower()] > 1),
            awards_missing=sum(1 for p in wanted if awards[p.person_id] == 0),
            awards_doubled=sum(1 for p in wanted if awards[p.person_id] > 1),
            duplicate_emails=repeated,
            emails=emails,
            unsettled=await self.unsettled(),
            unpublished=await self.unpublished(),
            pending_deliveries=await self.pending_deliveries(),
            drained=drained,
            drain_seconds=drain_seconds if drained else float("nan"),
            load_seconds=0.0,
        )
