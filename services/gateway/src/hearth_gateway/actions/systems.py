"""Admins register outside systems, rotate their signing secrets and disable them; each change is
audited (the secret never is). A new secret is returned once, for the page to show once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from hearth_shared.publishers import outside_event_types

from ..domain.audit import AuditAction
from ..domain.systems import ROTATION_OVERLAP, name_problem, new_secret
from ..domain.words import N_
from ..store import audit, systems


class SystemRefused(Exception):
    """What was asked of a system cannot be done; `problems` say why, field by field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


def _check(name: str, event_types: list[str]) -> None:
    problems = []
    if name_problem(name):
        problems.append(
            ("name", N_("Use 2 to 63 lowercase letters, digits and dashes, like membership-register."))
        )
    allowed = set(outside_event_types())
    if not event_types or not set(event_types) <= allowed:
        problems.append(("event_types", N_("Choose at least one event type this system may send.")))
    if problems:
        raise SystemRefused(problems)


async def register(
    pool: asyncpg.Pool, actor: uuid.UUID | None, name: str, event_types: list[str], address: str | None
) -> str:
    """A new enabled system and its first secret (returned to be shown once)."""
    name = name.strip()
    _check(name, event_types)
    secret = new_secret()
    async with pool.acquire() as conn, conn.transaction():
        if not await systems.insert(conn, name, sorted(set(event_types))):
            raise SystemRefused([("name", N_("A system already has this name."))])
        await systems.add_secret(conn, name, secret)
        detail = " ".join(sorted(set(event_types)))
        await audit.append(
            conn, actor, AuditAction.SYSTEM_REGISTERED, target=name, detail=detail, address=address
        )
    return secret


async def rotate(
    pool: asyncpg.Pool,
    actor: uuid.UUID | None,
    name: str,
    address: str | None,
    overlap: timedelta = ROTATION_OVERLAP,
) -> str:
    """A new secret; the ones before it keep verifying for `overlap` (zero: they stop now)."""
    secret = new_secret()
    async with pool.acquire() as conn, conn.transaction():
        if not await systems.exists(conn, name):
            raise SystemRefused([("system", N_("There is no such system."))])
        await systems.retire_secrets(conn, name, datetime.now(UTC) + overlap)
        await systems.add_secret(conn, name, secret)
        detail = f"previous secrets verify for {int(overlap.total_seconds() // 3600)} h"
        await audit.append(
            conn, actor, AuditAction.SYSTEM_SECRET_ROTATED, target=name, detail=detail, address=address
        )
    return secret


async def set_enabled(
    pool: asyncpg.Pool, actor: uuid.UUID | None, name: str, enabled: bool, address: str | None
) -> None:
    action = AuditAction.SYSTEM_ENABLED if enabled else AuditAction.SYSTEM_DISABLED
    async with pool.acquire() as conn, conn.transaction():
        if not await systems.set_enabled(conn, name, enabled):
            raise SystemRefused([("system", N_("There is no such system."))])
        await audit.append(conn, actor, action, target=name, address=address)
