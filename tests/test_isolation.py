"""Each service's database role is refused on every other service's schema."""

from __future__ import annotations

import asyncpg
import pytest

from hearth_shared.db import migrate
from hearth_shared.provision import SERVICES
from hearth_testing.infra import TestDatabase


@pytest.fixture(scope="module")
async def migrated(database: TestDatabase) -> TestDatabase:
    for service in SERVICES:
        pool = await asyncpg.create_pool(database.dsn(service), server_settings={"search_path": service})
        await migrate(pool, service, ["hearth_shared.migrations"])
        await pool.close()
    return database


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_role_is_refused_on_every_other_schema(migrated: TestDatabase, service: str) -> None:
    conn = await migrated.connect(service)
    try:
        assert await conn.fetchval("SELECT count(*) FROM inbox") >= 0  # its own: allowed
        for other in SERVICES:
            if other == service:
                continue
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.fetch(f'SELECT * FROM "{other}".inbox')  # noqa: S608 - fixed names
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
                await conn.execute(f'CREATE TABLE "{other}".intruder (x int)')
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await conn.execute("CREATE TABLE public.intruder (x int)")
    finally:
        await conn.close()
