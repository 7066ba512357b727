"""Stopping on the real broker and database: every consumer is drained at once, so the stop fits
the grace period however many handlers a service has (before issue 15 they were drained one after
another, each for up to 15 s), and what could not finish in time is left to the broker, not lost."""

from __future__ import annotations

import asyncio
import uuid

from conftest import StartKit, member

GRACE = 4.0
STUCK = 30  # seconds each handler's delivery would still take when the stop begins


async def test_consumers_are_drained_together_within_the_grace_period(start_kit: StartKit) -> None:
    kit = await start_kit(copies=2, shutdown_grace_seconds=GRACE)
    slow = member(f"slow-{STUCK}-{uuid.uuid4().hex[:8]}")
    await kit.publish(slow)  # reaches both handlers' queues
    await asyncio.sleep(0.5)  # both are applying it

    loop = asyncio.get_running_loop()
    began = loop.time()
    await kit.runtime.stop()
    took = loop.time() - began

    assert took < GRACE, f"stopping took {took:.1f} s"
    assert await kit.effects(slow.data.member_id) == []
    async with kit.amqp.channel() as channel:  # each delivery went back to its queue
        for handler in kit.runtime.handlers:
            queue = await channel.declare_queue(kit.runtime.names.handler_queue(handler.name), passive=True)
            assert queue.declaration_result.message_count == 1
