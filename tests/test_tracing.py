"""One trace from an HTTP request to the consumer of the event it caused, and on to what that
consumer publishes (hearth_shared.tracing): W3C `traceparent` from the caller's HTTP call, a
SERVER span, the outbox's PRODUCER span stored in the event as the CloudEvents `traceparent`
extension, the relay's send span in the AMQP headers, the handler's CONSUMER span, and its own
publish — all one trace id, each span the child of the one before.

The end-to-end test runs a kit service in-process (its HTTP app, outbox relay and consumer) on the
real broker and database, with the SDK's in-memory exporter; the unit tests check each hook alone.
One purchase runs registration's and notifications' own runtimes in-process the same way, from the
HTTP request to the SMTP server's acceptance; the last test runs the two as separate processes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from hearth_notifications import app as notifications_app
from hearth_notifications.settings import NotificationsSettings
from hearth_registration import app as registration_app
from hearth_registration.api import ROUTERS as REGISTRATION_ROUTERS
from hearth_registration.api import install_refusals
from hearth_registration.settings import RegistrationSettings
from hearth_shared import signed_links, tracing
from hearth_shared.api import build_app
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import MemberUpserted, PersonErasureRequested, TicketPurchased
from hearth_shared.messaging import HandlerContext, ServiceRuntime, Work, begin, handles, handles_batch
from hearth_shared.messaging.topology import delete_names
from hearth_shared.service_token import KEY_VARIABLE
from hearth_shared.settings import ServiceSettings
from hearth_testing.broker import watch
from hearth_testing.builders import gathering_body, member_upserted, person
from hearth_testing.fixtures import TEST_RETRY_DELAYS, StartService
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import TEST_SENDER, ServiceProcess
from hearth_testing.smtp import SmtpSink
from hearth_testing.tokens import TEST_KEY, TEST_LINK_KEY, ServiceTokenAuth
from hearth_testing.waiting import eventually

from .helpers import schedule_gathering

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.uninstall()
    provider.shutdown()


def traced_event(member_id: str, traceparent: str) -> Any:
    return new_event(member_upserted(member_id=member_id), source="/register").model_copy(
        update={"traceparent": traceparent}
    )


def erasure() -> PersonErasureRequested:
    return PersonErasureRequested(email="alex.morin@example.org", requested_at=datetime.now(UTC))


def by_name(spans: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans.get_finished_spans()}


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


# --- each hook alone (no broker, no database) -------------------------------------------------------


async def test_with_tracing_off_nothing_is_added() -> None:
    work = Work(conn=None, source="/hearth/kittest", correlation_id="c", pending=[])  # type: ignore[arg-type]
    await work.publish(member_upserted(member_id="m-1"))
    assert work.pending is not None
    assert tracing.traceparent_of(work.pending[0]) is None
    assert "traceparent" not in work.pending[0].model_dump_json()


async def test_a_request_publishes_in_the_callers_trace(spans: InMemorySpanExporter) -> None:
    published: list[Any] = []
    router = APIRouter()

    @router.post("/members/{member_id}")
    async def upsert(member_id: str) -> None:
        work = Work(conn=None, source="/hearth/kittest", correlation_id="c", pending=published)  # type: ignore[arg-type]
        await work.publish(member_upserted(member_id=member_id))

    runtime = ServiceRuntime("kittest", ServiceSettings())
    app = build_app(runtime, title="traced", routers=[router])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
        assert (await client.post("/members/m-2", headers={"traceparent": CALLER})).status_code == 200

    found = by_name(spans)
    server, publish = found["POST /members/{member_id}"], found[f"publish {MemberUpserted.event_type}"]
    assert server.kind == SpanKind.SERVER
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    assert "url.query" not in server.attributes
    assert f"{server.context.trace_id:032x}" == CALLER_TRACE
    assert parent_of(server) == 0x00F067AA0BA902B7
    assert (publish.kind, parent_of(publish)) == (SpanKind.PRODUCER, server.context.span_id)
    assert tracing.traceparent_of(published[0]) == f"00-{CALLER_TRACE}-{publish.context.span_id:016x}-01"


async def test_a_handler_processes_in_the_events_trace_and_publishes_in_it(
    spans: InMemorySpanExporter,
) -> None:
    @handles(MemberUpserted, name="on_traced")
    async def on_traced(ctx: HandlerContext, _: MemberUpserted) -> None:
        await ctx.publish(erasure())

    @handles_batch(MemberUpserted, name="on_traced_batch")
    async def on_traced_batch(work: Work, events: list[Any]) -> None:
        for event in events:
            await work.caused_by(event).publish(erasure())

    event = traced_event("m-3", CALLER)
    published: list[Any] = []
    work = Work(conn=None, source="/hearth/kittest", correlation_id="c", pending=published)  # type: ignore[arg-type]
    await on_traced.fn(work, [event])
    await on_traced_batch.fn(work, [event])

    found = by_name(spans)
    process = found["on_traced process"]
    publish, _ = (s for s in spans.get_finished_spans() if s.name.startswith("publish"))
    assert (process.kind, f"{process.context.trace_id:032x}") == (SpanKind.CONSUMER, CALLER_TRACE)
    assert parent_of(process) == 0x00F067AA0BA902B7
    assert parent_of(publish) == process.context.span_id
    assert tracing.traceparent_of(published[0]) == f"00-{CALLER_TRACE}-{publish.context.span_id:016x}-01"
    batch = found["on_traced_batch process"]
    assert [f"{link.context.trace_id:032x}" for link in batch.links] == [CALLER_TRACE]
    assert tracing.traceparent_of(published[1]).split("-")[1] == CALLER_TRACE  # type: ignore[union-attr]


def test_a_send_carries_the_bodys_trace_in_the_amqp_headers(spans: InMemorySpanExporter) -> None:
    body = traced_event("m-4", CALLER)
    headers: dict[str, Any] = {}
    with tracing.sending(body.model_dump_json().encode(), headers, exchange="hearth.events", routing_key="k"):
        pass
    send = by_name(spans)["hearth.events send"]
    assert headers["traceparent"] == f"00-{CALLER_TRACE}-{send.context.span_id:016x}-01"
    assert parent_of(send) == 0x00F067AA0BA902B7


async def test_a_call_to_a_service_carries_the_context_but_never_its_query_string(
    spans: InMemorySpanExporter,
) -> None:
    seen: list[httpx.Request] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(service), base_url="http://registration"
    ) as client:
        HTTPXClientInstrumentor.instrument_client(
            client, tracer_provider=provider_of(spans), request_hook=tracing.without_query_async
        )
        await client.get("/people", params={"q": "alex.morin@example.org"})
    [call] = spans.get_finished_spans()
    assert call.attributes is not None
    assert call.attributes["url.full"] == "http://registration/people"
    assert "example.org" not in json.dumps(dict(call.attributes))
    assert seen[0].headers["traceparent"].split("-")[2] == f"{call.context.span_id:016x}"


def test_a_malformed_traceparent_starts_a_new_trace(spans: InMemorySpanExporter) -> None:
    assert tracing.context_of("00-not-a-trace-01") is None
    with tracing.processing("h", traced_event("m-5", "x")):
        pass
    assert by_name(spans)["h process"].parent is None


# --- end to end: HTTP → outbox → broker → consumer → its publish ------------------------------------


@handles(MemberUpserted, name="on_member_traced")
async def on_member_traced(ctx: HandlerContext, _: MemberUpserted) -> None:
    await ctx.publish(erasure())


@pytest.fixture
async def kit(
    infra: Infra, database: TestDatabase, name_prefix: str, amqp: AbstractRobustConnection
) -> AsyncIterator[ServiceRuntime]:
    handler = dataclasses.replace(on_member_traced, name=f"on_member_traced_{uuid.uuid4().hex[:6]}")
    runtime = ServiceRuntime(
        "kittest",
        ServiceSettings(
            amqp_url=infra.amqp_url,
            database_url=database.dsn("kittest"),
            name_prefix=name_prefix,
            retry_delays=TEST_RETRY_DELAYS,
            relay_poll_seconds=0.2,
        ),
        handlers=[handler],
    )
    await runtime.start()
    await asyncio.wait_for(runtime.broker_ready.wait(), 30)
    yield runtime
    await runtime.stop()
    await delete_names(amqp, [runtime.names.handler_queue(handler.name)], [])


async def test_one_trace_from_an_http_request_to_the_consumer_of_its_event_and_beyond(
    spans: InMemorySpanExporter, kit: ServiceRuntime, amqp: AbstractRobustConnection
) -> None:
    downstream = await watch(amqp, kit.names, PersonErasureRequested)
    router = APIRouter()

    @router.post("/members/{member_id}")
    async def upsert(member_id: str) -> None:
        assert kit.pool is not None
        async with begin(kit.pool, "kittest") as work:
            await work.publish(member_upserted(member_id=member_id))

    app = build_app(kit, title="traced", routers=[router])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kit") as client:
        HTTPXClientInstrumentor.instrument_client(client, tracer_provider=provider_of(spans))
        assert (await client.post(f"/members/{uuid.uuid4().hex[:8]}")).status_code == 200

    async with asyncio.timeout(30):
        async with downstream.iterator() as messages:
            message: aio_pika.abc.AbstractIncomingMessage = await anext(aiter(messages))
            await message.ack()
    body = json.loads(message.body)

    async with asyncio.timeout(10):  # the second send ends at its confirm, maybe after the delivery
        while len(spans.get_finished_spans()) < 7:
            await asyncio.sleep(0.05)
    found = by_name(spans)
    exchange = kit.names.events_exchange
    client_span = found["POST"]
    server = found["POST /members/{member_id}"]
    publish = found[f"publish {MemberUpserted.event_type}"]
    process = next(s for name, s in found.items() if name.startswith("on_member_traced"))
    republish = found[f"publish {PersonErasureRequested.event_type}"]
    sends = [s for s in spans.get_finished_spans() if s.name == f"{exchange} send"]

    trace_ids = {s.context.trace_id for s in (client_span, server, publish, process, republish, *sends)}
    assert len(trace_ids) == 1, "one trace from the HTTP call to the consumer's publish"
    assert (client_span.kind, parent_of(server)) == (SpanKind.CLIENT, client_span.context.span_id)
    assert parent_of(publish) == server.context.span_id
    assert (process.kind, parent_of(process)) == (SpanKind.CONSUMER, publish.context.span_id)
    assert parent_of(republish) == process.context.span_id
    assert sorted(parent_of(s) for s in sends) == sorted([publish.context.span_id, republish.context.span_id])
    # The consumer's event carries its publish span, in the body and (the send's) in the headers.
    assert body["traceparent"].split("-")[2] == f"{republish.context.span_id:016x}"
    assert (message.headers or {})["traceparent"].split("-")[1] == f"{republish.context.trace_id:032x}"


def provider_of(spans: InMemorySpanExporter) -> TracerProvider:
    """A provider exporting to the same in-memory exporter (for the httpx instrumentation)."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return provider


