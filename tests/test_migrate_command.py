"""`python -m hearth_<service> migrate`, the Kubernetes migration Jobs' command: it applies the
service's migrations (the kit's and its own) to a freshly provisioned database and exits; run again
it finds nothing to do. Real PostgreSQL, one database of the test's own."""

from __future__ import annotations

import asyncio
import secrets
import sys
from collections.abc import AsyncIterator
from importlib import resources

import pytest

from hearth_shared.provision import SERVICES
from hearth_testing.infra import Infra, TestDatabase

pytestmark = pytest.mark.e2e


@pytest.fixture
async def fresh_database(infra: Infra) -> AsyncIterator[TestDatabase]:
    tag = secrets.token_hex(4)
    database = TestDatabase(infra.admin_dsn, f"hearth_migrate_{tag}", f"hm{tag}_")
    await database.create()
    yield database
    await database.drop()


async def _migrate(service: str, database: TestDatabase) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"hearth_{service}", "migrate",
        env={"PATH": "/usr/bin:/bin", "HEARTH_DATABASE_URL": database.dsn(service)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return await process.wait(), output.decode()


def _files(package: str) -> set[str]:
    return {e.name for e in resources.files(package).iterdir() if e.name.endswith(".sql")}


@pytest.mark.parametrize("service", SERVICES)
async def test_migrate_applies_the_service_migrations_once_and_exits(
    service: str, fresh_database: TestDatabase
) -> None:
    code, output = await _migrate(service, fresh_database)
    assert code == 0, output
    own, kit = _files(f"hearth_{service}.store.migrations"), _files("hearth_shared.migrations")
    assert f"{service}: {len(own) + len(kit)} migration(s) applied" in output, output
    connection = await fresh_database.connect(service)
    try:
        rows = await connection.fetch("SELECT source, name FROM schema_migrations")
    finally:
        await connection.close()
    assert {(r["source"], r["name"]) for r in rows} == {("hearth_shared", n) for n in kit} | {
        (f"hearth_{service}", n) for n in own
    }
    again, output = await _migrate(service, fresh_database)
    assert (again, output.strip().splitlines()[-1]) == (0, f"{service}: 0 migration(s) applied"), output
