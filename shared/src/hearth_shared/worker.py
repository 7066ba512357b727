"""The background worker: a loop that drains a table of pending work, woken when this process
commits and polling as a safety net.

Every worker (the outbox relay, offer expiry, the scheduler, the mail sender) is a `ClaimLoop`
whose `step` claims rows with `FOR UPDATE SKIP LOCKED`, does the work, and returns how many rows it
finished.

A loop that drains what requests and handlers write (the relay, the mail sender) is
`woken_at_commit`: `committed()`, which the kit's `begin`, consumers and loops call after they
commit, wakes it at once. Rows another process wrote (another replica, a script) are found by its poll.
Not NOTIFY: a transaction that notifies holds a lock over the whole PostgreSQL server from its
commit until the commit is flushed, so with a NOTIFY in every purchase the server committed them
one at a time (docs/benchmarks.md, "Commits one at a time").
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from abc import ABC, abstractmethod

import asyncpg
import structlog

log = structlog.get_logger(__name__)

_WOKEN_AT_COMMIT: weakref.WeakSet[ClaimLoop] = weakref.WeakSet()


def committed(but: ClaimLoop | None = None) -> None:
    """One of this process's transactions committed: wake the loops that drain what it may have
    written (a loop already stepping steps again once it is done); `but` is the loop that did."""
    for loop in _WOKEN_AT_COMMIT:
        if loop is not but:
            loop.wake()


class ClaimLoop(ABC):
    # Seconds `stop()` lets the worker finish what is pending (0: stop at once).
    flush_timeout: float = 10.0
    # Whether this process's commits wake it (see the module); otherwise it only polls.
    woken_at_commit: bool = False
    # Whether its steps write work for the loops woken at commit (emails, events); the relay's
    # only mark rows published, so it wakes nobody (else it and the mail sender wake each other).
    wakes_others: bool = True

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        batch_size: int,
        poll_seconds: float = 1.0,
        what: str,
    ) -> None:
        self._pool = pool
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._what = what
        self._wake = asyncio.Event()
        self._stopping = False

    @abstractmethod
    async def step(self) -> int:
        """Claim and finish one batch of pending rows; return how many were finished."""

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Run `step` until `stop()`; on trouble, back off (capped) and try again."""
        if self.woken_at_commit:
            _WOKEN_AT_COMMIT.add(self)
        backoff = 0.2
        try:
            while not self._stopping:
                try:
                    if (finished := await self.step()) and self.wakes_others:
                        committed(but=self)  # e.g. the events a sent email or an expired hold wrote
                    if finished >= self._batch_size:
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
            _WOKEN_AT_COMMIT.discard(self)

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
