"""A gathering's life: which status may follow which, and what a change may not do."""

from __future__ import annotations

from hearth_shared.contracts.catalogue import GatheringStatus

from .errors import InvalidGathering, TransitionRefused

# draft → open → closed, and any of them → cancelled. A closed gathering may reopen (a late
# cancellation freed seats); a cancelled one is final.
TRANSITIONS: dict[GatheringStatus, frozenset[GatheringStatus]] = {
    GatheringStatus.DRAFT: frozenset({GatheringStatus.OPEN, GatheringStatus.CANCELLED}),
    GatheringStatus.OPEN: frozenset({GatheringStatus.CLOSED, GatheringStatus.CANCELLED}),
    GatheringStatus.CLOSED: frozenset({GatheringStatus.OPEN, GatheringStatus.CANCELLED}),
    GatheringStatus.CANCELLED: frozenset(),
}


def check_transition(current: GatheringStatus, target: GatheringStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current])) or "nothing"
        raise TransitionRefused(
            f"a {current.value} gathering cannot become {target.value} (allowed: {allowed})", "status"
        )


def check_change(status: GatheringStatus, capacity: int, seats_taken: int) -> None:
    """A change may not touch a cancelled gathering, nor take away seats already taken or offered."""
    if status is GatheringStatus.CANCELLED:
        raise TransitionRefused("a cancelled gathering cannot be changed")
    if capacity < seats_taken:
        raise InvalidGathering(
            f"{seats_taken} seats are already taken or offered; capacity cannot go below that", "capacity"
        )
