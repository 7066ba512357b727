"""Scheduling gatherings and changing them: each change writes the row and its event
(GatheringScheduled, GatheringUpdated, GatheringCancelled); series and breakouts beside them."""

from __future__ import annotations

import uuid
from typing import Any

from hearth_shared.contracts.catalogue import (
    Bilingual,
    GatheringCancelled,
    GatheringScheduled,
    GatheringStatus,
    GatheringUpdated,
    Language,
)
from hearth_shared.messaging import Work

from .. import domain, store
from ..events import whole_gathering
from ..store.breakouts import BreakoutRow
from ..store.gatherings import Gathering, Series
from . import waitlist


async def schedule(
    work: Work,
    fields: dict[str, Any],
    ticket_types: list[domain.TicketType],
    status: GatheringStatus,
    *,
    by: uuid.UUID | None,
) -> Gathering:
    """`by` (here and below): the staff member acting, as the service token names them."""
    await _check_series(work, fields.get("series_id"))
    gathering = await store.gatherings.insert_gathering(work.conn, fields, status.value, by)
    await store.gatherings.replace_ticket_types(work.conn, gathering.id, ticket_types)
    await work.publish(whole_gathering(gathering, GatheringScheduled))
    return gathering


async def change(
    work: Work,
    gathering_id: uuid.UUID,
    fields: dict[str, Any],
    ticket_types: list[domain.TicketType] | None,
    *,
    hold_seconds: float,
    by: uuid.UUID | None,
) -> Gathering:
    """Apply already-validated new values; more seats go first to those waiting."""
    current = await _locked(work, gathering_id)
    domain.check_change(
        GatheringStatus(current.status), fields.get("capacity", current.capacity), current.seats_taken
    )
    await _check_series(work, fields.get("series_id"))
    gathering = (
        await store.gatherings.update_gathering(work.conn, gathering_id, fields, by) if fields else current
    )
    if ticket_types is not None:
        await store.gatherings.replace_ticket_types(work.conn, gathering_id, ticket_types)
    await waitlist.offer_free_seats(work, gathering, hold_seconds)
    return await _updated(work, gathering_id)


async def set_status(
    work: Work,
    gathering_id: uuid.UUID,
    target: GatheringStatus,
    *,
    reason: str | None,
    hold_seconds: float,
    by: uuid.UUID | None,
) -> Gathering:
    """Open, close or cancel. Cancelling tells everyone (GatheringCancelled); the tickets stay
    as the record of who was coming."""
    current = await _locked(work, gathering_id)
    domain.check_transition(GatheringStatus(current.status), target)
    gathering = await store.gatherings.update_gathering(work.conn, gathering_id, {"status": target.value}, by)
    if target is GatheringStatus.CANCELLED:
        await waitlist.close_line(work, gathering)
        gathering = await store.gatherings.next_revision(work.conn, gathering_id)
        await work.publish(
            GatheringCancelled(gathering_id=gathering_id, reason=reason, revision=gathering.revision)
        )
        return gathering
    if target is GatheringStatus.OPEN:
        await waitlist.offer_free_seats(work, gathering, hold_seconds)
    return await _updated(work, gathering_id)


async def create_series(
    work: Work, title_en: str, title_fr: str, cadence: str, *, by: uuid.UUID | None
) -> Series:
    return await store.gatherings.insert_series(work.conn, title_en, title_fr, cadence, by)


async def add_breakout(
    work: Work,
    gathering_id: uuid.UUID,
    name: Bilingual,
    language: Language | None,
    practice_area: str | None,
    capacity: int,
    *,
    by: uuid.UUID | None,
) -> BreakoutRow:
    await store.gatherings.known_gathering(work.conn, gathering_id)
    return await store.breakouts.insert_breakout(
        work.conn,
        gathering_id,
        name_en=name.en,
        name_fr=name.fr,
        language=language,
        practice_area=practice_area,
        capacity=capacity,
        by=by,
    )


async def _updated(work: Work, gathering_id: uuid.UUID) -> Gathering:
    """Publish the gathering as it now stands (seats offered meanwhile included), as its next
    revision."""
    gathering = await store.gatherings.next_revision(work.conn, gathering_id)
    await work.publish(whole_gathering(gathering, GatheringUpdated))
    return gathering


async def _locked(work: Work, gathering_id: uuid.UUID) -> Gathering:
    gathering = await store.gatherings.lock_gathering(work.conn, gathering_id)
    if gathering is None:
        raise domain.NotFound(f"no gathering {gathering_id}")
    return gathering


async def _check_series(work: Work, series_id: uuid.UUID | None) -> None:
    if series_id is not None and await store.gatherings.get_series(work.conn, series_id) is None:
        raise domain.InvalidGathering(f"no series {series_id}", "series_id")
