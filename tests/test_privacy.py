"""Erasure reaches every service (issue 17's acceptance): a person buys a ticket, attends, earns
credits and a certificate, gives feedback, joins a group, gets emails, has an event parked and a
self-reported activity, and a staff search for them in the gateway's audit log; then
PersonErasureRequested. A scan of every text, JSON and bytea column of every service schema (the
kit's outbox and inbox included), of every queue Hearth declares (handler, retry and parking
queues, the unrouted queue) and of every service's log, the gateway's included, written at DEBUG,
finds their name and email nowhere; the transcript by person id keeps its hours; the certificate
verifies without a name; a later MemberUpserted or TicketPurchased for them brings nothing back.
The gateway's audit entries lose an address a staff search wrote into them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
from aio_pika.abc import AbstractRobustConnection

from hearth_shared import provision
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    AttendanceReported,
    CertificateIssued,
    NotificationFailed,
    PersonDetails,
    PersonErasureRequested,
)
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import list_parked
from hearth_shared.messaging.topology import declared_names
from hearth_testing.broker import checked, collect, publish_event, watch
from hearth_testing.builders import (
    gathering_scheduled,
    member_upserted,
    person,
    person_details,
    ticket_purchased,
)
from hearth_testing.fixtures import TEST_RETRY_DELAYS, StartService, handlers_under_test
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.privacy import hearth_queues, queue_hits, scan_queues
from hearth_testing.processes import ServiceProcess
from hearth_testing.smtp import SmtpSink
from hearth_testing.waiting import eventually

from .helpers import buy_tickets, publish_from_register, schedule_gathering

POLICY = {"hours": "1.5", "minimum_attendance_fraction": "0.75", "category": "community_of_practice"}
STAFF = {"X-Hearth-Role": "staff"}
TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "bytea", "ARRAY")


def _admin_dsn(infra: Infra, database: TestDatabase) -> str:
    parts = urlsplit(infra.admin_dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database.name}", "", ""))


async def scan(dsn: str, needle: str) -> list[str]:
    """`schema.table.column` of every row in a service schema whose text holds `needle`."""
    conn = await asyncpg.connect(dsn)
    try:
        columns = await conn.fetch(
            """SELECT c.table_schema, c.table_name, c.column_name, c.data_type
               FROM information_schema.columns c JOIN information_schema.tables t
                    USING (table_catalog, table_schema, table_name)
               WHERE t.table_type = 'BASE TABLE' AND c.table_schema = ANY($1::text[])
                 AND c.data_type = ANY($2::text[])""",
            list(provision.SERVICES),
            list(TEXT_TYPES),
        )
        found = []
        for schema, table, column, kind in columns:
            value = f"encode(\"{column}\", 'escape')" if kind == "bytea" else f'"{column}"::text'
            query = f'SELECT count(*) FROM "{schema}"."{table}" WHERE strpos(lower({value}), lower($1)) > 0'  # noqa: S608
            if await conn.fetchval(query, needle):
                found.append(f"{schema}.{table}.{column}")
        return found
    finally:
        await conn.close()


async def _live(
    registration: ServiceProcess, groups: ServiceProcess, amqp: AbstractRobustConnection, name_prefix: str
) -> tuple[dict[str, str], str, str]:
    """The person's life before erasure: ticket, attendance, feedback, a group, a parked report."""
    someone = person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration, credit_policy=POLICY)
        [ticket] = await buy_tickets(client, gid, [someone])
        pid = str(ticket["person_id"])
        checked_in = await client.post(f"/gatherings/{gid}/check-ins", json={"person_ids": [pid]})
        assert checked_in.json()["recorded"], checked_in.text
        feedback = {
            "email": someone["email"], "benefit_rating": 5, "comments": f"— {someone['name']}",
            "follow_up": [{"interest": "peer_support", "language": "en"}],
        }  # fmt: skip
        assert (await client.post(f"/gatherings/{gid}/feedback", json=feedback)).status_code == 201
        other = await schedule_gathering(registration)  # they hold no ticket for this one: parked
        report = AttendanceReported(
            gathering_id=other, email=someone["email"], minutes_attended=30, reported_at=datetime.now(UTC)
        )
        await publish_event(amqp, Names(name_prefix, "registration"), new_event(report, source="/video"))
    async with groups.client(role=None) as client:
        made = await client.post(
            "/groups", json={"kind": "advocacy_campaign", "language": "en"}, headers=STAFF
        )
        group = made.json()["id"]
        member = {"X-Hearth-Role": "member", "X-Hearth-Person": pid}
        assert (await client.post(f"/groups/{group}/join", headers=member)).json()["place"] == "member"
    return someone, pid, group


async def _transcript(credits: ServiceProcess, pid: str) -> dict[str, Any]:
    async with credits.client() as client:
        answer = await client.get(f"/people/{pid}/transcript", params={"cycle": "2026-2027"})
    return dict(answer.json())


