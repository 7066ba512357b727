"""A gathering (or group meeting) as an email shows it, made from what the events and the read
model say, and which of its changes a ticket holder would want to hear about."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearth_shared.contracts.catalogue import Bilingual, GatheringScheduled, GatheringSnapshot

# What a ticket holder would want to hear about when it changes (not capacity, status or policy).
NOTICEABLE = ("title", "starts_at", "ends_at", "time_zone", "modality", "venue", "address")


@dataclass(frozen=True)
class Gathering:
    """A gathering or group meeting as an email shows it."""

    id: uuid.UUID
    title: Bilingual
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: str | None = None
    join_url: str | None = None


def place(venue: str | None, address: str | None) -> str | None:
    """Where it is, in one line ("Camden, London"); None online."""
    return ", ".join(p for p in (venue, address) if p) or None


def from_snapshot(snapshot: GatheringSnapshot) -> Gathering:
    """The gathering as the person's ticket showed it (with the join link only tickets carry)."""
    return Gathering(
        id=snapshot.gathering_id,
        title=snapshot.title,
        starts_at=snapshot.starts_at,
        ends_at=snapshot.ends_at,
        time_zone=snapshot.time_zone,
        venue=snapshot.venue,
        join_url=snapshot.join_url,
    )


def announced(gathering: GatheringScheduled, snapshot: GatheringSnapshot) -> Gathering:
    """The gathering as now announced, with the join link the person's ticket carries."""
    return Gathering(
        id=gathering.gathering_id,
        title=gathering.title,
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        time_zone=gathering.time_zone,
        venue=place(gathering.venue, gathering.address),
        join_url=snapshot.join_url,
    )


def from_details(
    subject_id: uuid.UUID, details: dict[str, Any], *, title: str, join_url: str | None
) -> Gathering:
    """A gathering (its `title`) or group meeting (its `group_name`) as the read model stores it
    (JSON values), with the join link known for whom the email is."""
    return Gathering(
        id=subject_id,
        title=Bilingual.model_validate(details[title]),
        starts_at=datetime.fromisoformat(details["starts_at"]),
        ends_at=datetime.fromisoformat(details["ends_at"]),
        time_zone=details["time_zone"],
        venue=place(details.get("venue"), details.get("address")),
        join_url=join_url,
    )


def noticeable(gathering: GatheringScheduled) -> dict[str, Any]:
    """The details a ticket holder notices, as the read model stores them (JSON values)."""
    return gathering.model_dump(mode="json", include=set(NOTICEABLE))


def changed_noticeably(before: dict[str, Any] | None, now: dict[str, Any]) -> bool:
    """A real change to a gathering already known (not a capacity tweak, not its first news)."""
    return before is not None and before != now
