"""Migrations on a real Postgres: a database migrated when the files lived at another path inside
the same package (before issue 11 moved them to `store/migrations`) re-runs nothing."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import asyncpg

from hearth_shared.db import _migration_files, migrate
from hearth_shared.messaging.inbox import admit
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


async def test_an_inbox_row_recorded_before_sources_were_kept_still_stops_a_repeat(
    database: TestDatabase,
) -> None:
    """Migration 002 keys the inbox on (source, id); a row from before it (source '') stands for
    its id from any source, so nothing applied before the upgrade is applied again."""
    pool = await asyncpg.create_pool(database.dsn("kittest"), server_settings={"search_path": "kittest"})
    try:
        await migrate(pool, "kittest", ["hearth_shared.migrations"])
        async with pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO inbox (source, message_id, handler) VALUES ('', 'before-upgrade', 'h')"
            )
            new = await admit(conn, "h", [("/register", "before-upgrade"), ("/register", "after")])
            again = await admit(conn, "h", [("/register", "after"), ("/other", "after")])
        assert new == {("/register", "after")}
        assert again == {("/other", "after")}
    finally:
        await pool.close()


async def test_an_inbox_with_rows_migrates_to_source_keys_keeping_them(database: TestDatabase) -> None:
    """001's inbox with rows in it, then 002: every row kept (source ''), the new key in place."""
    parts = urlsplit(database.admin_dsn)
    conn = await asyncpg.connect(urlunsplit(parts._replace(path=f"/{database.name}")))
    files = {m.version: m.sql for m in _migration_files("hearth_shared.migrations")}
    try:
        async with conn.transaction():
            await conn.execute("CREATE SCHEMA inbox_upgrade; SET LOCAL search_path = inbox_upgrade")
            await conn.execute(files[1])
            await conn.execute("INSERT INTO inbox (message_id, handler) VALUES ('a', 'h'), ('b', 'h')")
            await conn.execute(files[2])
            rows = await conn.fetch("SELECT source, message_id FROM inbox ORDER BY message_id")
            key = await conn.fetchval(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'inbox_pkey' "
                "AND connamespace = 'inbox_upgrade'::regnamespace"
            )
            await conn.execute("DROP SCHEMA inbox_upgrade CASCADE")
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [("", "a"), ("", "b")]
    assert key == "PRIMARY KEY (source, message_id, handler)"
