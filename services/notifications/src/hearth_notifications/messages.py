"""What an email says: Jinja2 templates in English and French, a plain-text and an HTML part each.

`templates/<name>.<lang>.txt` holds the subject (a block) and the plain text; `<name>.<lang>.html`
the HTML part, autoescaped. Both extend a layout that adds the greeting and the footer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from babel.units import format_unit
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from hearth_shared.contracts.catalogue import Bilingual, Language

from .domain import TEMPLATES, Category

LOCALES: dict[Language, str] = {"en": "en_CA", "fr": "fr_CA"}

_templates = Environment(
    loader=PackageLoader("hearth_notifications", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
)


@dataclass(frozen=True)
class Recipient:
    person_id: uuid.UUID | None
    name: str
    email: str
    language: Language


@dataclass(frozen=True)
class Occasion:
    """A gathering or group meeting as an email shows it."""

    id: uuid.UUID
    title: Bilingual
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: str | None = None
    join_url: str | None = None


@dataclass(frozen=True)
class Email:
    template: str
    category: Category
    language: Language
    to_address: str
    person_id: uuid.UUID | None
    subject: str
    text: str
    html: str
    calendar: str | None = None


def when(starts_at: datetime, ends_at: datetime, time_zone: str, language: Language) -> str:
    """The date and times in the gathering's own zone, written as a reader of `language` expects
    (e.g. "Thursday, March 11, 2027, 12:00 p.m.–1:30 p.m. (Atlantic Time)")."""
    zone = ZoneInfo(time_zone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    locale = LOCALES[language]
    day = format_date(start, format="full", locale=locale)
    hours = f"{format_time(start, 'short', locale=locale)}–{format_time(end, 'short', locale=locale)}"
    if end.date() != start.date():
        hours = f"{format_time(start, 'short', locale=locale)} – " + (
            f"{format_date(end, format='full', locale=locale)} {format_time(end, 'short', locale=locale)}"
        )
    zone_name = get_timezone_name(start, width="long", locale=locale)
    return f"{day}, {hours} ({zone_name})"


def moment(at: datetime, time_zone: str, language: Language) -> str:
    """One instant in a zone, e.g. a waitlist hold's expiry."""
    local, locale = at.astimezone(ZoneInfo(time_zone)), LOCALES[language]
    return f"{format_date(local, format='full', locale=locale)} {format_time(local, 'short', locale=locale)}"


def duration(delta: timedelta, language: Language) -> str:
    """A reminder's lead in the unit it was set in: '24 hours' / '24 heures', '1 hour' / '1 heure',
    '30 minutes' (not '1 day' or '60 minutes')."""
    seconds = int(delta.total_seconds())
    for size, unit in ((3600, "duration-hour"), (60, "duration-minute"), (1, "duration-second")):
        if seconds % size == 0:
            return str(format_unit(seconds // size, unit, length="long", locale=LOCALES[language]))
    raise AssertionError("unreachable: every whole number of seconds divides by 1")


def occasion_context(occasion: Occasion, language: Language) -> dict[str, Any]:
    return {
        "title": occasion.title,
        "when": when(occasion.starts_at, occasion.ends_at, occasion.time_zone, language),
        "venue": occasion.venue,
        "join_url": occasion.join_url,
    }


def compose(template: str, to: Recipient, *, calendar: str | None = None, **context: Any) -> Email:
    """Render `template` for `to` in their language; bilingual values become their language's text."""
    language = to.language
    values = {k: getattr(v, language) if isinstance(v, Bilingual) else v for k, v in context.items()}
    values |= {"name": to.name, "language": language}
    text_template = _templates.get_template(f"{template}.{language}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    return Email(
        template=template,
        category=TEMPLATES[template].category,
        language=language,
        to_address=to.email,
        person_id=to.person_id,
        subject=" ".join(subject.split()),
        text=text_template.render(values),
        html=_templates.get_template(f"{template}.{language}.html").render(values),
        calendar=calendar,
    )
