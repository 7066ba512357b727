"""Fixtures for every test: a real RabbitMQ and a real Postgres, isolated per test session.

With a Docker engine, testcontainers starts both; otherwise the running ones are used, taken from
HEARTH_TEST_AMQP_URL / HEARTH_TEST_DATABASE_URL (an administrative DSN) or the localhost defaults.
Each session gets its own database, its own login roles and its own broker-name prefix, so
concurrent runs never see each other's rows or messages.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest

from hearth_testing.infra import Infra, TestDatabase, start_infra

pytest_plugins = ["hearth_testing.fixtures"]


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with start_infra(
        amqp_url=os.environ.get("HEARTH_TEST_AMQP_URL"),
        admin_dsn=os.environ.get("HEARTH_TEST_DATABASE_URL"),
    ) as found:
        yield found


@pytest.fixture(scope="session")
def session_id() -> str:
    return secrets.token_hex(4)


@pytest.fixture(scope="session")
async def database(infra: Infra, session_id: str) -> AsyncIterator[TestDatabase]:
    db = TestDatabase(infra.admin_dsn, f"hearth_test_{session_id}", f"ht{session_id}_")
    await db.create()
    yield db
    await db.drop()
