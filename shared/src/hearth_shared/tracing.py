"""OpenTelemetry traces across Hearth's services, in W3C trace context (`traceparent`).

One piece of work is one trace, whichever processes it crosses:

- **HTTP**: a request's `traceparent` header (the gateway's httpx calls send it: `configure_tracing`
  instruments httpx) is the parent of a SERVER span around the request (`TraceMiddleware`).
- **Outbox**: `Work.publish` opens a PRODUCER span `publish <event type>` and writes its context into
  the event as the CloudEvents distributed-tracing extension attribute `traceparent`, so it is
  stored with the event in the outbox and travels in the body whatever the transport.
- **Broker**: the publisher (relay, retries, parking) sends a PRODUCER span `<exchange> send` as the
  AMQP header `traceparent`, a child of the event's.
- **Consumer**: each event a handler applies gets a CONSUMER span `<handler> process`, a child of
  the event's `traceparent`; what the handler publishes is its child, and so on to the next
  consumer. A batch handler's span links every event of its batch, and what it publishes with
  `work.caused_by(event)` is a child of that event's context.
- **Stored work**: notifications keeps the cause's `traceparent` on each delivery row; the mail
  sender's `smtp send` CLIENT span (`calling`) is its child and ends when the SMTP server accepts
  (or refuses) the email.

Configured by the standard variables: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, both
comma-separated, or `none`, Hearth's default: no SDK is installed and every hook here is a no-op),
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` and the other `OTEL_EXPORTER_OTLP_*`
(OTLP over HTTP/protobuf), `OTEL_SERVICE_NAME` (default `hearth-<service>`), `OTEL_RESOURCE_ATTRIBUTES`,
`OTEL_TRACES_SAMPLER` / `_ARG`, `OTEL_BSP_*`. Spans carry ids, types, routes and handler names, never
a query string, a body or a person's details.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger(__name__)

TRACEPARENT = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
# The extension attribute as the outbox stores it (compact JSON, so no spaces): found in a body
# without parsing it, on the relay's hot path.
_IN_BODY = re.compile(rb'"traceparent":"(00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2})"')

_tracer: trace.Tracer | None = None  # None: tracing is off and every hook returns at once


def install(provider: trace.TracerProvider) -> None:
    """Trace through `provider` (configure_tracing's, or a test's with an in-memory exporter)."""
    global _tracer
    _tracer = provider.get_tracer("hearth")


def uninstall() -> None:
    global _tracer
    _tracer = None


def enabled() -> bool:
    return _tracer is not None


def _exporters(names: str) -> list[SpanExporter]:
    exporters: list[SpanExporter] = []
    for name in (n.strip().lower() for n in names.split(",")):
        if name == "otlp":
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())  # reads OTEL_EXPORTER_OTLP_*
        elif name == "console":  # one JSON object per line, beside the JSON log lines
            exporters.append(ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n"))
        elif name not in ("", "none"):
            log.warning("unknown OTEL_TRACES_EXPORTER ignored", exporter=name)
    return exporters


def configure_tracing(service: str) -> TracerProvider | None:
    """Install the SDK when `OTEL_TRACES_EXPORTER` names an exporter (at a service's start)."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    exporters = _exporters(os.environ.get("OTEL_TRACES_EXPORTER", "none"))
    if not exporters:
        return None
    os.environ.setdefault("OTEL_SERVICE_NAME", f"hearth-{service}")
    provider = TracerProvider(resource=Resource.create())  # reads the OTEL_* resource variables
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    install(provider)
    with contextlib.suppress(ImportError):  # the gateway's calls to the services carry the context
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        HTTPXClientInstrumentor().instrument(
            tracer_provider=provider, request_hook=without_query, async_request_hook=without_query_async
        )
    return provider


def without_query(span: trace.Span, request: Any) -> None:
    """A client span's URL without its query string (a staff search by email goes in one)."""
    if span.is_recording():
        url = str(request[1]).partition("?")[0]  # RequestInfo(method, url, headers, stream, extensions)
        span.set_attribute("url.full", url)
        span.set_attribute("http.url", url)


async def without_query_async(span: trace.Span, request: Any) -> None:
    without_query(span, request)


def context_of(traceparent: str | None) -> Context | None:
    """The remote context a `traceparent` value names (None when absent or malformed)."""
    if not traceparent:
        return None
    context = _PROPAGATOR.extract({TRACEPARENT: traceparent})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def current_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get(TRACEPARENT)


def traceparent_of(event: Any) -> str | None:
    """A CloudEvent's `traceparent` extension attribute, if it carries one."""
    value = (getattr(event, "model_extra", None) or {}).get(TRACEPARENT)
    return value if isinstance(value, str) else None


@contextlib.contextmanager
def publishing(event_type: str, parent: str | None = None) -> Iterator[str | None]:
    """A PRODUCER span for an event about to be written to the outbox; yields the `traceparent`
    to store in it (None when tracing is off). `parent`: the cause's, for a batch handler."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span(
        f"publish {event_type}",
        context=context_of(parent),
        kind=SpanKind.PRODUCER,
        attributes={"messaging.system": "rabbitmq", "cloudevents.event_type": event_type},
    ):
        yield current_traceparent()


@contextlib.contextmanager
def sending(body: bytes, headers: dict[str, Any], *, exchange: str, routing_key: str) -> Iterator[None]:
    """A PRODUCER span for one AMQP publish of a body that carries a `traceparent`; its context
    goes into the message's headers."""
    found = _IN_BODY.search(body) if _tracer is not None else None
    if _tracer is None or found is None:
        yield
        return
    with _tracer.start_as_current_span(
        f"{exchange or '(default)'} send",
        context=context_of(found.group(1).decode()),
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "send",
            "messaging.destination.name": exchange,
            "messaging.rabbitmq.destination.routing_key": routing_key,
        },
    ):
        headers[TRACEPARENT] = current_traceparent()
        yield