# --- one purchase in-process: registration and notifications, HTTP request to SMTP acceptance ------


@pytest.fixture
async def purchase_services(
    infra: Infra,
    database: TestDatabase,
    own_prefix: str,
    smtp_sink: SmtpSink,
    spans: InMemorySpanExporter,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[ServiceRuntime, ServiceRuntime]]:
    """Registration and notifications as they run in production (their own runtimes: relay,
    consumers, the mail sender), in this process so that one in-memory exporter sees every span."""
    monkeypatch.setenv(KEY_VARIABLE, TEST_KEY)
    monkeypatch.setenv(signed_links.KEY_VARIABLE, TEST_LINK_KEY)
    common: dict[str, Any] = {
        "amqp_url": infra.amqp_url,
        "name_prefix": own_prefix,
        "retry_delays": TEST_RETRY_DELAYS,
        "relay_poll_seconds": 0.2,
    }
    registration = registration_app.create_runtime(
        RegistrationSettings(database_url=database.dsn("registration"), **common)
    )
    notifications = notifications_app.create_runtime(
        NotificationsSettings(
            database_url=database.dsn("notifications"),
            smtp_host="127.0.0.1",
            smtp_port=smtp_sink.port,
            mail_from=TEST_SENDER,
            **common,
        )
    )
    started: list[ServiceRuntime] = []
    try:
        for runtime in (registration, notifications):
            await runtime.start()
            started.append(runtime)
            await asyncio.wait_for(runtime.broker_ready.wait(), 30)
        yield registration, notifications
    finally:
        for runtime in reversed(started):
            await runtime.stop()


