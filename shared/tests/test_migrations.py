"""Migrations on a real Postgres: a database migrated when the files lived at another path inside
the same package (before issue 11 moved them to `store/migrations`) re-runs nothing."""

from __future__ import annotations

import asyncpg

from hearth_shared.db import migrate
from hearth_testing.infra import TestDatabase


async def test_moving_the_migration_files_inside_the_package_reapplies_nothing(
    database: TestDatabase,
) -> None:
    pool = await asyncpg.create_pool(database.dsn("kittest"), server_settings={"search_path": "kittest"})
    try:
        await migrate(pool, "kittest", ["hearth_shared.migrations"])
        # As an older Hearth recorded them: under the full path of the package that held the files.
        await pool.execute(
            "UPDATE schema_migrations SET source = 'hearth_shared.old.migrations' "
            "WHERE source = 'hearth_shared'"
        )

        assert await migrate(pool, "kittest", ["hearth_shared.migrations"]) == []
        sources = {r["source"] for r in await pool.fetch("SELECT source FROM schema_migrations")}
        assert sources == {"hearth_shared"}
    finally:
        await pool.close()
