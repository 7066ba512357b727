"""Ordered batching and settlement, with no I/O of its own.

Deliveries wait in arrival order. Batches are formed one at a time, so each is a run of
consecutive deliveries, and each settles only after the batch formed before it has settled, even
when several are applied at once (a handler's `concurrency`). That order is what makes one
`multiple` ack per batch safe: it covers every older unacknowledged delivery on the channel, and by
then each of those has been acknowledged, returned or parked. The delivery tags prove it: a batch
is acknowledged with `multiple` only when its tags run on, without a gap, from the last one
settled (or from 1, a new channel); otherwise each delivery is acknowledged by itself, so a
delivery that never reached a batch can never be covered.

Messages are anything with aio-pika's `ack`/`nack`, so the ordering is unit-tested with fakes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import structlog

from ..contracts import CloudEvent
from .errors import PermanentFailure

log = structlog.get_logger(__name__)


class Settleable(Protocol):
    async def ack(self, multiple: bool = False) -> None: ...
    async def nack(self, multiple: bool = False, requeue: bool = True) -> None: ...
    async def reject(self, requeue: bool = True) -> None: ...


M = TypeVar("M", bound=Settleable)


@dataclass(frozen=True)
class Pending(Generic[M]):
    """One delivery waiting for its batch: its event, or (`event` None) why it could not be parsed."""

    message: M
    event: CloudEvent[Any] | None
    error: PermanentFailure | None = None
    tag: int | None = None  # the delivery tag on its channel (None: not known, order alone counts)
    alone: bool = False  # redelivered (perhaps after a crash it caused): applied in a batch of its own


Errors = Sequence[Exception | None]  # per delivery of a batch: None when it was applied


def runs_on(tags: Sequence[int | None], last: int) -> bool:
    """Whether deliveries with `tags` follow, without a gap, the delivery tag `last` settled before
    them on their channel (or start a new channel at 1): then a `multiple` ack covers only them."""
    if any(tag is None for tag in tags):
        return True  # tags not known: the order of the batches alone
    known = [tag for tag in tags if tag is not None]
    consecutive = known == list(range(known[0], known[0] + len(known)))
    return consecutive and known[0] in (1, last + 1)


async def settle(
    batch: Sequence[Pending[M]],
    errors: Errors,
    forward: Callable[[M, Exception], Awaitable[None]],
    *,
    multiple: bool = True,
) -> None:
    """Forward the failures, then acknowledge the whole batch with one `multiple` ack (every older
    delivery on the channel is settled by now), or each delivery by itself when `multiple` is
    False. If a forward fails, that delivery is returned to its queue instead with a `reject`,
    which counts toward its delivery limit (a `nack` does not on RabbitMQ 4.3), so the limit bounds
    the loop; the rest are acknowledged one by one."""
    returned: set[int] = set()
    for index, (pending, error) in enumerate(zip(batch, errors, strict=True)):
        if error is None:
            continue
        try:
            await forward(pending.message, error)
        except Exception as exc:
            log.error("could not forward a failed message; returning it to its queue", error=repr(exc))
            returned.add(index)
            with contextlib.suppress(Exception):
                await pending.message.reject(requeue=True)
    try:
        if multiple and not returned:
            await batch[-1].message.ack(multiple=True)
        else:
            for index, pending in enumerate(batch):
                if index not in returned:
                    await pending.message.ack()
    except Exception as exc:  # channel gone: the broker redelivers; the inbox makes that harmless
        log.warning("could not acknowledge a batch", error=repr(exc), size=len(batch))


@dataclass
class _LastTag:
    last: int = 0  # the delivery tag of the last delivery settled


class Batch(Generic[M]):
    """A run of consecutive deliveries, settled in its turn."""

    def __init__(
        self, items: list[Pending[M]], previous: asyncio.Event, settled: asyncio.Event, tags: _LastTag
    ) -> None:
        self.items = items
        self._previous = previous
        self._settled = settled
        self._tags = tags

    async def settle(self, errors: Errors, forward: Callable[[M, Exception], Awaitable[None]]) -> None:
        await self._previous.wait()  # every older delivery is settled: a `multiple` ack is safe
        tags = [pending.tag for pending in self.items]
        await settle(self.items, errors, forward, multiple=runs_on(tags, self._tags.last))
        self._tags.last = next((t for t in reversed(tags) if t is not None), self._tags.last)
        # Only now: a batch cancelled before settling (shutdown) must never let a later batch's
        # `multiple` ack cover its deliveries; the broker redelivers them.
        self._settled.set()


class Batches(Generic[M]):
    """Deliveries in arrival order, taken as batches of up to `size`: what is waiting, or what
    arrives within `linger_seconds` of the first. A delivery marked `alone` is a batch by itself,
    so a message that crashed the process before is charged alone if it does so again."""

    def __init__(self, *, size: int, linger_seconds: float) -> None:
        self._size = size
        self._linger = linger_seconds
        self._queue: asyncio.Queue[Pending[M]] = asyncio.Queue()
        self._held: Pending[M] | None = None  # taken from the queue, for the next batch
        self._forming = asyncio.Lock()
        self._last_settled = asyncio.Event()
        self._last_settled.set()
        self._tags = _LastTag()
        self.in_flight = 0  # received and not yet settled

    def put(self, pending: Pending[M]) -> None:
        self.in_flight += 1
        self._queue.put_nowait(pending)

    @contextlib.asynccontextmanager
    async def next(self) -> AsyncIterator[Batch[M]]:
        """The next batch, to apply and then `settle` before leaving the block."""
        async with self._forming:
            items = await self._take()
            previous, settled = self._last_settled, asyncio.Event()
            self._last_settled = settled
        try:
            yield Batch(items, previous, settled, self._tags)
        finally:
            self.in_flight -= len(items)

    async def _take(self) -> list[Pending[M]]:
        items = [await self._get()]
        if not items[0].alone:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._linger):
                    while len(items) < self._size and self._add(items, await self._get()):
                        pass
            while len(items) < self._size and self._held is None and not self._queue.empty():
                if not self._add(items, self._queue.get_nowait()):
                    break
        return items

    async def _get(self) -> Pending[M]:
        held, self._held = self._held, None
        return held if held is not None else await self._queue.get()

    def _add(self, items: list[Pending[M]], pending: Pending[M]) -> bool:
        """Add `pending` to the batch forming, or hold it for the next if it must be alone."""
        if pending.alone:
            self._held = pending
            return False
        items.append(pending)
        return True
