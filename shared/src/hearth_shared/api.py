"""HTTP pieces every service exposes: liveness, readiness, Prometheus metrics, and one shape for
errors so that every 4xx names the field and the problem."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Annotated, Any

import asyncpg
import structlog
import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .http_metrics import RequestMetricsMiddleware
from .logs import configure_logging
from .messaging import ServiceRuntime
from .messaging.errors import CONNECTION_ERRORS
from .service_access import STAFF_ROLES, behind_token
from .service_token import RequireServiceToken, ServiceCaller
from .settings import ServiceSettings
from .tracing import TraceMiddleware, configure_tracing

log = structlog.get_logger(__name__)

CORRELATION_HEADER = "X-Correlation-Id"
# What a correlation id taken from a request may be: it travels in events (`correlationid`, at most
# 200 characters), log lines and email headers, so nothing that could break any of them.
_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,200}$")


def correlation_id_from(header: str | None) -> str:
    """The request's correlation id if it is a safe one, else a new one (never a control
    character, a space or a NUL, whatever the client sent)."""
    if header and _CORRELATION_ID.match(header):
        return header
    return str(uuid.uuid4())


class Problem(Exception):
    """A request that cannot be done, with a status code and a message for the reader."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def operations_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @router.get("/ready")
    async def ready() -> Response:
        ok = await runtime.ready()
        return JSONResponse({"ready": ok}, status_code=200 if ok else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(runtime.metrics), media_type=CONTENT_TYPE_LATEST)

    return router


def problem_response(problem: Problem) -> JSONResponse:
    """The one shape of an error answer: `{"errors": [{code, field, message}]}`."""
    return JSONResponse(
        {"errors": [{"code": problem.code, "field": problem.field, "message": problem.message}]},
        status_code=problem.status,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def on_problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "code": "invalid",
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def on_http(request: Request, exc: HTTPException) -> Response:
        # FastAPI answers a body it cannot decode (not UTF-8, say) with a bare 400; it is an
        # invalid body like any other, so the same 422 in the error shape.
        if exc.status_code == 400:
            return problem_response(Problem(422, "invalid", "the body cannot be read as JSON", "body"))
        return await http_exception_handler(request, exc)

    @app.exception_handler(asyncpg.DataError)
    async def on_unstorable(_: Request, exc: asyncpg.DataError) -> Response:
        # A NUL (Postgres refuses it) or a lone surrogate (the driver cannot encode it) in a query
        # parameter or a field: the request's text, not the service failing, so 422 (issue 15).
        if isinstance(exc, _UNSTORABLE_TEXT) or isinstance(exc.__cause__, UnicodeEncodeError):
            message = "a text holds a NUL character or a lone surrogate"
            return problem_response(Problem(422, "invalid", message))
        if isinstance(exc.__cause__, OverflowError):  # e.g. 0001-01-01T00:00+05:00 has no UTC instant
            return problem_response(Problem(422, "invalid", "a date or number is out of range"))
        raise exc

    async def on_outage(request: Request, exc: Exception) -> Response:
        # The database restarting or unreachable: the service, not the request, and not a crash
        # to log with its traceback; the caller tries again (a purchase with its Idempotency-Key).
        log.warning("database unreachable: request refused", path=request.url.path, error=repr(exc))
        response = problem_response(
            Problem(503, "database_unavailable", "the database is unreachable; try again")
        )
        response.headers["Retry-After"] = "1"
        return response

    # The consumers' classification of a lost or refused database connection, for requests too.
    for outage in CONNECTION_ERRORS:
        app.add_exception_handler(outage, on_outage)
    document_errors(app)


_UNSTORABLE_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


# The error answers every route may give besides its own, in the one error shape (issue 15: a
# client, or schemathesis, meets no status code the OpenAPI document does not list).
_ERRORS_SCHEMA = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "field": {"type": ["string", "null"]},
                    "message": {"type": "string"},
                },
            },
        }
    },
}
_GUARDED = {"401": "No valid service token", "403": "The caller's role may not do this"}
_ON_PATH = {"404": "Nothing has the id in the path"}
_WITH_BODY = {"413": "The request body is too large", "422": "The request is not valid"}
_OUTAGE = {"503": "The service's database is unreachable; try again after Retry-After"}


