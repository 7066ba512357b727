"""Fixtures of notifications' own tests: its schema, migrated, on the session's real Postgres."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hearth_notifications.events import SERVICE
from hearth_shared.db import connect_with_retry, migrate
from hearth_testing.infra import TestDatabase


@pytest.fixture
async def pool(database: TestDatabase) -> AsyncIterator[asyncpg.Pool]:
    """The notifications schema as the service's own role sees it (migrated here, so a test
    needs no running service)."""
    found = await connect_with_retry(database.dsn(SERVICE), SERVICE, min_size=1, max_size=10)
    await migrate(found, SERVICE, ["hearth_shared.migrations", "hearth_notifications.store.migrations"])
    yield found
    await found.close()


@pytest.fixture
def correlation_id() -> str:
    return f"test-{uuid.uuid4()}"
