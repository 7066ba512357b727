"""Fixtures for every test: a real RabbitMQ and a real Postgres, isolated per test session.

With a Docker engine, testcontainers starts both; otherwise the running ones are used, taken from
HEARTH_TEST_AMQP_URL / HEARTH_TEST_DATABASE_URL (an administrative DSN) or the localhost defaults.
Each session gets its own database, its own login roles and its own broker-name prefix, so
concurrent runs never see each other's rows or messages.

Each test is marked `unit`, `integration` or `e2e` from the fixtures it uses, directly or through
other fixtures (hearth_testing.layers); a test that carries one of those markers itself keeps it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator

import pytest

from hearth_testing.infra import Infra, TestDatabase, start_infra
from hearth_testing.layers import LAYERS, layer_of

pytest_plugins = ["hearth_testing.fixtures"]


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(layer) for layer in LAYERS):
            continue  # marked by hand: that wins
        item.add_marker(layer_of(getattr(item, "fixturenames", ())))


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
