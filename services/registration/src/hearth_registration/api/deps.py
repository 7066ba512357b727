"""What routes are given: the service's pool and settings (from the runtime the app was built with)."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request

from ..settings import RegistrationSettings


def _pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool | None = request.app.state.runtime.pool
    assert pool is not None, "the runtime starts before requests are served"
    return pool


def _settings(request: Request) -> RegistrationSettings:
    settings: RegistrationSettings = request.app.state.runtime.settings
    return settings


Pool = Annotated[asyncpg.Pool, Depends(_pool)]
Settings = Annotated[RegistrationSettings, Depends(_settings)]
