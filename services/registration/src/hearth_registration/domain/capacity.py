"""Seats: whether a purchase takes a seat or joins the line, and which breakout suits a person.

A gathering's seats are counted beside its capacity (`seats_taken`, offered seats included), so
the rule below is also what the store's one-statement `take_seat` applies atomically.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from hearth_shared.contracts.catalogue import GatheringStatus

from .errors import GatheringNotOpen

PurchaseOutcome = Literal["ticket", "waitlisted"]


def seat_or_line(status: GatheringStatus, capacity: int, seats_taken: int) -> PurchaseOutcome:
    """A ticket while an open gathering has a free seat, else a place in its line; a gathering
    that is not open sells nothing."""
    if status is not GatheringStatus.OPEN:
        raise GatheringNotOpen(f"the gathering is {status.value}; tickets are sold only while open")
    return "ticket" if seats_taken < capacity else "waitlisted"


@dataclass(frozen=True)
class Breakout:
    """A breakout as a choice for a person: who it suits and how many seats it has left."""

    id: uuid.UUID
    language: str | None
    practice_area: str | None
    free_seats: int


def breakout_preference(
    breakouts: Sequence[Breakout], language: str, practice_area: str | None
) -> list[Breakout]:
    """Breakouts with a free seat, best first: the person's language first, then their practice
    area, then the emptiest. A breakout with no language set suits everyone, after a matching one."""

    def rank(breakout: Breakout) -> tuple[int, int, int]:
        speaks = 0 if breakout.language == language else 1 if breakout.language is None else 2
        area = 0 if practice_area and breakout.practice_area == practice_area else 1
        return (speaks, area, -breakout.free_seats)

    return sorted((b for b in breakouts if b.free_seats > 0), key=rank)
