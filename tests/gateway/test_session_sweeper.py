"""Ended sessions nobody came back to are removed by the sweeper, against the real database."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from hearth_gateway.actions.accounts import create_staff
from hearth_gateway.domain.roles import Role
from hearth_gateway.domain.sessions import SessionRules, Stage
from hearth_gateway.store import sessions
from hearth_gateway.workers.session_sweeper import SessionSweeper
from hearth_shared.db import connect_with_retry, migrate
from hearth_testing.infra import TestDatabase


async def test_sessions_past_their_limits_are_swept_and_live_ones_stay(database: TestDatabase) -> None:
    pool = await connect_with_retry(database.dsn("gateway"), "gateway", attempts=5)
    try:
        await migrate(pool, "gateway", ["hearth_shared.migrations", "hearth_gateway.store.migrations"])
        member = await create_staff(
            pool,
            None,
            f"sweep.{secrets.token_hex(3)}@example.org",
            Role.VIEWER,
            secrets.token_urlsafe(16),
            None,
        )
        now = datetime.now(UTC)
        kept = {
            "live": (Stage.COMPLETE, now - timedelta(hours=2), now - timedelta(minutes=5)),
            "half-open, just now": (Stage.PASSWORD, now - timedelta(minutes=2), now - timedelta(minutes=2)),
        }
        ended = {
            "idle": (Stage.COMPLETE, now - timedelta(hours=2), now - timedelta(minutes=31)),
            "past 12 hours": (Stage.COMPLETE, now - timedelta(hours=13), now - timedelta(minutes=1)),
            "half-open too long": (Stage.PASSWORD, now - timedelta(minutes=11), now - timedelta(minutes=1)),
        }
        async with pool.acquire() as conn:
            for name, (stage, created, seen) in (kept | ended).items():
                await sessions.insert(conn, name, member.id, stage, "csrf", created)
                await sessions.touch(conn, name, seen)
        sweeper = SessionSweeper(pool, SessionRules(idle=timedelta(minutes=30), absolute=timedelta(hours=12)))
        assert await sweeper.step() == len(ended)
        async with pool.acquire() as conn:
            for name in kept:
                assert await sessions.find(conn, name) is not None, name
            for name in ended:
                assert await sessions.find(conn, name) is None, name
    finally:
        await pool.close()
