"""`python -m hearth_<service> migrate`: apply one service's migrations (the kit's, then its own)
with that service's database role, print what was applied, and exit.

Kubernetes runs it as the `hearth-migrate-<service>` Jobs before a release's pods roll
(docs/operations.md, "Upgrading"). A served replica still migrates at start-up, under the same
advisory lock (`hearth_shared.db.migrate`), so whichever comes first does the work.
"""

from __future__ import annotations

import asyncio

from .db import connect_with_retry, migrate


async def _migrate(database_url: str, service: str, package: str) -> list[str]:
    async with await connect_with_retry(database_url, service, min_size=1, max_size=1) as pool:
        return await migrate(pool, service, ["hearth_shared.migrations", package])


def run(database_url: str, service: str, package: str) -> None:
    """Migrate `service`'s schema from `package` (e.g. `hearth_credits.store.migrations`)."""
    applied = asyncio.run(_migrate(database_url, service, package))
    print(f"{service}: {len(applied)} migration(s) applied", *applied, sep="\n  ")
