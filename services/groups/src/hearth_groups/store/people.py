"""How an erasure request, which names a person by email, finds them: a digest of each email
(never the email itself) beside the person's id, learned from ticket purchases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.db import Connection


async def remember(conn: Connection, keys: Sequence[tuple[bytes, uuid.UUID]]) -> None:
    await conn.execute(
        """INSERT INTO person_keys (email_digest, person_id)
           SELECT * FROM unnest($1::bytea[], $2::uuid[]) AS k(d, p)
           WHERE NOT EXISTS (SELECT 1 FROM erased_people x WHERE x.person_id = k.p)
           ON CONFLICT (email_digest) DO UPDATE SET person_id = EXCLUDED.person_id""",
        [k for k, _ in keys],
        [p for _, p in keys],
    )


async def forget(conn: Connection, digest: bytes) -> list[uuid.UUID]:
    """Forget the digest and keep the person id as erased (never learned or pooled again)."""
    rows = await conn.fetch("DELETE FROM person_keys WHERE email_digest = $1 RETURNING person_id", digest)
    erased = [r["person_id"] for r in rows]
    await conn.execute(
        "INSERT INTO erased_people (person_id) SELECT unnest($1::uuid[]) ON CONFLICT DO NOTHING", erased
    )
    return erased
