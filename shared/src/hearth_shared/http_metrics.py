"""Request latency as Prometheus sees it: `hearth_http_request_duration_seconds{method, route,
status}`, one histogram per service (its runtime's registry, served at /metrics). Labelled by
the route template (`/gatherings/{gathering_id}/tickets`), never the path, so ids do not become
series; a request that matched no route counts as `route="(unmatched)"`."""

from __future__ import annotations

import time
import weakref

from prometheus_client import CollectorRegistry, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# One histogram per registry, however many apps are built on one runtime (tests build several).
_HISTOGRAMS: weakref.WeakKeyDictionary[CollectorRegistry, Histogram] = weakref.WeakKeyDictionary()


def request_seconds(registry: CollectorRegistry) -> Histogram:
    if registry not in _HISTOGRAMS:
        _HISTOGRAMS[registry] = Histogram(
            "hearth_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
            buckets=BUCKETS,
        )
    return _HISTOGRAMS[registry]


class RequestMetricsMiddleware:
    """Times each HTTP request from its arrival to the end of its answer. Plain ASGI (cheap)."""

    def __init__(self, app: ASGIApp, registry: CollectorRegistry) -> None:
        self.app = app
        self.seconds = request_seconds(registry)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the answer started is what the client sees as a 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or "(unmatched)"
            self.seconds.labels(scope.get("method", ""), route, str(status)).observe(
                time.perf_counter() - started
            )
