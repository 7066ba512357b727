"""What routes are given: the service's pool and settings (from the runtime the app was built with)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from ..settings import RegistrationSettings


async def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool | None = request.app.state.runtime.pool
    assert pool is not None, "the runtime starts before requests are served"
    return pool


async def _settings(request: Request) -> RegistrationSettings:
    settings: RegistrationSettings = request.app.state.runtime.settings
    return settings


# Async, so FastAPI resolves them in the event loop (a plain `def` would hop to a thread per request).
Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[RegistrationSettings, Depends(_settings)]
