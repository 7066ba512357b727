"""The inbox: the deliveries each handler has applied, so a redelivered message changes nothing.

Its rows are written in the handler's own transaction, one statement per batch, so an effect and
the record of it commit (or roll back) together: exactly once, however often the broker delivers.
An event is known by its `(source, id)`, the pair CloudEvents promises to be unique: two systems'
events with the same id are both applied. A row recorded before the inbox kept sources (source
'') stands for its id from any source, so upgrading applies nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..contracts import CloudEvent
from ..db import Connection

Indexed = tuple[int, CloudEvent[Any]]  # an event and its delivery's place in the consumer's batch
Key = tuple[str, str]  # (source, id)

LEGACY_SOURCE = ""  # rows recorded before migration 002


def key_of(event: CloudEvent[Any]) -> Key:
    return (event.source, event.id)


async def admit(conn: Connection, handler: str, keys: Sequence[Key]) -> set[Key]:
    """Record `keys` as applied by `handler`; return those it had not seen before."""
    rows = await conn.fetch(
        "INSERT INTO inbox (source, message_id, handler) "
        "SELECT s, m, $3 FROM unnest($1::text[], $2::text[]) AS t(s, m) "
        "WHERE NOT EXISTS (SELECT 1 FROM inbox l "
        "                  WHERE l.source = $4 AND l.message_id = t.m AND l.handler = $3) "
        "ON CONFLICT DO NOTHING RETURNING source, message_id",
        [source for source, _ in keys],
        [message_id for _, message_id in keys],
        handler,
        LEGACY_SOURCE,
    )
    return {(row["source"], row["message_id"]) for row in rows}


def split_new(
    items: Sequence[Indexed],
    new: set[Any],
    key: Callable[[CloudEvent[Any]], Any] = lambda event: event.id,
) -> tuple[list[Indexed], list[Indexed]]:
    """`(fresh, duplicates)`: the first copy of each `key` in `new` is fresh; a second copy within
    the same batch is a duplicate too. The consumer keys on `key_of`, (source, id)."""
    unseen = set(new)
    fresh: list[Indexed] = []
    duplicates: list[Indexed] = []
    for index, event in items:
        if key(event) in unseen:
            unseen.discard(key(event))
            fresh.append((index, event))
        else:
            duplicates.append((index, event))
    return fresh, duplicates
