"""The inbox: the deliveries each handler has applied, so a redelivered message changes nothing.

Its rows are written in the handler's own transaction, one statement per batch, so an effect and
the record of it commit (or roll back) together: exactly once, however often the broker delivers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..contracts import CloudEvent
from ..db import Connection

Indexed = tuple[int, CloudEvent[Any]]  # an event and its delivery's place in the consumer's batch


async def admit(conn: Connection, handler: str, message_ids: Sequence[str]) -> set[str]:
    """Record `message_ids` as applied by `handler`; return those it had not seen before."""
    rows = await conn.fetch(
        "INSERT INTO inbox (message_id, handler) SELECT unnest($1::text[]), $2 "
        "ON CONFLICT DO NOTHING RETURNING message_id",
        list(message_ids),
        handler,
    )
    return {row["message_id"] for row in rows}


def split_new(items: Sequence[Indexed], new_ids: set[str]) -> tuple[list[Indexed], list[Indexed]]:
    """`(fresh, duplicates)`: the first copy of each new id is fresh; a second copy within the same
    batch is a duplicate too."""
    unseen = set(new_ids)
    fresh: list[Indexed] = []
    duplicates: list[Indexed] = []
    for index, event in items:
        if event.id in unseen:
            unseen.discard(event.id)
            fresh.append((index, event))
        else:
            duplicates.append((index, event))
    return fresh, duplicates
