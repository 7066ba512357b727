"""Database helpers: one asyncpg pool per service pinned to its own schema, and migrations.

Each service owns one schema and logs in with its own role (see `provision`). Migrations are
numbered `.sql` files in the service's `migrations` package, applied at start-up under an advisory
lock so that replicas starting together apply each file once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urlsplit

import asyncpg
import structlog
from asyncpg.pool import PoolConnectionProxy

log = structlog.get_logger(__name__)

# What store functions take: a plain connection or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class DatabaseNotProvisioned(RuntimeError):
    """PostgreSQL answers but refuses this service's role or database: provisioning has not run
    (or ran against another database), or the password is not the one it set."""


# What PostgreSQL says when the role, its password or the database is not there.
_NOT_PROVISIONED = (
    asyncpg.InvalidAuthorizationSpecificationError,  # role "…" does not exist; no pg_hba.conf entry
    asyncpg.InvalidPasswordError,
    asyncpg.InvalidCatalogNameError,  # database "…" does not exist
)


def not_provisioned(dsn: str, exc: Exception) -> DatabaseNotProvisioned:
    """The message that says what to do, naming the role and database (never the password)."""
    parts = urlsplit(dsn)
    where = f"{parts.username or '?'}@{parts.hostname or '?'}:{parts.port or 5432}{parts.path or '/'}"
    return DatabaseNotProvisioned(
        f"PostgreSQL refused {where}: {exc}. Each service logs in as its own role, which the "
        "provision step creates with the database and the service's schema: run "
        "`python -m hearth_shared.provision --admin-dsn postgresql://<superuser>@<host>/postgres "
        "--database <database>` with HEARTH_<SERVICE>_DB_PASSWORD set (compose: the provision "
        "service; Kubernetes: the hearth-provision Job; ./dev run does it itself), and check that "
        "HEARTH_DATABASE_URL names that role, its password and that database."
    )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What a connection returned to the pool needs beyond asyncpg's own clean-up (which ends an
    open transaction and drops listeners): nothing. asyncpg's default runs `RESET ALL; CLOSE ALL;
    UNLISTEN *; SELECT pg_advisory_unlock_all()` on every release, a round trip per request, for
    session state Hearth never leaves behind (settings and advisory locks are per transaction; the
    migrations' lock is released by its own code)."""


async def connect_with_retry(
    dsn: str, schema: str, *, attempts: int = 60, min_size: int = 2, max_size: int = 10
) -> asyncpg.Pool:
    """Open the pool, waiting for a database that is still starting (growing delays, capped), or
    for provisioning that has not run yet (DatabaseNotProvisioned if it never comes)."""
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                server_settings={"search_path": schema},
                reset=_keep_session,
            )
        except _NOT_PROVISIONED as exc:
            clear = not_provisioned(dsn, exc)
            if attempt == attempts:
                raise clear from exc
            log.warning("database not provisioned yet", attempt=attempt, error=str(clear))
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError) as exc:
            if attempt == attempts:
                raise
            log.warning("database not reachable yet", attempt=attempt, error=str(exc))
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


@dataclass(frozen=True, order=True)
class Migration:
    """One `NNN_name.sql` file of a migrations package (ordered by its number)."""

    version: int
    name: str
    sql: str = field(repr=False)


def _migration_files(package: str) -> list[Migration]:
    found = []
    for entry in resources.files(package).iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def migrate(pool: asyncpg.Pool, schema: str, packages: Iterable[str]) -> list[str]:
    """Apply the not-yet-applied migrations of each package, in order; return what was applied.

    `packages` are import paths of packages holding `NNN_name.sql` files. The shared library's own
    tables (inbox, outbox) come first as package `hearth_shared.migrations`.
    """
    applied: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"hearth-migrate:{schema}")
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       source text NOT NULL,
                       version int NOT NULL,
                       name text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now(),
                       PRIMARY KEY (source, version))"""
            )
            for package in packages:
                # Recorded under the distribution's top-level package, not the full path, so
                # moving the migrations inside it (issue 11's `store/migrations`) re-runs nothing;
                # rows recorded under an older full path are renamed first.
                source = package.split(".")[0]
                await conn.execute(
                    "UPDATE schema_migrations SET source = $1 WHERE source LIKE $1 || '.%'", source
                )
                done = {
                    r["version"]
                    for r in await conn.fetch(
                        "SELECT version FROM schema_migrations WHERE source = $1", source
                    )
                }
                for migration in _migration_files(package):
                    if migration.version in done:
                        continue
                    async with conn.transaction():
                        await conn.execute(migration.sql)
                        await conn.execute(
                            "INSERT INTO schema_migrations (source, version, name) VALUES ($1, $2, $3)",
                            source,
                            migration.version,
                            migration.name,
                        )
                    applied.append(f"{package}/{migration.name}")
                    log.info("migration applied", source=package, migration=migration.name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"hearth-migrate:{schema}")
    return applied
