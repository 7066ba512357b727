"""`/door/{system}/events`: CloudEvents 1.0 over HTTP from other systems (docs/events.md).

Authenticated by the system's Standard Webhooks signature, not a staff session (so the route
table's session checks do not apply to it). Every answer but 202 is an RFC 9457 problem."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ..actions.door import Door
from ..domain.cloudevents import Refusal, body_limit
from .deps import GatewayDep

router = APIRouter(tags=["door"])

PATH = "/door/{system}/events"
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


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes `limit`, by Content-Length or as it arrives."""
    too_large = Refusal(413, "too_large", f"this request may have at most {limit} bytes")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
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
