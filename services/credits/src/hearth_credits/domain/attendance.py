"""Attendance: evidence that a person was present at an activity, with minutes attended. A
correction is a newer revision of the same record, so only the newest revision counts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

Pair = tuple[uuid.UUID, uuid.UUID]
"""An activity and a person: the unit the ledger keeps one standing award for."""


@dataclass(frozen=True)
class Attendance:
    id: uuid.UUID
    activity_id: uuid.UUID
    person_id: uuid.UUID
    minutes_attended: int
    revision: int

    @property
    def pair(self) -> Pair:
        return (self.activity_id, self.person_id)


def newest_per_pair(records: Sequence[Attendance]) -> dict[Pair, int]:
    """The index in `records` of each pair's newest record (the highest revision; of equal
    revisions, the last), the pairs in sorted order — one row order for concurrent batches."""
    newest: dict[Pair, int] = {}
    for index, record in enumerate(records):
        pair = record.pair
        if pair not in newest or records[newest[pair]].revision <= record.revision:
            newest[pair] = index
    return {pair: newest[pair] for pair in sorted(newest)}
