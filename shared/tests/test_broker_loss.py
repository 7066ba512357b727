"""The broker connection lost and back (a broker restart, a network cut), on the real broker:
the service's connection goes through a proxy that is cut and restored.

aio-pika's robust connection reconnects and reopens its channels, but it restores only the
consumers of queues its channel knows. A subscription that consumed from `get_queue(ensure=False)`
(a queue the channel does not keep) got its channel back and no consumer: the service stopped
taking events until it was restarted (seen in bench/faults.py, where a kill after each broker
restart hid it)."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import pytest

from conftest import StartKit, member
from hearth_testing.fixtures import via_proxy
from hearth_testing.infra import Infra
from hearth_testing.processes import TcpProxy

pytestmark = pytest.mark.integration


async def test_a_consumer_takes_events_again_after_its_broker_connection_is_lost(
    start_kit: StartKit, infra: Infra
) -> None:
    parts = urlsplit(infra.amqp_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672)
    await proxy.restore()
    try:
        kit = await start_kit(amqp_url=via_proxy(infra.amqp_url, proxy))
        before = member(f"before-{uuid.uuid4().hex[:8]}")
        await kit.publish(before)
        await kit.wait_for_effect(before.data.member_id)

        await proxy.cut()  # the broker gone, as in a restart
        await proxy.restore()
        after = [member(f"after-{uuid.uuid4().hex[:8]}") for _ in range(3)]
        for event in after:
            await kit.publish(event)  # queued on the broker (the test's own connection)
        for event in after:  # aio-pika reconnects within its 5 s interval
            await kit.wait_for_effect(event.data.member_id, timeout=30)
    finally:
        await proxy.cut()
