"""`/door/{system}/events`: CloudEvents 1.0 over HTTP from other systems (docs/events.md).

Authenticated by the system's Standard Webhooks signature, not a staff session (so the route
table's session checks do not apply to it). Every answer but 202 is an RFC 9457 problem, a body
too large for the door included: `DoorSizeGuard` answers a declared length over the door's own
limit before the gateway's general body limit would, in the services' error shape."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from ..actions.door import Door
from ..domain.cloudevents import Refusal, body_limit
from .deps import GatewayDep

router = APIRouter(tags=["door"])

PATH = "/door/{system}/events"
PATH_PATTERN = re.compile(r"/door/[^/]+/events")
PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Signature missing or invalid",
    403: "Not allowed for this system",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Event breaks its contract",
    429: "Too many requests",
    503: "Broker unavailable",
}
WEBHOOK_RATE = "120"  # requests a minute a sender may expect to be taken (the handshake's answer)


def get_door(request: Request) -> Door:
    door: Door = request.app.state.door
    return door


DoorDep = Annotated[Door, Depends(get_door)]


def problem(refusal: Refusal, instance: str) -> JSONResponse:
    body = {
        "type": f"urn:hearth:problem:{refusal.reason}",
        "title": TITLES.get(refusal.status, "Refused"),
        "status": refusal.status,
        "detail": refusal.detail,
        "instance": instance,
        "errors": [{"pointer": where, "detail": what} for where, what in refusal.errors],
    }
    headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else {}
    return JSONResponse(body, status_code=refusal.status, media_type=PROBLEM, headers=headers)


def _too_large(limit: int) -> Refusal:
    return Refusal(413, "too_large", f"this request may have at most {limit} bytes")


class DoorSizeGuard:
    """Refuses a door request whose Content-Length is over the door's limit (413, a problem),
    before the app's general body limit (8 MiB) answers it in the services' `{"errors": …}` shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and PATH_PATTERN.fullmatch(scope["path"]):
            headers = Headers(scope=scope)
            limit = body_limit(headers.get("content-type"))
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                refusal = _too_large(limit)
                scope["app"].state.door.refused(refusal)
                await problem(refusal, scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes `limit` as it arrives (a declared length over
    it was refused by `DoorSizeGuard`)."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    PATH, status_code=202, responses={code: {"description": title} for code, title in TITLES.items()}
)
async def receive_events(request: Request, system: str, gw: GatewayDep, door: DoorDep) -> Response:
    """One event (structured or binary mode) or a batch; 202 once the broker has confirmed them."""
    content_type = request.headers.get("content-type")
    try:
        body = await _body(request, body_limit(content_type))
        count = await door.accept(gw.pool, system, content_type, request.headers, body)
    except Refusal as refusal:
        if refusal.status == 413:  # refused before `accept` saw it
            door.refused(refusal)
        return problem(refusal, request.url.path)
    return JSONResponse({"accepted": count}, status_code=202)


@router.options(PATH)
async def validation_handshake(request: Request, system: str, gw: GatewayDep, door: DoorDep) -> Response:
    """The CloudEvents webhook validation handshake: a sender asks whether it may deliver here
    (granted, by echoing its `WebHook-Request-Origin`, for a registered and enabled system)."""
    origin = request.headers.get("webhook-request-origin", "")
    headers = {"Allow": "POST, OPTIONS"}
    if not (origin and len(origin) <= 500 and origin.isprintable()):
        return Response(status_code=200, headers=headers)
    if not await door.handshake_allowed(gw.pool, system):
        refusal = Refusal(403, "handshake_refused", "no enabled system of this name may deliver here")
        return problem(refusal, request.url.path)
    headers |= {"WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": WEBHOOK_RATE}
    return Response(status_code=200, headers=headers)