async def test_erasure_leaves_no_name_or_email_in_any_service_table(
    start_service: StartService,
    amqp: AbstractRobustConnection,
    own_prefix: str,
    smtp_sink: SmtpSink,
    infra: Infra,
    database: TestDatabase,
) -> None:
    """On a broker prefix of the test's own, so the queue scans read only this test's messages."""
    name_prefix = own_prefix

    async def start(service: str, **overrides: Any) -> ServiceProcess:
        return await start_service(service, name_prefix=name_prefix, log_level="DEBUG", **overrides)

    registration = await start("registration")
    credits = await start("credits")
    notifications = await start("notifications", smtp_port=smtp_sink.port)
    groups = await start("groups")
    gateway = await start("gateway", cookie_secure="false")
    services = (registration, credits, notifications, groups, gateway)
    certificates = await watch(amqp, Names(name_prefix, "test"), CertificateIssued)
    someone, pid, group = await _live(registration, groups, amqp, name_prefix)
    [(_, issued)] = checked(await collect(certificates, 1, timeout=30))
    await smtp_sink.wait_for(someone["email"], count=3, timeout=30)  # ticket, credits, certificate
    before = await _transcript(credits, pid)
    assert Decimal(before["progress"]["earned"]) == Decimal("1.5")
    report = {
        "title": "Reading circle", "category": "self_directed", "hours": "2", "activity_date": "2026-11-02",
        "evidence": f"Notes kept by {someone['name']}",
    }  # fmt: skip
    async with credits.client(role="coordinator") as client:
        assert (await client.post(f"/people/{pid}/self-reports", json=report)).status_code == 201

    await _staff_searched_for(database, someone["email"])

    dsn = _admin_dsn(infra, database)
    tag = someone["email"].split("@")[0].split(".")[1]  # in the name and the email alike
    held = set(await _service_hits(dsn, tag))
    assert {
        "registration.people.email", "registration.outbox.body", "credits.people.name",
        "credits.self_reports.evidence",
        "notifications.deliveries.to_address", "gateway.audit_log.detail",
    } <= held  # fmt: skip
    parking = Names(name_prefix, "registration").parking_queue
    await eventually(lambda: queue_hits(amqp, name_prefix, tag), lambda queues: parking in queues)

    request = PersonErasureRequested(email=someone["email"], requested_at=datetime.now(UTC))
    await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
    async with credits.client() as client:
        verify = f"/verify/{issued.verification_code}"
        verified = await eventually(
            lambda: client.get(verify), lambda r: r.json()["holder"] is None, timeout=20
        )
    await eventually(lambda: _service_hits(dsn, tag), lambda hits: hits == [], timeout=20)
    queues = await scan_queues(amqp, hearth_queues(name_prefix), tag)
    assert queues.holding == []
    assert sorted(queues.read) == _declared(name_prefix)  # every one of them was read

    # The register (late, or replayed) and a replayed purchase name the erased person again.
    await publish_from_register(
        amqp, name_prefix, member_upserted(email=someone["email"], name=someone["name"])
    )
    erased = PersonDetails(person_id=pid, name=someone["name"], email=someone["email"], language="en")
    replay = ticket_purchased(gathering_scheduled(capacity=10), erased)
    await publish_event(
        amqp, Names(name_prefix, "registration"), new_event(replay, source="/hearth/registration")
    )
    witness = person_details()
    await publish_event(
        amqp,
        Names(name_prefix, "registration"),
        new_event(ticket_purchased(gathering_scheduled(capacity=10), witness), source="/hearth/registration"),
    )
    await smtp_sink.wait_for(str(witness.email), timeout=20)
    assert await _service_hits(dsn, tag) == []
    after = await _transcript(credits, pid)
    async with credits.client() as client:  # staff still read the self-report: without its evidence
        reports = await client.get("/self-reports", params={"person_id": pid})
    assert reports.status_code == 200, reports.text
    assert [r["evidence"] for r in reports.json()] == ["erased at the person's request"]
    assert (after["progress"]["earned"], after["rows"]) == (before["progress"]["earned"], before["rows"])
    assert (verified.json()["status"], verified.json()["hours"]) == ("valid", "1.50")
    async with groups.client(role=None) as client:
        detail = (await client.get(f"/groups/{group}", headers=STAFF)).json()
        roster = (await client.get(f"/groups/{group}/members", headers=STAFF)).text
    assert pid not in roster
    assert detail["member_count"] == 0
    assert len(smtp_sink.to(someone["email"])) == 3  # nothing more was sent to them
    for service in services:  # logs carry ids: not a line, at any level, names them
        lines = service.log_path.read_text().splitlines()
        assert [line for line in lines if tag in line.lower()] == [], service.service
        assert any('"level": "debug"' in line for line in lines), service.service  # DEBUG was on


def _declared(name_prefix: str) -> list[str]:
    """Every queue the five services declare (the old unbounded unrouted queue is gone)."""
    found: set[str] = set()
    for service in provision.SERVICES:
        names = Names(name_prefix, service)
        found.update(declared_names(names, handlers_under_test()[service], TEST_RETRY_DELAYS)[0])
    return sorted(found)


