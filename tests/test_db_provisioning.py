"""A service whose database role or database is missing (provisioning has not run) says so, and
what to run, instead of asyncpg's bare `role "…" does not exist`; the password never appears."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest

from hearth_shared.db import DatabaseNotProvisioned, connect_with_retry
from hearth_testing.infra import Infra

PASSWORD = "not-to-be-printed-" + secrets.token_hex(8)


def _dsn(infra: Infra, role: str, database: str) -> str:
    parts = urlsplit(infra.admin_dsn)
    netloc = f"{role}:{PASSWORD}@{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


async def test_a_missing_role_names_the_provision_step(infra: Infra) -> None:
    role = f"hearth_nobody_{secrets.token_hex(4)}"
    with pytest.raises(DatabaseNotProvisioned) as refused:
        await connect_with_retry(_dsn(infra, role, "hearth"), "registration", attempts=2)
    message = str(refused.value)
    assert f'role "{role}" does not exist' in message
    assert f"PostgreSQL refused {role}@" in message
    assert "python -m hearth_shared.provision --admin-dsn" in message
    assert "hearth-provision Job" in message
    assert PASSWORD not in message


async def test_a_missing_database_names_the_provision_step(infra: Infra) -> None:
    admin = urlsplit(infra.admin_dsn).username or "postgres"
    database = f"hearth_none_{secrets.token_hex(4)}"
    with pytest.raises(DatabaseNotProvisioned) as refused:
        await connect_with_retry(_dsn(infra, admin, database), "registration", attempts=1)
    assert f'database "{database}" does not exist' in str(refused.value)
    assert PASSWORD not in str(refused.value)
