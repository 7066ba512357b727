"""The public site's gatherings: the upcoming ones, and registering for one (member, non-member,
student; a breakout chosen or placed by language), without a staff login.

The registration form carries a CSRF token of its own (cookie and field: there is no session), an
attempt id sent as registration's Idempotency-Key (a double submit registers once), and a
honeypot field; it is counted per address and per email."""

from __future__ import annotations

import asyncio
import hmac
import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..domain import public_forms
from ..domain.public_events import upcoming
from ..domain.words import N_
from ..store.public_services import PublicServiceError
from .deps import client_address
from .forms import form_fields
from .public_common import PUBLIC_CSRF_COOKIE, PublicSite, Site, SmallForm, TooMany

router = APIRouter(tags=["public"])


@router.get("/events")
async def list_events(request: Request, site: Site) -> Response:
    found = await site.services.read("registration", "/gatherings", status="open", limit=200)
    shown = upcoming(found, datetime.now(UTC))
    breakouts = await asyncio.gather(
        *(site.services.read("registration", f"/gatherings/{g['id']}/breakouts") for g in shown)
    )
    for gathering, its_breakouts in zip(shown, breakouts, strict=True):
        gathering["breakouts"] = its_breakouts
    return site.render(request, "events.html", {"gatherings": shown})


async def _gathering(
    site: PublicSite, gathering_id: uuid.UUID
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    gathering, breakouts = await asyncio.gather(
        site.services.read("registration", f"/gatherings/{gathering_id}"),
        site.services.read("registration", f"/gatherings/{gathering_id}/breakouts"),
    )
    return gathering, breakouts


def _form_page(
    request: Request,
    site: PublicSite,
    found: tuple[dict[str, Any], list[dict[str, Any]]],
    form: dict[str, str],
    errors: list[tuple[str, str]],
) -> Response:
    gathering, breakouts = found
    token = secrets.token_urlsafe(32)
    context = {"gathering": gathering, "breakouts": breakouts, "form": form, "errors": errors, "csrf": token}
    context["attempt"] = form.get("attempt") or str(uuid.uuid4())
    page = site.render(request, "register.html", context, 422 if errors else 200)
    page.set_cookie(
        PUBLIC_CSRF_COOKIE, token, secure=site.cookie_secure, httponly=True, samesite="strict", path="/"
    )
    return page


@router.get("/events/{gathering_id}/register")
async def registration_form(request: Request, site: Site, gathering_id: uuid.UUID) -> Response:
    found = await _gathering(site, gathering_id)
    language = site.pages.language(request)
    return _form_page(request, site, found, {"preferred_language": language}, [])


@router.post("/events/{gathering_id}/register", dependencies=[SmallForm])
async def register(request: Request, site: Site, gathering_id: uuid.UUID) -> Response:
    fields = await form_fields(request)
    # Counted first: a refused or broken form counts too, so hammering never gets through.
    if not await site.limits.hit(
        register_address=client_address(request), register_email=fields.get("email", "")
    ):
        raise TooMany()
    found = await _gathering(site, gathering_id)
    expected = request.cookies.get(PUBLIC_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, fields.get("csrf", "")):
        return _form_page(request, site, found, fields, [("name", N_("Your form expired. Send it again."))])
    if fields.get(public_forms.HONEYPOT):
        # A bot filled the field people never see: thank it, register nothing.
        return site.render(request, "registered.html", {"gathering": found[0], "outcome": "unknown"})
    offered = [t["kind"] for t in found[0]["ticket_types"]]
    checked = public_forms.read_registration(fields, offered, [b["id"] for b in found[1]])
    if checked.problems:
        return _form_page(request, site, found, fields, checked.problems)
    try:
        bought = await site.services.send(
            "POST",
            "registration",
            f"/gatherings/{gathering_id}/tickets",
            checked.body,
            headers={"Idempotency-Key": f"public:{fields.get('attempt', '')[:100]}"},
        )
    except PublicServiceError as exc:
        said = [public_forms.registration_refusal(r.field, r.code) for r in exc.refusals]
        if exc.status >= 500 or not all(said):
            raise
        return _form_page(request, site, found, fields, [s for s in said if s])
    return site.render(request, "registered.html", _outcome(found[0], bought))


def _outcome(gathering: dict[str, Any], bought: dict[str, Any]) -> dict[str, Any]:
    ticket = bought.get("ticket") or {}
    entry = bought.get("waitlist_entry") or {}
    return {
        "gathering": gathering,
        # The contract also puts the ticket's id and state at the top level: either shape reads.
        "outcome": bought.get("outcome") or ("ticket" if ticket or bought.get("ticket_id") else "waitlisted"),
        "status": ticket.get("status") or bought.get("status"),
        "hold_expires_at": ticket.get("hold_expires_at") or bought.get("hold_expires_at"),
        "position": bought.get("position"),
        "offer_expires_at": entry.get("offer_expires_at"),
    }