async def _staff_searched_for(database: TestDatabase, email: str) -> None:
    """A registrant export audits its search, as the gateway writes it (URL-encoded)."""
    conn = await asyncpg.connect(database.dsn("gateway"), server_settings={"search_path": "gateway"})
    try:
        await conn.execute(
            "INSERT INTO audit_log (action, target, detail) VALUES ('registrants_exported', $1, $2)",
            str(uuid.uuid4()),
            "1 rows; " + urlencode({"q": email, "status": "active"}),
        )
    finally:
        await conn.close()


async def _service_hits(dsn: str, needle: str) -> list[str]:
    return await scan(dsn, needle)


async def test_erasure_reaches_the_kits_outbox(
    start_service: StartService,
    amqp: AbstractRobustConnection,
    name_prefix: str,
    infra: Infra,
    database: TestDatabase,
) -> None:
    registration = await start_service("registration")
    someone = person()
    async with registration.client() as client:
        gid = await schedule_gathering(registration)
        await buy_tickets(client, gid, [someone])
    request = PersonErasureRequested(email=someone["email"], requested_at=datetime.now(UTC))
    await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
    dsn = _admin_dsn(infra, database)
    tag = someone["email"].split("@")[0].split(".")[1]
    await eventually(lambda: _service_hits(dsn, tag), lambda hits: hits == [], timeout=20)
    assert await scan(dsn, tag) == []


async def test_erasure_reaches_parked_messages(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    registration = await start_service("registration")
    names = Names(name_prefix, "registration")
    someone = person()
    gid = await schedule_gathering(registration)  # they hold no ticket for it: the report parks
    report = AttendanceReported(
        gathering_id=gid, email=someone["email"], minutes_attended=30, reported_at=datetime.now(UTC)
    )
    await publish_event(amqp, names, new_event(report, source="/video"))
    await eventually(lambda: list_parked(amqp, names), lambda found: any(gid in m.detail for m in found))
    request = PersonErasureRequested(email=someone["email"], requested_at=datetime.now(UTC))
    await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
    await registration.wait_for_log(event="person erased")
    parked = [m for m in await list_parked(amqp, names) if gid in m.detail]
    assert [m for m in parked if someone["email"] in str(m)] == []


async def test_erasure_reaches_the_gateways_audit_log(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str, database: TestDatabase
) -> None:
    """A registrant export audits its search, which may be an email: erasure replaces it."""
    gateway = await start_service("gateway", cookie_secure="false")
    someone = person()
    conn = await asyncpg.connect(database.dsn("gateway"), server_settings={"search_path": "gateway"})
    try:
        search = urlencode({"q": someone["email"].upper(), "status": "active"})  # as the export writes it
        entries = [
            await conn.fetchval(
                "INSERT INTO audit_log (action, target, detail) VALUES ('registrants_exported', $1, $2) "
                "RETURNING id",
                str(uuid.uuid4()),
                detail,
            )
            for detail in (f"1 rows; {search}", f"searched {someone['email']}")
        ]
        request = PersonErasureRequested(email=someone["email"], requested_at=datetime.now(UTC))
        await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
        await gateway.wait_for_log(event="person erased", timeout=20)
        details = await conn.fetch(
            "SELECT detail FROM audit_log WHERE id = ANY($1::bigint[]) ORDER BY id", entries
        )
    finally:
        await conn.close()
    assert [r["detail"] for r in details] == ["1 rows; q=<erased>&status=active", "searched <erased>"]


async def test_erasure_reaches_the_unrouted_queue(
    start_service: StartService, amqp: AbstractRobustConnection, own_prefix: str
) -> None:
    """An event nobody consumes (NotificationFailed) waits in the unrouted queue; one quoting the
    erased address loses it there, the others stay as they were. On a broker prefix of the test's
    own: the session's unrouted and parking queues hold thousands of messages by now, and the
    scans below read every one of them, many times."""
    name_prefix = own_prefix
    # Registration declares the unrouted queue, and erases from it.
    await start_service("registration", name_prefix=name_prefix)
    unrouted = Names(name_prefix, "registration").unrouted_queue
    someone, other = person(), person()
    names = Names(name_prefix, "notifications")
    for who in (someone, other):
        failed = NotificationFailed(
            delivery_id=uuid.uuid4(), source_event_id="e", template="ticket_confirmation", language="en",
            attempts=1, reason=f"SMTP 550: <{who['email']}> mailbox unavailable",
        )  # fmt: skip
        await publish_event(amqp, names, new_event(failed, source="/hearth/notifications"))
    tag, kept = (w["email"].split("@")[0].split(".")[1] for w in (someone, other))
    await eventually(lambda: queue_hits(amqp, name_prefix, tag), lambda queues: unrouted in queues)
    request = PersonErasureRequested(email=someone["email"], requested_at=datetime.now(UTC))
    await publish_event(amqp, Names(name_prefix, "gateway"), new_event(request, source="/hearth/gateway"))
    await eventually(lambda: queue_hits(amqp, name_prefix, tag), lambda queues: queues == [], timeout=60)
    assert unrouted in await queue_hits(amqp, name_prefix, kept)
