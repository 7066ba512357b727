"""The emails a person receives, from the signed links in every footer and in the
`List-Unsubscribe` header: the preferences page (categories, digest, language) and the one-click
opt-out of one category (a page with a button, and the POST a mail client sends, RFC 8058)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hearth_shared.signed_links import PATHS, Purpose

from ..domain import public_forms
from .forms import form_fields
from .public_common import LinkNotAccepted, LinkVisit, PublicSite, read_link

router = APIRouter(tags=["public"])


@router.get("/email-preferences/{token}")
async def preferences_form(request: Request, site: LinkVisit, token: str, done: str = "") -> Response:
    person = read_link(site, Purpose.PREFERENCES, token, "person")["person"]
    found = await site.services.read("notifications", f"/people/{person}/preferences")
    form = public_forms.preferences_form(found)
    chosen = found.get("language")
    form["language"] = form["language"] or site.pages.language(request)
    context = {"form": form, "errors": [], "done": done, "categories": public_forms.CATEGORIES}
    return site.render(request, "preferences.html", context, person_language=chosen)


@router.post("/email-preferences/{token}")
async def choose_preferences(request: Request, site: LinkVisit, token: str) -> Response:
    person = read_link(site, Purpose.PREFERENCES, token, "person")["person"]
    fields = await form_fields(request)
    checked = public_forms.read_preferences(fields)
    if checked.problems:
        context = {
            "form": fields,
            "errors": checked.problems,
            "done": "",
            "categories": public_forms.CATEGORIES,
        }
        return site.render(request, "preferences.html", context, 422)
    await site.services.send("PUT", "notifications", f"/people/{person}/preferences", checked.body)
    return RedirectResponse(f"/email-preferences/{token}?done=saved", status_code=303)


def _opt_out(site: PublicSite, token: str) -> tuple[str, str]:
    subject = read_link(site, Purpose.UNSUBSCRIBE, token, "person")
    if subject.get("category") not in public_forms.CATEGORIES:
        raise LinkNotAccepted("invalid")
    return subject["person"], subject["category"]


def _preferences_path(site: PublicSite, person: str) -> str | None:
    # Whoever may opt this person out may also choose the rest: the link to their preferences.
    return (
        PATHS[Purpose.PREFERENCES] + site.links.token(Purpose.PREFERENCES, person=person)
        if site.links
        else None
    )


@router.get("/unsubscribe/{token}")
async def unsubscribe_page(request: Request, site: LinkVisit, token: str) -> Response:
    person, category = _opt_out(site, token)
    context = {"category": category, "done": False, "preferences": _preferences_path(site, person)}
    return site.render(
        request, "unsubscribe.html", context, person_language=await site.person_language(person)
    )


@router.post("/unsubscribe/{token}")
async def unsubscribe(request: Request, site: LinkVisit, token: str) -> Response:
    """The page's button, or a mail client's one-click POST (`List-Unsubscribe=One-Click`): no
    cookie, no form token — the signed link is the proof."""
    person, category = _opt_out(site, token)
    await site.services.send("POST", "notifications", f"/people/{person}/unsubscribe", {"category": category})
    context = {"category": category, "done": True, "preferences": _preferences_path(site, person)}
    return site.render(
        request, "unsubscribe.html", context, person_language=await site.person_language(person)
    )
