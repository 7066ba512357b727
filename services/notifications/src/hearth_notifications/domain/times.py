"""Dates, times and durations as a reader of each language expects them, in the gathering's own
time zone (Babel's CLDR data)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name
from babel.units import format_unit

from hearth_shared.contracts.catalogue import Language

LOCALES: dict[Language, str] = {"en": "en_CA", "fr": "fr_CA"}


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
