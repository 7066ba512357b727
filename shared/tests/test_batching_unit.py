"""Ordered batching and settlement without I/O: fake messages record how they were settled.

These prove the order of acks and nacks the consumer asks for, nothing about delivery: that the
broker honours them is what test_consuming.py and test_batch_handlers.py show on a real broker."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from hearth_shared.contracts import CloudEvent, new_event
from hearth_shared.contracts.catalogue import GatheringCancelled
from hearth_shared.messaging.batching import Batches, Pending, settle
from hearth_shared.messaging.inbox import split_new

Settled = list[tuple[str, int, bool]]  # ("ack", n, multiple) or ("nack", n, requeue)


@dataclass
class FakeMessage:
    n: int
    settled: Settled = field(repr=False)

    async def ack(self, multiple: bool = False) -> None:
        self.settled.append(("ack", self.n, multiple))

    async def nack(self, multiple: bool = False, requeue: bool = True) -> None:
        self.settled.append(("nack", self.n, requeue))

    async def reject(self, requeue: bool = True) -> None:
        self.settled.append(("reject", self.n, requeue))


def deliveries(count: int, settled: Settled, start: int = 0) -> list[Pending[FakeMessage]]:
    return [Pending(FakeMessage(n, settled), None) for n in range(start, start + count)]


async def no_forward(message: FakeMessage, error: Exception) -> None:
    raise AssertionError(f"nothing failed, yet {message.n} was forwarded: {error!r}")


async def test_batches_are_runs_of_consecutive_deliveries_up_to_the_size() -> None:
    batches: Batches[FakeMessage] = Batches(size=4, linger_seconds=0)
    for pending in deliveries(10, []):
        batches.put(pending)
    formed = []
    for _ in range(3):
        async with batches.next() as batch:
            formed.append([p.message.n for p in batch.items])
            await batch.settle([None] * len(batch.items), no_forward)
    assert formed == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches.in_flight == 0


async def test_a_batch_takes_in_what_arrives_within_the_linger() -> None:
    settled: Settled = []
    batches: Batches[FakeMessage] = Batches(size=8, linger_seconds=0.5)
    first, second = deliveries(2, settled)
    batches.put(first)
    asyncio.get_running_loop().call_later(0.01, batches.put, second)
    async with batches.next() as batch:
        assert [p.message.n for p in batch.items] == [0, 1]
        assert batches.in_flight == 2  # received and not yet settled
        await batch.settle([None, None], no_forward)
    assert batches.in_flight == 0


async def test_a_batch_applied_first_still_settles_after_the_batch_before_it() -> None:
    settled: Settled = []
    batches: Batches[FakeMessage] = Batches(size=2, linger_seconds=0)
    for pending in deliveries(4, settled):
        batches.put(pending)
    older_formed, newer_done = asyncio.Event(), asyncio.Event()

    async def older() -> None:
        async with batches.next() as batch:
            older_formed.set()
            await newer_done.wait()  # applied slowly: the newer batch is ready first
            await batch.settle([None, None], no_forward)

    async def newer() -> None:
        await older_formed.wait()
        async with batches.next() as batch:
            newer_done.set()
            await batch.settle([None, None], no_forward)

    await asyncio.gather(older(), newer())
    assert settled == [("ack", 1, True), ("ack", 3, True)]


async def test_a_batch_that_never_settled_holds_back_every_later_one() -> None:
    """A batch cancelled before settling (shutdown): a later `multiple` ack would cover its
    deliveries, so no later batch settles; the broker redelivers them all."""
    settled: Settled = []
    batches: Batches[FakeMessage] = Batches(size=2, linger_seconds=0)
    for pending in deliveries(4, settled):
        batches.put(pending)
    async with batches.next():
        pass  # left without settling
    async with batches.next() as later:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await later.settle([None, None], no_forward)
    assert settled == []


async def test_a_batch_applied_in_full_is_acknowledged_with_one_multiple_ack() -> None:
    settled: Settled = []
    await settle(deliveries(5, settled), [None] * 5, no_forward)
    assert settled == [("ack", 4, True)]


async def test_failures_are_forwarded_before_the_multiple_ack() -> None:
    settled: Settled = []
    forwarded: list[tuple[int, str]] = []

    async def forward(message: FakeMessage, error: Exception) -> None:
        forwarded.append((message.n, str(error)))
        settled.append(("forwarded", message.n, False))

    await settle(deliveries(3, settled), [None, ValueError("bad"), None], forward)
    assert forwarded == [(1, "bad")]
    assert settled == [("forwarded", 1, False), ("ack", 2, True)]


async def test_a_failure_that_cannot_be_forwarded_is_returned_and_the_rest_acked_one_by_one() -> None:
    settled: Settled = []

    async def broker_refuses(message: FakeMessage, error: Exception) -> None:
        raise ConnectionError("no route to the delay exchange")

    await settle(deliveries(3, settled), [None, ValueError("bad"), None], broker_refuses)
    assert settled == [("reject", 1, True), ("ack", 0, False), ("ack", 2, False)]


async def test_an_ack_that_fails_is_left_to_the_broker_to_redeliver() -> None:
    class GoneChannel(FakeMessage):
        async def ack(self, multiple: bool = False) -> None:
            raise ConnectionError("channel closed")

    await settle([Pending(GoneChannel(0, []), None)], [None], no_forward)  # does not raise


def test_only_the_first_copy_of_a_new_id_is_fresh() -> None:
    def event() -> CloudEvent[Any]:
        return new_event(GatheringCancelled(gathering_id=uuid.uuid4()), source="/test")

    seen, new = event(), event()
    items = [(0, seen), (1, new), (2, new)]
    fresh, duplicates = split_new(items, {new.id})
    assert fresh == [(1, new)]
    assert duplicates == [(0, seen), (2, new)]
