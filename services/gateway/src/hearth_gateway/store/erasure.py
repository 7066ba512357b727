"""Erasure on the gateway's tables. The gateway keeps no record of people, only of staff; what
may name a person is an audit entry's detail or target written from a staff member's search (a
registrant export records its filters, URL-encoded, and a search may be an email). Those entries
keep their action, time and author, with the address (as written or encoded) replaced."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

from hearth_shared.db import Connection

ERASED = "<erased>"


async def forget_address(conn: Connection, email: str) -> int:
    """Replace `email` in the audit entries that quote it; return how many were changed."""
    forms = sorted({email.lower(), quote_plus(email).lower(), quote(email).lower()})
    rows = await conn.fetch(
        """SELECT id, target, detail FROM audit_log a
           WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS f
                         WHERE strpos(lower(a.detail), f) > 0 OR strpos(lower(a.target), f) > 0)
           FOR UPDATE""",
        forms,
    )
    pattern = re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE)

    def without(text: str | None) -> str | None:
        return pattern.sub(ERASED, text) if text is not None else None

    await conn.executemany(
        "UPDATE audit_log SET target = $2, detail = $3 WHERE id = $1",
        [(r["id"], without(r["target"]), without(r["detail"])) for r in rows],
    )
    return len(rows)
