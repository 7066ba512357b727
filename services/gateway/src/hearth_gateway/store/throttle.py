"""Failed sign-ins in the gateway's schema, so every replica counts the same attempts. The window
is measured on the database's clock, which all replicas share."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from hearth_shared.db import Connection


class Scope(StrEnum):
    ACCOUNT = "account"
    ADDRESS = "address"


async def record_failure(conn: Connection, keys: dict[Scope, str], keep: timedelta) -> None:
    """One failed attempt under each scope's key; failures older than `keep` are removed."""
    await conn.execute("DELETE FROM login_failures WHERE at < now() - $1::interval", keep)
    await conn.executemany(
        "INSERT INTO login_failures (scope, key) VALUES ($1, $2)",
        [(scope.value, key) for scope, key in keys.items()],
    )


async def failures_within(conn: Connection, scope: Scope, key: str, window: timedelta) -> int:
    """How many attempts failed under `key` in the last `window`."""
    found = await conn.fetchval(
        """SELECT count(*) FROM login_failures
           WHERE scope = $1 AND key = $2 AND at > now() - $3::interval""",
        scope.value,
        key,
        window,
    )
    return int(found or 0)
