"""How often the public site lets one address, one email or one person act: registrations,
feedback and signed-link pages, each counted in a moving window (the `limits` library, in memory,
as the login throttle: one gateway replica; a shared storage such as Redis drops in here).

Emails and ids are hashed before they are counted: the counters never hold them."""

from __future__ import annotations

import hashlib

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


def _hidden(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


class PublicLimits:
    def __init__(self, rules: dict[str, str]) -> None:
        """`rules`: a limit (`limits` notation, e.g. "5/hour") for each name counted."""
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._rules: dict[str, RateLimitItem] = {name: parse(rule) for name, rule in rules.items()}

    async def hit(self, **counted: str) -> bool:
        """Counts one request against each named limit (`address="…"`, `email="…"`); False when
        any of them is over (every one is still counted, so hammering never resets a window)."""
        allowed = True
        for name, value in counted.items():
            allowed = await self._limiter.hit(self._rules[name], name, _hidden(value)) and allowed
        return allowed
