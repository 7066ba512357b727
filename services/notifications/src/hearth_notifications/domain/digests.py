"""The daily digest of group activity: when it is due, and what it answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


def digest_day(now: datetime, at: time, time_zone: str) -> date | None:
    """The local day whose digest is due at `now`, or None before the digest hour (what is held
    after today's digest waits for tomorrow's)."""
    local = now.astimezone(ZoneInfo(time_zone))
    return local.date() if local.time() >= at else None


def source_of_digest(person_id: uuid.UUID, day: date) -> str:
    """One digest per person and day."""
    return f"digest:{person_id}:{day.isoformat()}"
