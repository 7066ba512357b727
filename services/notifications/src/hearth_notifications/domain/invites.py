"""Calendar invitations (.ics) for a gathering, in the gathering's own time zone (icalendar).

The UID stays the gathering's, so a calendar that imported the confirmation updates the same entry
when a change or a cancellation arrives; SEQUENCE grows with each announcement.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from icalendar.enums import STATUS

from hearth_shared.contracts.catalogue import Language

from .gatherings import Gathering


def invite(gathering: Gathering, language: Language, *, sequence: int, cancelled: bool = False) -> str:
    zone = ZoneInfo(gathering.time_zone)
    calendar = Calendar.new(
        prodid="-//Hearth//Communities of practice//EN",
        method="CANCEL" if cancelled else "PUBLISH",
        language=language,
    )
    calendar.add_component(
        Event.new(
            uid=f"{gathering.id}@hearth",
            summary=getattr(gathering.title, language),
            start=gathering.starts_at.astimezone(zone),
            end=gathering.ends_at.astimezone(zone),
            location=gathering.venue or gathering.join_url,
            url=gathering.join_url,
            sequence=sequence,
            stamp=datetime.now(zone),
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        )
    )
    # The zone's VTIMEZONE is the same text in every invitation: serialised once (it was most of
    # an invitation's cost), it goes in as the calendar's last component.
    ics: bytes = calendar.to_ical()
    body, end = ics.decode().rsplit("END:VCALENDAR", 1)
    return body + _zone(gathering.time_zone, gathering.starts_at.year) + "END:VCALENDAR" + end


@cache
def _zone(time_zone: str, year: int) -> str:
    """The zone's rules around that year, as iCalendar text (they do not change)."""
    zone = Timezone.from_tzid(time_zone, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    text: bytes = zone.to_ical()
    return text.decode()
