"""Feedback after a gathering, from the signed link in the feedback-request email: how much it
helped (1–5), comments, and what the person would like to follow up on. The page shows the form
and the person's own earlier answers only; one submission each, editable while feedback is open."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hearth_shared.signed_links import Purpose

from ..domain import practice_areas, public_forms
from ..domain.words import N_
from ..store.public_services import PublicServiceError
from .deps import client_address
from .forms import form_fields
from .public_common import LinkVisit, PublicSite, TooMany, read_link

router = APIRouter(tags=["public"])


async def _earlier(site: PublicSite, gathering_id: str, person_id: str) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = await site.services.read(
            "registration", f"/gatherings/{gathering_id}/feedback/{person_id}"
        )
    except PublicServiceError as exc:
        if exc.status == 404:  # none yet
            return None
        raise
    return found


def _page(
    request: Request,
    site: PublicSite,
    gathering: dict[str, Any],
    form: dict[str, str],
    language: str | None,
    **extra: Any,
) -> Response:
    areas = practice_areas.options(site.practice_areas)
    context = {"gathering": gathering, "form": form, "errors": [], "done": "", "areas": areas, **extra}
    status = 422 if context["errors"] else 200
    return site.render(request, "feedback.html", context, status, person_language=language)


def _closed(request: Request, site: PublicSite, language: str | None) -> Response:
    context = {
        "heading": N_("Feedback for this gathering is closed"),
        "message": N_("Feedback is taken for a limited time after a gathering. Contact us if you need help."),
    }
    return site.render(request, "problem.html", context, 409, person_language=language)


@router.get("/feedback/{token}")
async def feedback_form(request: Request, site: LinkVisit, token: str, done: str = "") -> Response:
    subject = read_link(site, Purpose.FEEDBACK, token, "gathering", "person")
    gathering = await site.services.read("registration", f"/gatherings/{subject['gathering']}")
    earlier = await _earlier(site, subject["gathering"], subject["person"])
    language = await site.person_language(subject["person"])
    form = public_forms.feedback_form(earlier)
    return _page(request, site, gathering, form, language, done=done, token=token)


@router.post("/feedback/{token}")
async def give_feedback(request: Request, site: LinkVisit, token: str) -> Response:
    subject = read_link(site, Purpose.FEEDBACK, token, "gathering", "person")
    if not await site.limits.hit(feedback_address=client_address(request), feedback_person=subject["person"]):
        raise TooMany()
    fields = await form_fields(request)
    gathering = await site.services.read("registration", f"/gatherings/{subject['gathering']}")
    checked = public_forms.read_feedback(fields, site.practice_areas)
    if checked.problems:
        language = await site.person_language(subject["person"])
        return _page(request, site, gathering, fields, language, errors=checked.problems, token=token)
    path = f"/gatherings/{subject['gathering']}/feedback/{subject['person']}"
    try:
        await site.services.send("PUT", "registration", path, checked.body)
    except PublicServiceError as exc:
        if not exc.has("feedback_closed"):
            raise
        return _closed(request, site, await site.person_language(subject["person"]))
    return RedirectResponse(f"/feedback/{token}?done=saved", status_code=303)
