"""The activities table: what credits knows of each gathering (its policy, whether cancelled),
and the lock that orders everything touching an activity's awards."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from hearth_shared.contracts.catalogue import CreditPolicy
from hearth_shared.db import Connection

from ..domain.activities import Activity


async def lock(conn: Connection, activity_ids: Iterable[uuid.UUID], *, shared: bool = False) -> None:
    """Serialise what touches these activities' awards until the transaction ends: a policy (or
    feedback) and the attendance it applies to arrive on different queues, and each must see the
    other's commit. Attendance takes the lock `shared`: batches of attendance for one activity run
    side by side (the standing rows order them), while a policy or feedback waits for them and
    they for it. Locks are taken in id order, so two transactions never wait in a circle."""
    lock = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(
        f"SELECT {lock}(hashtextextended(id::text, 0)) FROM unnest($1::uuid[]) AS id",  # noqa: S608
        sorted(set(activity_ids)),
    )


async def upsert(conn: Connection, activity: Activity, revision: int | None = None) -> bool:
    """Store the activity's latest details, unless the revision stored is newer or the same (an
    event without a revision always applies); whether they were stored. A cancellation stays
    (`activity.cancelled` is not written here: see `cancel`)."""
    stored = await conn.fetchval(
        """INSERT INTO activities (id, title_en, title_fr, starts_at, length_minutes, time_zone, policy,
                                   revision)
           VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
           ON CONFLICT (id) DO UPDATE SET title_en = EXCLUDED.title_en, title_fr = EXCLUDED.title_fr,
               starts_at = EXCLUDED.starts_at, length_minutes = EXCLUDED.length_minutes,
               time_zone = EXCLUDED.time_zone, policy = EXCLUDED.policy,
               revision = COALESCE(EXCLUDED.revision, activities.revision)
           WHERE EXCLUDED.revision IS NULL OR activities.revision IS NULL
               OR activities.revision < EXCLUDED.revision
           RETURNING true""",
        activity.id,
        activity.title_en,
        activity.title_fr,
        activity.starts_at,
        activity.length_minutes,
        activity.time_zone,
        activity.policy.model_dump_json() if activity.policy else None,
        revision,
    )
    return bool(stored)


async def cancel(conn: Connection, activity_id: uuid.UUID, revision: int | None = None) -> None:
    """A tombstone: no later snapshot undoes it (see `upsert`), whatever its revision."""
    await conn.execute(
        "UPDATE activities SET cancelled = true, revision = GREATEST(revision, $2) WHERE id = $1",
        activity_id,
        revision,
    )


async def fetch(conn: Connection, activity_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Activity]:
    rows = await conn.fetch(
        """SELECT id, title_en, title_fr, starts_at, length_minutes, time_zone, policy, cancelled
           FROM activities WHERE id = ANY($1::uuid[])""",
        list(set(activity_ids)),
    )
    return {
        r["id"]: Activity(
            id=r["id"],
            title_en=r["title_en"],
            title_fr=r["title_fr"],
            starts_at=r["starts_at"],
            length_minutes=r["length_minutes"],
            time_zone=r["time_zone"],
            policy=CreditPolicy.model_validate_json(r["policy"]) if r["policy"] else None,
            cancelled=r["cancelled"],
        )
        for r in rows
    }