def document_errors(app: FastAPI) -> None:
    """Add the kit's error answers to each operation of the app's OpenAPI document: 401/403/503
    behind the service token (every route but the operations ones), 404 where the path names
    something, 413/422 where there is a body."""
    generate = app.openapi

    def with_errors() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        for operation in (op for path in document.get("paths", {}).values() for op in path.values()):
            errors = {} if "operations" in operation.get("tags", []) else _GUARDED | _OUTAGE
            if any(p.get("in") == "path" for p in operation.get("parameters", [])):
                errors |= _ON_PATH
            if "requestBody" in operation:
                errors |= _WITH_BODY
            for code, description in errors.items():
                operation.setdefault("responses", {}).setdefault(
                    code,
                    {"description": description, "content": {"application/json": {"schema": _ERRORS_SCHEMA}}},
                )
        return document

    app.openapi = with_errors  # type: ignore[method-assign]


_AnyStaff = Annotated[ServiceCaller, Depends(RequireServiceToken(*STAFF_ROLES))]


def description_router(app: FastAPI) -> APIRouter:
    """The app's OpenAPI document at `/openapi.json`, behind the service token like every other
    route (issue 12: a service answers only the gateway; its document says what it holds and who
    may change it). Any staff role reads it; scripts/export_docs.py calls `app.openapi()` itself."""
    router = APIRouter(tags=["operations"])

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi(_: _AnyStaff) -> JSONResponse:
        return JSONResponse(app.openapi())

    return behind_token([router])


def build_app(
    runtime: ServiceRuntime, *, title: str, routers: Iterable[APIRouter] = (), open_description: bool = False
) -> FastAPI:
    """A service's FastAPI app: lifespan tied to the runtime, shared routes and error shape, and a
    correlation id per request (taken from `X-Correlation-Id` or made) bound into every log line.
    Its OpenAPI document is served only with a service token and there is no Swagger page, unless
    `open_description` (the gateway: its routes are pages behind a staff session, no data)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    # FastAPI's own telemetry stays off: its spans record query strings (a staff search by email)
    # and exception messages; hearth_shared.tracing's middleware records neither.
    quiet = TelemetryConfig(
        tracing=False, operation_spans=False, metrics=False, logs=False, auto_configure=False
    )
    closed: dict[str, Any] = {"openapi_url": None, "docs_url": None, "redoc_url": None}
    app = FastAPI(title=title, lifespan=lifespan, telemetry=quiet, **({} if open_description else closed))
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(operations_router(runtime))
    if not open_description:
        app.include_router(description_router(app))
    for router in routers:
        app.include_router(router)

    app.add_middleware(BodyLimitMiddleware, limit=runtime.settings.max_request_bytes)
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(RequestMetricsMiddleware, registry=runtime.metrics)
    app.add_middleware(TraceMiddleware)  # outermost: the span covers the whole request
    return app


class BodyLimitMiddleware:
    """Refuses a request body over `limit` bytes: by its Content-Length before the app runs (413,
    in the error shape), or, sent without one, as soon as more has arrived (a `Problem` 413 where
    the route reads the body itself)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            await problem_response(self._too_large())(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise self._too_large()
            return message

        await self.app(scope, limited, send)

    def _too_large(self) -> Problem:
        return Problem(413, "too_large", f"a request body may have at most {self.limit} bytes", "body")


class CorrelationMiddleware:
    """Binds the request's correlation id (from `X-Correlation-Id` if it is a safe one, or a new
    one) into the log context and returns it in the response. Plain ASGI: Starlette's
    BaseHTTPMiddleware costs a measurable share of a purchase's CPU (docs/benchmarks.md)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_from(Headers(scope=scope).get(CORRELATION_HEADER))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(CORRELATION_HEADER, correlation_id)
            await send(message)

        with structlog.contextvars.bound_contextvars(correlation_id=correlation_id):
            await self.app(scope, receive, send_with_id)


def serve(app: FastAPI, settings: ServiceSettings, service: str) -> None:
    """Run one service: logs configured, uvicorn handling SIGTERM through the lifespan."""
    configure_logging(service, log_format=settings.log_format, level=settings.log_level)
    configure_tracing(service)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        # The C HTTP parser (issue 19). Not uvloop: with it the mail sender fell behind at 150
        # emails/s (p99 3.1 s against 1.0 s on asyncio's loop, docs/benchmarks.md).
        http="httptools",
        loop="asyncio",
    )
