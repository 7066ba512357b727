"""Waiting for what another process or the broker does: `eventually`, the one poll-until-true loop.

Tests read state that changes behind their back (a row a consumer writes, an email the sender
sends, a queue a relay fills). Each such wait asks the same question again until the answer is the
one expected, within a time limit, and on failure says what the last answer was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    until: Callable[[T], object] = bool,
    *,
    timeout: float = 15.0,
    interval: float = 0.1,
    what: str = "",
) -> T:
    """Await `probe()` every `interval` seconds until `until(answer)` is true; return that answer.

    An exception from `probe` ends the wait at once (a probe may assert on what it reads). After
    `timeout` seconds, TimeoutError names `what` (or the probe) and the last answer it gave.
    """
    answers: list[T] = []
    limit = asyncio.timeout(timeout)
    try:
        async with limit:
            while True:
                answer = await probe()
                if until(answer):
                    return answer
                answers[:] = [answer]
                await asyncio.sleep(interval)
    except TimeoutError:
        if not limit.expired():
            raise  # the probe's own
        last = repr(answers[0]) if answers else "(no answer yet)"
        if len(last) > 1000:
            last = last[:1000] + "…"
        name = what or getattr(probe, "__qualname__", repr(probe))
        raise TimeoutError(f"{name}: not so after {timeout}s; the last answer was {last}") from None
