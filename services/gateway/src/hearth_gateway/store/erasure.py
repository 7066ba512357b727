"""Erasure on the gateway's tables. The gateway keeps no record of people, only of staff; what
may name a person is an audit entry's detail or target written from a staff member's search (a
registrant export records its filters, and a search may be an email). Those entries keep their
action, time and author, with the address replaced."""

from __future__ import annotations

import re

from hearth_shared.db import Connection

ERASED = "<erased>"


async def forget_address(conn: Connection, email: str) -> int:
    """Replace `email` in the audit entries that quote it; return how many were changed."""
    rows = await conn.fetch(
        """SELECT id, target, detail FROM audit_log
           WHERE strpos(lower(detail), lower($1)) > 0 OR strpos(lower(target), lower($1)) > 0
           FOR UPDATE""",
        email,
    )
    pattern = re.compile(re.escape(email), re.IGNORECASE)

    def without(text: str | None) -> str | None:
        return pattern.sub(ERASED, text) if text is not None else None

    await conn.executemany(
        "UPDATE audit_log SET target = $2, detail = $3 WHERE id = $1",
        [(r["id"], without(r["target"]), without(r["detail"])) for r in rows],
    )
    return len(rows)
