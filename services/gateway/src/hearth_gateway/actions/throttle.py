"""Login throttling: failed attempts counted per account and per client address in a moving window.

The `limits` library's in-memory storage: the gateway runs as one replica, and a count that
restarts with the process only ever errs on the side of the person locked out. With several
replicas each keeps its own count (an attacker gets N × the limit); `limits` storages for Redis or
Memcached drop in here without other change when that day comes.
"""

from __future__ import annotations

import hashlib

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, per_account: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._account = parse(per_account)
        self._address = parse(per_address)

    @staticmethod
    def _account_key(email: str) -> str:  # never the address itself, even in memory
        return hashlib.sha256(email.strip().lower().encode()).hexdigest()

    async def allows(self, email: str, address: str) -> bool:
        return await self._limiter.test(self._account, "account", self._account_key(email)) and (
            await self._limiter.test(self._address, "address", address)
        )

    async def failed(self, email: str, address: str) -> None:
        await self._limiter.hit(self._account, "account", self._account_key(email))
        await self._limiter.hit(self._address, "address", address)
