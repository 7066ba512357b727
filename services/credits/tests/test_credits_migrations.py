"""Credits' migrations on a real Postgres: a database migrated before the migrations moved beside
the store (when they were recorded as package `hearth_credits.migrations`) is not migrated again."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from hearth_shared.db import migrate
from hearth_testing.infra import Infra, TestDatabase

pytestmark = pytest.mark.integration

PACKAGES = ["hearth_shared.migrations", "hearth_credits.store.migrations"]


async def test_a_database_migrated_under_the_former_package_is_not_migrated_again(
    infra: Infra, database: TestDatabase
) -> None:
    dsn = urlunsplit(urlsplit(infra.admin_dsn)._replace(path=f"/{database.name}"))
    schema = f"credits_moved_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"CREATE SCHEMA {schema}")
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2, server_settings={"search_path": schema})
    try:
        fresh = await migrate(pool, schema, PACKAGES)
        assert "hearth_credits.store.migrations/001_ledger.sql" in fresh
        assert await pool.fetchval("SELECT to_regclass('ledger') IS NOT NULL")
        # As the release before the move left it: the same tables, recorded under the former name.
        await pool.execute(
            "UPDATE schema_migrations SET source = 'hearth_credits.migrations' "
            "WHERE source = 'hearth_credits'"
        )
        assert await migrate(pool, schema, PACKAGES) == []
        ours = sum(1 for name in fresh if name.startswith("hearth_credits.store.migrations/"))
        assert (
            await pool.fetchval("SELECT count(*) FROM schema_migrations WHERE source = 'hearth_credits'")
            == ours
        )
    finally:
        await pool.close()
        await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()