@contextlib.contextmanager
def processing(handler: str, event: Any) -> Iterator[None]:
    """A CONSUMER span around one event's handling, a child of the event's `traceparent`."""
    if _tracer is None:
        yield
        return
    with _tracer.start_as_current_span(
        f"{handler} process",
        context=context_of(traceparent_of(event)),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": handler,
            "messaging.message.id": str(event.id),
            "cloudevents.event_type": str(event.type),
        },
    ) as span:
        try:
            yield
        except Exception as exc:
            span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
            raise


@contextlib.contextmanager
def processing_batch(handler: str, events: list[Any]) -> Iterator[None]:
    """One CONSUMER span for a batch handler's call, linking the context of each of its events."""
    if _tracer is None:
        yield
        return
    contexts = (context_of(traceparent_of(e)) for e in events)
    links = [Link(trace.get_current_span(c).get_span_context()) for c in contexts if c is not None]
    with _tracer.start_as_current_span(
        f"{handler} process",
        context=Context(),  # a batch has no one parent: its events are links
        kind=SpanKind.CONSUMER,
        links=links,
        attributes={
            "messaging.system": "rabbitmq",
            "messaging.operation.type": "process",
            "messaging.consumer.group.name": handler,
            "messaging.batch.message_count": len(events),
        },
    ):
        yield


@contextlib.contextmanager
def calling(
    name: str, traceparent: str | None, attributes: dict[str, str]
) -> Iterator[Callable[[str], None]]:
    """A CLIENT span for a call made on behalf of stored work (the mail sender's SMTP send of a
    delivery), a child of the `traceparent` stored with it; yields a function that marks the call
    refused (with a description that holds no personal data)."""
    if _tracer is None:
        yield lambda _: None
        return
    with _tracer.start_as_current_span(
        name, context=context_of(traceparent) or Context(), kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        yield lambda why: span.set_status(Status(StatusCode.ERROR, why))


class TraceMiddleware:
    """A SERVER span per HTTP request, a child of its `traceparent` header. Plain ASGI (as the
    correlation middleware, for the same cost reason); named by method and route template, with
    the path but never the query string (it may hold an email: docs/operations.md, privacy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if _tracer is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        parent = context_of(Headers(scope=scope).get(TRACEPARENT))
        with _tracer.start_as_current_span(
            method,
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "url.path": scope.get("path", "")},
        ) as span:

            async def send_with_status(message: Message) -> None:
                if message["type"] == "http.response.start":
                    span.set_attribute("http.response.status_code", message["status"])
                    if message["status"] >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                await self.app(scope, receive, send_with_status)
            finally:
                route = getattr(scope.get("route"), "path", None)
                if route:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
