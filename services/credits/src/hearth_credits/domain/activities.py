"""An activity: what credit is earned for — a gathering as credits learned it from registration's
events (its title, when and how long it ran, its credit policy)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from hearth_shared.contracts.catalogue import CreditPolicy


@dataclass(frozen=True)
class Activity:
    id: uuid.UUID  # the gathering's id
    title_en: str
    title_fr: str
    starts_at: datetime
    length_minutes: int
    time_zone: str
    policy: CreditPolicy | None  # None: the activity earns nothing
    cancelled: bool = False

    @property
    def local_day(self) -> date:
        """The day it took place where it took place (what decides its cycle)."""
        return self.starts_at.astimezone(ZoneInfo(self.time_zone)).date()
