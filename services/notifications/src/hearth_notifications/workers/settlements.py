"""The mail sender's answers recorded together (group commit): every SMTP answer that arrives
while the previous transaction commits goes into the next one, one statement per kind of
outcome, with the events they publish. Each lane waits for its answer's commit before it sends
its next email, so a crash still repeats at most one email per connection; the same transaction
checks and renews the lease of the lane's next email (what `deliveries.hold` does alone).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg

from hearth_shared.contracts import CloudEvent
from hearth_shared.contracts.catalogue import NotificationFailed
from hearth_shared.logs import current_correlation_id
from hearth_shared.messaging import Work
from hearth_shared.messaging.outbox import write_events

from ..actions import outcomes
from ..domain.sending import Refusal
from ..events import SOURCE
from ..settings import NotificationsSettings
from ..store import deliveries
from ..store.deliveries import SendingRow


@dataclass(frozen=True)
class Recorded:
    """What became of one answer: settled (False: the lease was taken over), failed for good, and
    whether this sender still holds the lane's next email."""

    settled: bool
    failed: bool
    next_held: bool


@dataclass
class _Answer:
    row: SendingRow
    refusal: Refusal | None
    after: SendingRow | None
    done: asyncio.Future[Recorded] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class Settlements:
    """One writer for all lanes: an answer waits at most for the transaction in progress."""

    def __init__(self, pool: asyncpg.Pool, settings: NotificationsSettings, owner: uuid.UUID) -> None:
        self._pool = pool
        self._settings = settings
        self._owner = owner
        self._waiting: list[_Answer] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, row: SendingRow, refusal: Refusal | None, after: SendingRow | None) -> Recorded:
        """Record the server's answer to `row` (None: accepted) and hold `after`. The write goes
        on if the caller is cancelled: an answer once given is recorded."""
        answer = _Answer(row, refusal, after)
        self._waiting.append(answer)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_waiting())
        return await asyncio.shield(answer.done)

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            answers, self._waiting = self._waiting, []
            try:
                recorded = await self._write(answers)
            except Exception as exc:  # the database: each lane sees it and the step fails
                for answer in answers:
                    answer.done.set_exception(exc)
                    answer.done.exception()  # retrieved: a lane cancelled meanwhile leaves no warning
                continue
            for answer, outcome in zip(answers, recorded, strict=True):
                answer.done.set_result(outcome)

    async def _write(self, answers: list[_Answer]) -> list[Recorded]:
        published: list[CloudEvent[Any]] = []
        how = outcomes.Settling(self._owner, self._settings.mail_retry_budget, datetime.now(UTC))
        accepted = [a.row for a in answers if a.refusal is None]
        following = [a.after.id for a in answers if a.after is not None]
        async with self._pool.acquire() as conn, conn.transaction():
            work = Work(conn=conn, source=SOURCE, correlation_id=current_correlation_id(), pending=published)
            settled = await outcomes.settle_sent(work, accepted, how)
            for answer in answers:
                if answer.refusal is not None and await outcomes.settle(
                    work, answer.row, answer.refusal, how
                ):
                    settled.add(answer.row.id)
            held = await deliveries.hold_all(conn, following, self._owner, self._settings.mail_lease_seconds)
            await write_events(conn, published)
        failed = {e.data.delivery_id for e in published if isinstance(e.data, NotificationFailed)}
        return [
            Recorded(a.row.id in settled, a.row.id in failed, a.after is not None and a.after.id in held)
            for a in answers
        ]
