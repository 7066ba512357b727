"""What routes are given: the service's database pool, declared once."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request


def database(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool | None = request.app.state.runtime.pool
    assert pool is not None, "the runtime opens its pool before serving"
    return pool


Pool = Annotated[asyncpg.Pool, Depends(database)]
