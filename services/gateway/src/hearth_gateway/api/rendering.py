"""Jinja2 pages in the reader's language, with the session's CSRF token for every form."""

from __future__ import annotations

import gettext
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from ..domain.public_events import LOCALES
from ..domain.roles import Permission, may
from ..domain.staff import Session
from .i18n import LANGUAGES, language_of

LANGUAGE_COOKIE = "hearth_lang"


def _when(value: str | datetime | None, zone: str = "America/Halifax") -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


def _day(value: str | datetime | None, language: str, zone: str = "America/Halifax") -> str:
    """A date as the reader's language writes it (December 1, 2026; 1 décembre 2026)."""
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_date(moment.astimezone(ZoneInfo(zone)), "long", locale=LOCALES[language])


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _newstyle(words: gettext.NullTranslations) -> tuple[Any, Any]:
    """gettext and ngettext as Jinja's "new style" expects them: variables by keyword, escaped."""

    @pass_context
    def gettext_(context: Context, message: str, **variables: Any) -> str:
        text: str = words.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def ngettext_(context: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
        text: str = words.ngettext(singular, plural, n)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % ({"num": n} | variables)

    return gettext_, ngettext_


def _series_choice(series: dict[str, Any], language: str) -> tuple[str, str]:
    """A series as the gathering form offers it: its title in the page's language, how often."""
    return str(series["id"]), f"{series['title'][language]} ({series['cadence']})"


class Pages:
    def __init__(self, translations: dict[str, gettext.NullTranslations]) -> None:
        self.translations = translations
        self.env = Environment(
            loader=PackageLoader("hearth_gateway", "templates"),
            autoescape=select_autoescape(default=True),
            extensions=["jinja2.ext.i18n"],
        )
        self.env.extend(newstyle_gettext=True)
        self.env.filters["when"] = _when
        self.env.filters["day"] = _day
        self.env.filters["pretty"] = _pretty
        self.env.filters["zone_choice"] = lambda zone: (zone, zone)
        self.env.filters["series_choice"] = _series_choice

    def language(self, request: Request, preferred: str | None = None) -> str:
        """`preferred`: the language of the person a signed link names; the switch's cookie wins."""
        cookie = request.cookies.get(LANGUAGE_COOKIE)
        return language_of(cookie, request.headers.get("accept-language"), preferred)

    def gettext(self, request: Request) -> gettext.NullTranslations:
        return self.translations[self.language(request)]

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        session: Session | None = None,
        status_code: int = 200,
        preferred_language: str | None = None,
    ) -> HTMLResponse:
        language = self.language(request, preferred_language)
        gettext_, ngettext_ = _newstyle(self.translations[language])
        staff = session.staff if session and session.stage == "complete" else None
        page = {
            "request": request,
            "language": language,
            "html_lang": LANGUAGES[language],
            "gettext": gettext_,
            "ngettext": ngettext_,
            "staff": staff,
            "csrf_token": session.csrf_token if session else request.cookies.get("hearth_login_csrf", ""),
            "can": (lambda p: staff is not None and may(staff.role, Permission(p))),
            "errors": [],
            **(context or {}),
        }
        html = self.env.get_template(template).render(page)
        return HTMLResponse(html, status_code=status_code)
