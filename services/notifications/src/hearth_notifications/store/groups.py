"""Group members and group meetings: notifications' read model of the groups service (tables
group_members, group_meetings)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from hearth_shared.db import Connection

from ..domain.gatherings import Gathering, from_details


@dataclass(frozen=True)
class MeetingRow:
    """A group meeting as last scheduled."""

    meeting_id: uuid.UUID
    group_id: uuid.UUID
    # As emails show it: its title is the group's name.
    meeting: Gathering


async def join(conn: Connection, group_id: uuid.UUID, person_ids: list[uuid.UUID]) -> None:
    await conn.execute(
        "INSERT INTO group_members (group_id, person_id) SELECT $1, unnest($2::uuid[]) "
        "ON CONFLICT DO NOTHING",
        group_id,
        person_ids,
    )


async def leave(conn: Connection, group_id: uuid.UUID, person_id: uuid.UUID) -> None:
    await conn.execute(
        "DELETE FROM group_members WHERE group_id = $1 AND person_id = $2", group_id, person_id
    )


async def members(conn: Connection, group_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await conn.fetch("SELECT person_id FROM group_members WHERE group_id = $1", group_id)
    return [r[0] for r in rows]


async def save_meeting(
    conn: Connection, meeting_id: uuid.UUID, group_id: uuid.UUID, details: dict[str, Any]
) -> None:
    await conn.execute(
        """INSERT INTO group_meetings (meeting_id, group_id, details) VALUES ($1, $2, $3)
           ON CONFLICT (meeting_id) DO UPDATE SET details = excluded.details""",
        meeting_id,
        group_id,
        json.dumps(details),
    )


async def meeting(conn: Connection, meeting_id: uuid.UUID) -> MeetingRow | None:
    row = await conn.fetchrow(
        "SELECT group_id, details FROM group_meetings WHERE meeting_id = $1", meeting_id
    )
    if row is None:
        return None
    details = json.loads(row["details"])
    shown = from_details(meeting_id, details, title="group_name", join_url=details.get("join_url"))
    return MeetingRow(meeting_id, row["group_id"], shown)
