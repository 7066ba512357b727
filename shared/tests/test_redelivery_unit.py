"""Redeliveries without I/O: each is a batch of its own, in delivery order."""

from __future__ import annotations

from test_batching_unit import FakeMessage, Settled, no_forward

from hearth_shared.messaging.batching import Batches, Pending


async def test_a_redelivery_is_applied_in_a_batch_of_its_own() -> None:
    settled: Settled = []
    batches: Batches[FakeMessage] = Batches(size=8, linger_seconds=0)
    for n, alone in enumerate([False, False, True, True, False, False]):
        batches.put(Pending(FakeMessage(n, settled), None, alone=alone))
    formed = []
    while batches.in_flight:
        async with batches.next() as batch:
            formed.append([p.message.n for p in batch.items])
            await batch.settle([None] * len(batch.items), no_forward)
    assert formed == [[0, 1], [2], [3], [4, 5]]
