"""Erasure on credits' free text: what a person wrote about an activity they report (and the
reason staff gave back) goes; the report's title, hours, date and decision stay, as the CPD
record the regulator audits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hearth_shared.db import Connection

# What a self-report's evidence says once erased (never empty: the API requires evidence).
ERASED_EVIDENCE = "erased at the person's request"


async def forget_free_text(conn: Connection, person_ids: Sequence[uuid.UUID]) -> None:
    await conn.execute(
        """UPDATE self_reports SET evidence = $2, decision_reason = NULL,
               erased_at = coalesce(erased_at, now())
           WHERE person_id = ANY($1::uuid[])""",
        list(person_ids),
        ERASED_EVIDENCE,
    )
