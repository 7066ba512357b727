"""Scheduling gatherings and changing them: each change is one transaction that writes the row and
its event (GatheringScheduled, GatheringUpdated, GatheringCancelled) to the outbox."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from hearth_shared.contracts.catalogue import (
    Bilingual,
    CreditPolicy,
    GatheringCancelled,
    GatheringScheduled,
    GatheringStatus,
    GatheringUpdated,
)
from hearth_shared.db import Connection

from . import domain, seats, store
from .seats import NotFound


def credit_policy(row: asyncpg.Record) -> CreditPolicy | None:
    raw = row["credit_policy"]
    return CreditPolicy.model_validate_json(raw) if raw else None


def description(row: asyncpg.Record) -> Bilingual | None:
    if row["description_en"] and row["description_fr"]:
        return Bilingual(en=row["description_en"], fr=row["description_fr"])
    return None


def as_event(row: asyncpg.Record, kind: type[GatheringScheduled]) -> GatheringScheduled:
    """The whole gathering as its consumers see it (never the join link: that goes to ticket
    holders only, in their ticket's event)."""
    return kind(
        gathering_id=row["id"],
        title=Bilingual(en=row["title_en"], fr=row["title_fr"]),
        description=description(row),
        kind=row["kind"],
        modality=row["modality"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        time_zone=row["time_zone"],
        capacity=row["capacity"],
        status=row["status"],
        venue=row["venue"],
        address=row["address"],
        series_id=row["series_id"],
        credit_policy=credit_policy(row),
    )


async def schedule(
    conn: Connection,
    fields: dict[str, Any],
    ticket_types: list[tuple[str, int, str]],
    status: GatheringStatus,
    correlation_id: str,
) -> asyncpg.Record:
    await _check_series(conn, fields.get("series_id"))
    row = await store.gatherings.insert_gathering(conn, fields, status.value)
    await store.gatherings.replace_ticket_types(conn, row["id"], ticket_types)
    await seats.publish(conn, as_event(row, GatheringScheduled), correlation_id)
    return row


async def change(
    conn: Connection,
    gathering_id: uuid.UUID,
    fields: dict[str, Any],
    ticket_types: list[tuple[str, int, str]] | None,
    *,
    hold_seconds: float,
    correlation_id: str,
) -> asyncpg.Record:
    """Apply already-validated new values; more seats go first to those waiting."""
    current = await _locked(conn, gathering_id)
    if current["status"] == GatheringStatus.CANCELLED:
        raise domain.TransitionRefused("a cancelled gathering cannot be changed")
    if fields.get("capacity", current["capacity"]) < current["seats_taken"]:
        raise domain.InvalidGathering(
            f"{current['seats_taken']} seats are already taken or offered; capacity cannot go below that",
            "capacity",
        )
    await _check_series(conn, fields.get("series_id"))
    row = await store.gatherings.update_gathering(conn, gathering_id, fields) if fields else current
    if ticket_types is not None:
        await store.gatherings.replace_ticket_types(conn, gathering_id, ticket_types)
    await seats.offer_free_seats(conn, row, hold_seconds, correlation_id)
    return await _updated(conn, gathering_id, correlation_id)


async def set_status(
    conn: Connection,
    gathering_id: uuid.UUID,
    target: GatheringStatus,
    *,
    reason: str | None,
    hold_seconds: float,
    correlation_id: str,
) -> asyncpg.Record:
    """Open, close or cancel. Cancelling tells everyone (GatheringCancelled); the tickets stay
    as the record of who was coming."""
    current = await _locked(conn, gathering_id)
    domain.check_transition(GatheringStatus(current["status"]), target)
    row = await store.gatherings.update_gathering(conn, gathering_id, {"status": target.value})
    if target is GatheringStatus.CANCELLED:
        await seats.publish(
            conn, GatheringCancelled(gathering_id=gathering_id, reason=reason), correlation_id
        )
        return row
    if target is GatheringStatus.OPEN:
        await seats.offer_free_seats(conn, row, hold_seconds, correlation_id)
    return await _updated(conn, gathering_id, correlation_id)


async def _updated(conn: Connection, gathering_id: uuid.UUID, correlation_id: str) -> asyncpg.Record:
    """Publish the gathering as it now stands (seats offered meanwhile included)."""
    row = await store.gatherings.get_gathering(conn, gathering_id)
    assert row is not None
    await seats.publish(conn, as_event(row, GatheringUpdated), correlation_id)
    return row


async def _locked(conn: Connection, gathering_id: uuid.UUID) -> asyncpg.Record:
    row = await store.gatherings.lock_gathering(conn, gathering_id)
    if row is None:
        raise NotFound(f"no gathering {gathering_id}")
    return row


async def _check_series(conn: Connection, series_id: uuid.UUID | None) -> None:
    if series_id is not None and await store.gatherings.get_series(conn, series_id) is None:
        raise domain.InvalidGathering(f"no series {series_id}", "series_id")
