"""Pages a signed link from an email opens: *my registration* (the ticket, add to calendar,
change breakout, cancel) and a *waiting-list offer* (the held seat and its expiry; accept or
decline). Reading a page changes nothing; every change is a POST from its button."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hearth_shared.signed_links import PATHS, Purpose

from ..domain import public_forms
from ..domain.public_events import calendar_file
from ..store.public_services import PublicServiceError
from .forms import form_fields
from .public_common import LinkVisit, PublicSite, read_link

router = APIRouter(tags=["public"])
_ACTIVE = ("active", "confirmed", "awaiting_payment")


async def _registration(site: PublicSite, token: str) -> dict[str, Any]:
    ticket_id = read_link(site, Purpose.REGISTRATION, token, "ticket")["ticket"]
    ticket = await site.services.read("registration", f"/tickets/{ticket_id}")
    gathering, breakouts = await asyncio.gather(
        site.services.read("registration", f"/gatherings/{ticket['gathering_id']}"),
        site.services.read("registration", f"/gatherings/{ticket['gathering_id']}/breakouts"),
    )
    return {"ticket": ticket, "gathering": gathering, "breakouts": breakouts, "token": token}


@router.get("/my/{token}")
async def my_registration(request: Request, site: LinkVisit, token: str, done: str = "") -> Response:
    context = await _registration(site, token)
    context |= {"done": done, "active": context["ticket"]["status"] in _ACTIVE, "errors": []}
    return site.render(
        request, "my.html", context, person_language=context["ticket"].get("attendee_language")
    )


@router.get("/my/{token}/calendar.ics")
async def add_to_calendar(request: Request, site: LinkVisit, token: str) -> Response:
    found = await _registration(site, token)
    if found["ticket"]["status"] not in _ACTIVE:
        raise PublicServiceError("registration", 404, [])
    language = site.pages.language(request, found["ticket"].get("attendee_language"))
    ics = calendar_file(found["gathering"], language, found["ticket"].get("join_url"))
    headers = {"Content-Disposition": 'attachment; filename="gathering.ics"'}
    return Response(ics, media_type="text/calendar; charset=utf-8", headers=headers)


@router.post("/my/{token}/breakout")
async def change_breakout(request: Request, site: LinkVisit, token: str) -> Response:
    found = await _registration(site, token)
    breakout_id = (await form_fields(request)).get("breakout_id", "")
    ticket_id = found["ticket"]["id"]
    try:
        await site.services.send(
            "POST", "registration", f"/tickets/{ticket_id}/breakout", {"breakout_id": breakout_id or None}
        )
    except PublicServiceError as exc:
        if not exc.has("breakout_full", "unknown_breakout"):
            raise
        errors = [public_forms.registration_refusal(None, "breakout_full")]
        context = found | {"done": "", "active": True, "errors": errors}
        return site.render(
            request, "my.html", context, 422, person_language=found["ticket"].get("attendee_language")
        )
    return RedirectResponse(f"/my/{token}?done=breakout", status_code=303)


@router.post("/my/{token}/cancel")
async def cancel_registration(site: LinkVisit, token: str) -> Response:
    ticket_id = read_link(site, Purpose.REGISTRATION, token, "ticket")["ticket"]
    await site.services.send("POST", "registration", f"/tickets/{ticket_id}/cancel", {})
    return RedirectResponse(f"/my/{token}?done=cancelled", status_code=303)


async def _offer(site: PublicSite, entry_id: str) -> dict[str, Any] | None:
    """The waiting-list entry, or None while registration has no route to read one."""
    try:
        entry: dict[str, Any] = await site.services.read("registration", f"/waitlist/{entry_id}")
    except PublicServiceError as exc:
        if exc.route_missing:
            return None
        raise
    return entry


@router.get("/offer/{token}")
async def show_offer(request: Request, site: LinkVisit, token: str) -> Response:
    entry_id = read_link(site, Purpose.OFFER, token, "entry")["entry"]
    entry = await _offer(site, entry_id)
    gathering = language = None
    if entry is not None:
        gathering = await site.services.read("registration", f"/gatherings/{entry['gathering_id']}")
        language = await site.person_language(entry["person_id"])
    context = {"entry": entry, "gathering": gathering, "token": token}
    return site.render(request, "offer.html", context, person_language=language)


@router.post("/offer/{token}/accept")
async def accept_offer(request: Request, site: LinkVisit, token: str) -> Response:
    entry_id = read_link(site, Purpose.OFFER, token, "entry")["entry"]
    try:
        ticket = await site.services.send("POST", "registration", f"/waitlist/{entry_id}/accept", {})
    except PublicServiceError as exc:
        # The offer ended, or its gathering's line closed (cancelled, or begun).
        if not exc.has("offer_not_open", "gathering_cancelled", "waitlist_closed"):
            raise
        return site.render(request, "offer_done.html", {"outcome": "closed"}, 409)
    gathering = await site.services.read("registration", f"/gatherings/{ticket['gathering_id']}")
    # Whoever holds the offer's link holds the person's email: the new ticket's page is theirs.
    mine = (
        PATHS[Purpose.REGISTRATION] + site.links.token(Purpose.REGISTRATION, ticket=ticket["id"])
        if site.links
        else None
    )
    context = {"outcome": "accepted", "gathering": gathering, "ticket": ticket, "mine": mine}
    return site.render(request, "offer_done.html", context, 201)


@router.post("/offer/{token}/decline")
async def decline_offer(request: Request, site: LinkVisit, token: str) -> Response:
    entry_id = read_link(site, Purpose.OFFER, token, "entry")["entry"]
    # Withdrawing is declining: the held seat passes to the next person in line.
    try:
        await site.services.send("POST", "registration", f"/waitlist/{entry_id}/withdraw", {})
    except PublicServiceError as exc:
        if not exc.has("offer_not_open", "status_transition_refused"):
            raise
    return site.render(request, "offer_done.html", {"outcome": "declined"})
