"""Gatherings as the public site shows them: the upcoming ones, prices and times in the reader's
language, and the calendar file (.ics) a ticket holder adds to their calendar."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.numbers import format_currency
from icalendar import Calendar, Event
from icalendar.enums import STATUS

LOCALES = {"en": "en_CA", "fr": "fr_CA"}


def upcoming(gatherings: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """Open gatherings that have not ended, soonest first."""
    found = [g for g in gatherings if g["status"] == "open" and datetime.fromisoformat(g["ends_at"]) > now]
    return sorted(found, key=lambda g: g["starts_at"])


def money(cents: int, currency: str, language: str) -> str:
    return format_currency(cents / 100, currency, locale=LOCALES.get(language, "en_CA"))


def moment(value: str, zone: str, language: str) -> str:
    """A time as people in `zone` read it, in the reader's language, with the zone's abbreviation."""
    when = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return format_datetime(when, "EEEE d MMMM y, HH:mm zzz", tzinfo=ZoneInfo(zone), locale=LOCALES[language])


def seats_left(item: dict[str, Any]) -> int:
    return max(0, int(item["capacity"]) - int(item["seats_taken"]))


def calendar_file(gathering: dict[str, Any], language: str, join_url: str | None) -> bytes:
    """One event in the gathering's own zone. Its UID is the gathering's, the same as the
    confirmation email's invitation, so a calendar holding both keeps one entry."""
    zone = ZoneInfo(gathering["time_zone"])
    where = ", ".join(p for p in (gathering.get("venue"), gathering.get("address")) if p) or join_url
    calendar = Calendar.new(prodid="-//Hearth//Public site//EN", method="PUBLISH", language=language)
    calendar.add_component(
        Event.new(
            uid=f"{gathering['id']}@hearth",
            summary=gathering["title"][language],
            start=datetime.fromisoformat(gathering["starts_at"]).astimezone(zone),
            end=datetime.fromisoformat(gathering["ends_at"]).astimezone(zone),
            location=where,
            url=join_url,
            stamp=datetime.now(zone),
            status=STATUS.CONFIRMED,
        )
    )
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics
