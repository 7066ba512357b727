"""What every public page shares: the site's parts (service clients in the `public` role, the
signed-link reader, the rate limits), reading a signed link, the size of a form, and the pages a
refusal becomes — a tampered or expired link, too many requests, a service that said no — each
a page in the visitor's language, never a 500."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from pydantic_settings import BaseSettings, SettingsConfigDict

from hearth_shared.signed_links import LinkRefused, MissingLinkKey, Purpose, SignedLinks

from ..actions.public_limits import PublicLimits
from ..domain import public_events
from ..domain.words import N_
from ..store.public_services import PublicServiceError, PublicServices
from .deps import client_address
from .rendering import Pages

PUBLIC_CSRF_COOKIE = "hearth_public_csrf"  # the registration form's own token (no session)


class PublicSiteSettings(BaseSettings):
    """`HEARTH_PUBLIC_*`: how much one visitor may do (`limits` notation) and how big a form may be."""

    model_config = SettingsConfigDict(env_prefix="HEARTH_PUBLIC_")

    url: str = "http://localhost:8000"
    register_per_address: str = "20/hour"
    register_per_email: str = "5/hour"
    feedback_per_address: str = "30/hour"
    feedback_per_person: str = "10/hour"
    links_per_address: str = "300/hour"
    max_form_bytes: int = 16 * 1024


@dataclass(frozen=True)
class PublicSite:
    services: PublicServices
    links: SignedLinks | None  # None until HEARTH_LINK_KEY is set: the link pages say so
    limits: PublicLimits
    settings: PublicSiteSettings
    pages: Pages
    cookie_secure: bool
    practice_areas: tuple[str, ...]  # what the feedback form's circle may be about (groups' codes)

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        status_code: int = 200,
        *,
        person_language: str | None = None,
    ) -> Response:
        """`person_language`: a link page's person's preferred language, the page's unless the
        visitor chose one with the switch."""
        return self.pages.render(
            request,
            f"public/{template}",
            context,
            status_code=status_code,
            preferred_language=person_language,
        )

    async def person_language(self, person_id: str) -> str | None:
        """The language a person chose for their emails (notifications), if they chose one."""
        try:
            found = await self.services.read("notifications", f"/people/{person_id}/preferences")
        except PublicServiceError:
            return None  # unknown to notifications yet: the visitor's language will do
        language = found.get("language")
        return language if isinstance(language, str) else None


class LinkNotAccepted(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "expired", "invalid" or "unavailable" (no key configured)


class TooMany(Exception):
    """Over a rate limit: the 429 page."""


class FormTooLarge(Exception):
    """A form bigger than any the site sends: the 413 page."""


def get_site(request: Request) -> PublicSite:
    site: PublicSite = request.app.state.public_site
    return site


Site = Annotated[PublicSite, Depends(get_site)]


def read_link(site: PublicSite, purpose: Purpose, token: str, *names: str) -> dict[str, str]:
    """The ids a signed link names, each checked to be an id; LinkNotAccepted otherwise."""
    if site.links is None:
        raise LinkNotAccepted("unavailable")
    try:
        subject = site.links.read(purpose, token)
    except LinkRefused as refused:
        raise LinkNotAccepted(refused.reason) from refused
    for name in names:
        try:
            uuid.UUID(subject.get(name, ""))
        except ValueError:
            raise LinkNotAccepted("invalid") from None
    return subject


async def link_visit(request: Request, site: Site) -> PublicSite:
    """Every signed-link page: counted per address, its form kept small."""
    await small_form(request, site)
    if not await site.limits.hit(links=client_address(request)):
        raise TooMany()
    return site


LinkVisit = Annotated[PublicSite, Depends(link_visit)]


async def small_form(request: Request, site: Site) -> None:
    """The body, refused (413) as soon as it passes the limit — by Content-Length or, for a chunked
    body that states none, as it arrives — and kept for the route's `request.form()`. A route
    behind this reads its form itself (no `Form()` parameters: FastAPI would parse those first)."""
    limit = site.settings.max_form_bytes
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > limit):
        raise FormTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise FormTooLarge()
        chunks.append(chunk)
    request._body = b"".join(chunks)  # Starlette's cache: `form()` and `body()` read it


SmallForm = Depends(small_form)


_LINK_WORDS = {
    "expired": (
        N_("This link has expired"),
        N_("Links in our emails last a limited time. Use a more recent email from us, or contact us."),
    ),
    "invalid": (
        N_("This link does not work"),
        N_("The link may have been cut short when it was copied. Open it again from the email."),
    ),
    "unavailable": (
        N_("This page is not available yet"),
        N_("Links from our emails cannot be opened here yet. Try again later, or contact us."),
    ),
}


_LINK_IN_PATH = re.compile(r"^(/(?:my|offer|feedback|email-preferences|unsubscribe)/)[^/?\s]+")


class WithoutLinkTokens(logging.Filter):
    """A signed link opens a person's registration: uvicorn's access line keeps its page, never
    its token (`/my/<link>`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3 and isinstance(record.args[2], str):
            path = _LINK_IN_PATH.sub(r"\1<link>", record.args[2])
            record.args = (*record.args[:2], path, *record.args[3:])
        return True


def install_public_refusals(app: FastAPI) -> None:
    """The public site's refusals as pages (the staff pages keep their own), and link tokens kept
    out of the access log."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, WithoutLinkTokens) for f in access.filters):
        access.addFilter(WithoutLinkTokens())

    @app.exception_handler(LinkNotAccepted)
    async def link_refused(request: Request, exc: LinkNotAccepted) -> Response:
        heading, message = _LINK_WORDS[exc.reason]
        status = {"expired": 410, "invalid": 400, "unavailable": 503}[exc.reason]
        return get_site(request).render(
            request, "problem.html", {"heading": heading, "message": message}, status
        )

    @app.exception_handler(TooMany)
    async def too_many(request: Request, exc: TooMany) -> Response:
        context = {
            "heading": N_("Too many requests"),
            "message": N_("You have sent many requests in a short time. Wait an hour, then try again."),
        }
        page = get_site(request).render(request, "problem.html", context, 429)
        page.headers["Retry-After"] = "3600"
        return page

    @app.exception_handler(FormTooLarge)
    async def too_large(request: Request, exc: FormTooLarge) -> Response:
        context = {
            "heading": N_("This form is too long"),
            "message": N_("Shorten what you wrote, then send it again."),
        }
        return get_site(request).render(request, "problem.html", context, 413)

    @app.exception_handler(PublicServiceError)
    async def service_refused(request: Request, exc: PublicServiceError) -> Response:
        if exc.status == 404:
            context = {
                "heading": N_("We could not find this"),
                "message": N_("It may have been removed. Contact us if you need help."),
            }
            return get_site(request).render(request, "problem.html", context, 404)
        if exc.status < 500:
            context = {
                "heading": N_("This cannot be done now"),
                "message": N_("It may already be done, or no longer possible. Contact us if you need help."),
            }
            return get_site(request).render(request, "problem.html", context, 409)
        context = {
            "heading": N_("Something went wrong on our side"),
            "message": N_("Nothing was changed. Try again in a few minutes."),
        }
        return get_site(request).render(request, "problem.html", context, 503)


def public_site(
    pages: Pages,
    urls: dict[str, str],
    key: str,
    token_seconds: int,
    cookie_secure: bool,
    practice_areas: tuple[str, ...],
) -> PublicSite:
    settings = PublicSiteSettings()
    try:
        links: SignedLinks | None = SignedLinks.from_env(settings.url)
    except MissingLinkKey:
        links = None
    limits = PublicLimits(
        {
            "register_address": settings.register_per_address,
            "register_email": settings.register_per_email,
            "feedback_address": settings.feedback_per_address,
            "feedback_person": settings.feedback_per_person,
            "links": settings.links_per_address,
        }
    )
    pages.env.filters["money"] = public_events.money
    pages.env.filters["moment"] = public_events.moment
    pages.env.filters["seats_left"] = public_events.seats_left
    services = PublicServices(urls, key, token_lifetime=timedelta(seconds=token_seconds))
    return PublicSite(services, links, limits, settings, pages, cookie_secure, practice_areas)
