"""Login throttling: failed attempts counted per account and per client address in a moving window.

The failures are rows in the gateway's schema (store/throttle.py), not process memory: deploy/k8s
runs two gateway replicas, and a count kept by each would give an attacker twice the limit. An
attempt is refused while its account or its address has `amount` failures in the last window.
The limits keep the `limits` library's syntax ("5/15 minutes"), parsed by it; the count is SQL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from limits import parse

from hearth_shared.db import Connection

from ..store import throttle
from ..store.throttle import Scope


@dataclass(frozen=True)
class Limit:
    amount: int
    window: timedelta

    @classmethod
    def of(cls, text: str) -> Limit:
        item = parse(text)
        return cls(item.amount, timedelta(seconds=item.get_expiry()))


def account_key(email: str) -> str:
    """Never the email itself, even in the throttle's table."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class LoginThrottle:
    def __init__(self, per_account: str, per_address: str) -> None:
        self._limits = {Scope.ACCOUNT: Limit.of(per_account), Scope.ADDRESS: Limit.of(per_address)}

    def _keys(self, email: str, address: str) -> dict[Scope, str]:
        return {Scope.ACCOUNT: account_key(email), Scope.ADDRESS: address}

    async def allows(self, conn: Connection, email: str, address: str) -> bool:
        for scope, key in self._keys(email, address).items():
            limit = self._limits[scope]
            if await throttle.failures_within(conn, scope, key, limit.window) >= limit.amount:
                return False
        return True

    async def failed(self, conn: Connection, email: str, address: str) -> None:
        keep = max(limit.window for limit in self._limits.values())
        await throttle.record_failure(conn, self._keys(email, address), keep)
