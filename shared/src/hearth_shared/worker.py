"""The background worker: a loop that drains a table of pending work, woken by NOTIFY at commit
and polling as a safety net.

Every worker (the outbox relay, offer expiry, the scheduler, the mail sender) is a `ClaimLoop`
whose `step` claims rows with `FOR UPDATE SKIP LOCKED`, does the work, and returns how many rows it
finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod

import asyncpg
import structlog

log = structlog.get_logger(__name__)


class ClaimLoop(ABC):
    # Seconds `stop()` lets the worker finish what is pending (0: stop at once).
    flush_timeout: float = 10.0
    # Whether it holds a LISTEN connection to be woken at commit; a time-driven loop (retention)
    # only polls, and so holds no connection between steps.
    listens: bool = True

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        channel: str,
        batch_size: int,
        poll_seconds: float = 1.0,
        what: str,
    ) -> None:
        self._pool = pool
        self._channel = channel
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._what = what
        self._wake = asyncio.Event()
        self._stopping = False

    @abstractmethod
    async def step(self) -> int:
        """Claim and finish one batch of pending rows; return how many were finished."""

    async def run(self) -> None:
        """Run `step` until `stop()`; on trouble, back off (capped) and try again."""
        listener = asyncio.create_task(self._listen() if self.listens else asyncio.Event().wait())
        backoff = 0.2
        try:
            while not self._stopping:
                try:
                    if await self.step() >= self._batch_size:
                        continue  # more is waiting
                    backoff = 0.2
                except Exception as exc:  # broker, SMTP or database unavailable: the rows stay
                    log.warning(f"{self._what} failed; will retry", error=repr(exc), retry_in=backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
                self._wake.clear()
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def _listen(self) -> None:
        """Hold a LISTEN connection, reopening it after database restarts."""

        def on_notify(*_: object) -> None:
            self._wake.set()

        while True:
            try:
                async with self._pool.acquire() as conn:
                    await conn.add_listener(self._channel, on_notify)
                    try:
                        while not conn.is_closed():
                            await asyncio.sleep(1.0)
                    finally:
                        with contextlib.suppress(Exception):
                            await conn.remove_listener(self._channel, on_notify)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(f"{self._what} listener lost its connection", error=repr(exc))
                await asyncio.sleep(1.0)

    async def stop(self, flush_timeout: float | None = None) -> None:
        """Stop looping, after finishing what is pending (bounded by `flush_timeout`, by default
        the worker's own)."""
        self._stopping = True
        self._wake.set()
        flush_timeout = self.flush_timeout if flush_timeout is None else flush_timeout
        if flush_timeout <= 0:
            return
        with contextlib.suppress(Exception):
            async with asyncio.timeout(flush_timeout):
                while await self.step():
                    pass
