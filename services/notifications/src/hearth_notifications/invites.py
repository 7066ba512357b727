"""Calendar invitations (.ics) for a gathering, in the gathering's own time zone (icalendar).

The UID stays the gathering's, so a calendar that imported the confirmation updates the same entry
when a change or a cancellation arrives; SEQUENCE grows with each announcement.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from icalendar.enums import STATUS

from hearth_shared.contracts.catalogue import Language

from .messages import Occasion


def invite(occasion: Occasion, language: Language, *, sequence: int, cancelled: bool = False) -> str:
    zone = ZoneInfo(occasion.time_zone)
    calendar = Calendar.new(
        prodid="-//Hearth//Communities of practice//EN",
        method="CANCEL" if cancelled else "PUBLISH",
        language=language,
    )
    calendar.add_component(
        Event.new(
            uid=f"{occasion.id}@hearth",
            summary=getattr(occasion.title, language),
            start=occasion.starts_at.astimezone(zone),
            end=occasion.ends_at.astimezone(zone),
            location=occasion.venue or occasion.join_url,
            url=occasion.join_url,
            sequence=sequence,
            stamp=datetime.now(zone),
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        )
    )
    calendar.add_missing_timezones()
    ics: bytes = calendar.to_ical()
    return ics.decode()