async def test_one_purchase_is_one_trace_from_the_http_request_to_the_smtp_acceptance(
    purchase_services: tuple[ServiceRuntime, ServiceRuntime],
    spans: InMemorySpanExporter,
    smtp_sink: SmtpSink,
) -> None:
    registration, _ = purchase_services
    app = build_app(registration, title="registration", routers=REGISTRATION_ROUTERS)
    install_refusals(app)
    transport = httpx.ASGITransport(app=app)
    auth = ServiceTokenAuth(TEST_KEY, "admin")
    buyer = person("en")
    async with httpx.AsyncClient(transport=transport, base_url="http://registration", auth=auth) as client:
        made = await client.post("/gatherings", json=gathering_body())
        assert made.status_code == 201, made.text
        spans.clear()  # from here on: the purchase's spans only
        bought = await client.post(
            f"/gatherings/{made.json()['id']}/tickets",
            json=buyer,
            headers={"Idempotency-Key": buyer["email"], "traceparent": CALLER},
        )
    assert bought.status_code == 201, bought.text
    await smtp_sink.wait_for(buyer["email"])

    def named(name: str) -> list[ReadableSpan]:
        return [s for s in spans.get_finished_spans() if s.name == name]

    async def smtp_sends() -> list[ReadableSpan]:
        return named("smtp send")

    [smtp] = await eventually(smtp_sends, timeout=15, what="the SMTP send's span")
    server = named("POST /gatherings/{gathering_id}/tickets")[0]
    [publish] = named(f"publish {TicketPurchased.event_type}")
    [send] = [
        s
        for s in named(f"{registration.names.events_exchange} send")
        if parent_of(s) == publish.context.span_id
    ]
    [process] = [
        s
        for s in named("on_ticket process")
        if any(link.context.span_id == publish.context.span_id for link in s.links)
    ]

    # HTTP request → its outbox row's publish → the relay's send → (the broker) → notifications'
    # consumer → the delivery row → the SMTP send, ending at the server's acceptance.
    assert f"{server.context.trace_id:032x}" == CALLER_TRACE
    assert (server.kind, parent_of(server)) == (SpanKind.SERVER, 0x00F067AA0BA902B7)
    assert (publish.kind, parent_of(publish)) == (SpanKind.PRODUCER, server.context.span_id)
    assert (send.kind, send.context.trace_id) == (SpanKind.PRODUCER, server.context.trace_id)
    # on_ticket takes batches: its span links each event's publish rather than having one parent.
    assert process.kind == SpanKind.CONSUMER
    assert (smtp.kind, parent_of(smtp)) == (SpanKind.CLIENT, publish.context.span_id)
    assert smtp.context.trace_id == server.context.trace_id
    assert buyer["email"] not in json.dumps(dict(smtp.attributes or {}))
    [accepted] = [
        at
        for m, at in zip(smtp_sink.messages, smtp_sink.accepted_at, strict=True)
        if m["To"] == buyer["email"]
    ]
    assert smtp.start_time is not None
    assert smtp.end_time is not None
    assert smtp.start_time / 1e9 < accepted <= smtp.end_time / 1e9


# --- across processes: the services as they run, tracing configured by OTEL_* ---------------------


async def test_a_purchase_over_http_is_one_trace_across_registration_and_notifications(
    start_service: StartService, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")  # the services print their spans as JSON lines
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
    registration, notifications = (
        await start_service("registration"),
        await start_service("notifications", smtp_host="127.0.0.1", smtp_port=smtp_sink.port),
    )
    buyer, gathering_id = person("en"), await schedule_gathering(registration)
    headers = {"Idempotency-Key": buyer["email"], "traceparent": CALLER}
    async with registration.client() as client:
        bought = await client.post(f"/gatherings/{gathering_id}/tickets", json=buyer, headers=headers)
    assert bought.status_code == 201, bought.text
    await smtp_sink.wait_for(buyer["email"])

    def spans_of(process: ServiceProcess) -> list[dict[str, Any]]:
        return [line for line in process.logs() if "context" in line and "kind" in line]

    async def purchase_spans() -> list[dict[str, Any]]:
        return [s for s in spans_of(registration) if s["context"]["trace_id"] == f"0x{CALLER_TRACE}"]

    found = await eventually(purchase_spans, lambda s: len(s) >= 2, timeout=15, what="registration's spans")
    server = next(s for s in found if s["name"] == "POST /gatherings/{gathering_id}/tickets")
    publish = next(s for s in found if s["name"] == f"publish {TicketPurchased.event_type}")
    assert (server["kind"], server["parent_id"]) == ("SpanKind.SERVER", "0x00f067aa0ba902b7")
    assert publish["parent_id"] == server["context"]["span_id"]
    assert server["resource"]["attributes"]["service.name"] == "hearth-registration"

    async def consumer_spans() -> list[dict[str, Any]]:
        return [
            s
            for s in spans_of(notifications)
            if s["name"] == "on_ticket process"
            and any(link["context"]["span_id"] == publish["context"]["span_id"] for link in s["links"])
        ]

    [process] = await eventually(consumer_spans, timeout=15, what="notifications' span of the purchase")
    assert process["kind"] == "SpanKind.CONSUMER"
    assert process["resource"]["attributes"]["service.name"] == "hearth-notifications"

    # The delivery row kept the purchase's context: the mail sender's send is a span of its trace,
    # ending at the SMTP server's acceptance.
    async def smtp_spans() -> list[dict[str, Any]]:
        return [
            s
            for s in spans_of(notifications)
            if s["name"] == "smtp send" and s["context"]["trace_id"] == f"0x{CALLER_TRACE}"
        ]

    [smtp] = await eventually(smtp_spans, timeout=15, what="the SMTP send's span in the purchase's trace")
    assert (smtp["kind"], smtp["parent_id"]) == ("SpanKind.CLIENT", publish["context"]["span_id"])
    assert smtp["status"]["status_code"] == "UNSET"
    assert buyer["email"] not in json.dumps(smtp)
    [accepted] = [
        at
        for m, at in zip(smtp_sink.messages, smtp_sink.accepted_at, strict=True)
        if m["To"] == buyer["email"]
    ]
    assert seconds(smtp["start_time"]) < accepted <= seconds(smtp["end_time"])


def seconds(iso: str) -> float:
    """A console span's time ("2026-12-01T12:00:00.123456Z") as epoch seconds."""
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
