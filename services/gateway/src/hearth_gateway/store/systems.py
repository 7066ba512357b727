"""Outside systems and their signing secrets (`systems`, `system_secrets`)."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from hearth_shared.db import Connection

from ..domain.systems import Signer, System


def _system(row: asyncpg.Record) -> System:
    return System(
        name=row["name"],
        event_types=frozenset(row["event_types"]),
        enabled=row["enabled"],
        created_at=row["created_at"],
        secrets=row["secrets"],
        retiring_until=row["retiring_until"],
    )


async def list_all(conn: Connection) -> list[System]:
    rows = await conn.fetch(
        """SELECT y.name, y.event_types, y.enabled, y.created_at,
                  count(s.id) AS secrets, max(s.expires_at) AS retiring_until
           FROM systems y LEFT JOIN live_secrets s ON s.system = y.name
           GROUP BY y.name ORDER BY y.name"""
    )
    return [_system(r) for r in rows]


async def signer(conn: Connection, name: str) -> Signer | None:
    """The system named in a door request, with the secrets that verify now (newest first)."""
    row = await conn.fetchrow(
        """SELECT y.name, y.event_types, y.enabled,
                  coalesce(array_agg(s.secret ORDER BY s.created_at DESC)
                           FILTER (WHERE s.id IS NOT NULL), '{}') AS secrets
           FROM systems y LEFT JOIN live_secrets s ON s.system = y.name
           WHERE y.name = $1 GROUP BY y.name""",
        name,
    )
    if row is None:
        return None
    return Signer(row["name"], frozenset(row["event_types"]), row["enabled"], tuple(row["secrets"]))


async def insert(conn: Connection, name: str, event_types: list[str]) -> bool:
    """False when the name is taken."""
    made = await conn.fetchval(
        "INSERT INTO systems (name, event_types) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING name",
        name,
        event_types,
    )
    return made is not None


async def add_secret(conn: Connection, name: str, secret: str) -> None:
    await conn.execute("INSERT INTO system_secrets (system, secret) VALUES ($1, $2)", name, secret)


async def retire_secrets(conn: Connection, name: str, until: datetime) -> None:
    """Every live secret of the system stops verifying at `until` (or sooner, if it already would)."""
    await conn.execute(
        """UPDATE system_secrets SET expires_at = least(coalesce(expires_at, $2), $2)
           WHERE system = $1 AND (expires_at IS NULL OR expires_at > now())""",
        name,
        until,
    )


async def set_enabled(conn: Connection, name: str, enabled: bool) -> bool:
    """False when there is no such system."""
    done = await conn.fetchval(
        "UPDATE systems SET enabled = $2 WHERE name = $1 RETURNING name", name, enabled
    )
    return done is not None


async def exists(conn: Connection, name: str) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM systems WHERE name = $1", name))
