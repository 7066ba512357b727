"""Notifications' rules, free of I/O: what an email says, in which language, and which SMTP
failures are worth retrying."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hearth_shared.contracts.catalogue import GatheringSnapshot, Language

LOCALES: dict[Language, str] = {"en": "en_CA", "fr": "fr_CA"}

_templates = Environment(
    loader=PackageLoader("hearth_notifications", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Email:
    template: str
    language: Language
    to_address: str
    subject: str
    text: str
    html: str


def when(starts_at: datetime, ends_at: datetime, time_zone: str, language: Language) -> str:
    """The gathering's date and times in its own zone, written as a reader of `language` expects
    (e.g. "Thursday, December 3, 2026, 12:00 p.m.–1:30 p.m. (Atlantic Time)")."""
    zone = ZoneInfo(time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    locale = LOCALES[language]
    day = format_date(start, format="full", locale=locale)
    hours = f"{format_time(start, 'short', locale=locale)}–{format_time(end, 'short', locale=locale)}"
    zone_name = get_timezone_name(start, width="long", locale=locale)
    if end.date() != start.date():
        hours = f"{format_time(start, 'short', locale=locale)} – " + (
            f"{format_date(end, format='full', locale=locale)} {format_time(end, 'short', locale=locale)}"
        )
    return f"{day}, {hours} ({zone_name})"


def render(template: str, language: Language, to_address: str, **context: object) -> Email:
    def part(kind: str) -> str:
        return _templates.get_template(f"{template}.{language}.{kind}").render(**context)

    return Email(
        template=template,
        language=language,
        to_address=to_address,
        subject=part("subject.txt").strip(),
        text=part("txt"),
        html=part("html"),
    )


def ticket_confirmation(gathering: GatheringSnapshot, name: str, email: str, language: Language) -> Email:
    return render(
        "ticket_confirmation",
        language,
        email,
        name=name,
        title=getattr(gathering.title, language),
        when=when(gathering.starts_at, gathering.ends_at, gathering.time_zone, language),
        venue=gathering.venue,
        join_url=gathering.join_url,
    )


def is_permanent_smtp_failure(code: int | None) -> bool:
    """5xx replies (bad address, rejected) will not change on retry; 4xx and no reply might."""
    return code is not None and 500 <= code < 600


def retry_delay_seconds(attempts: int) -> float:
    """Growing delays between SMTP attempts: 2, 4, 8 … capped at 10 minutes."""
    return float(min(2**attempts, 600))
