"""Groups' settings: the shared ones, plus the association's practice areas
(HEARTH_PRACTICE_AREAS='["housing_and_poverty", "justice", ...]') and formation's defaults."""

from __future__ import annotations

from hearth_shared.settings import DEFAULT_PRACTICE_AREAS, ServiceSettings

from .domain.formation import Remainder


class GroupsSettings(ServiceSettings):
    http_port: int = 8003
    # The practice areas this association's circles may be about (a practice-area circle's topic).
    practice_areas: tuple[str, ...] = DEFAULT_PRACTICE_AREAS
    # Where a group meets when staff do not say (the association's own zone).
    default_time_zone: str = "America/Halifax"
    # Who does not fit a proposal's groups: left in the pool, or one more in a group.
    remainder: Remainder = Remainder.POOL
