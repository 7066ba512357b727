"""Nothing is lost between a committed state change and the broker: events committed while the
broker is unreachable are published when it is back, and a relay killed between commit and
publish publishes them after its restart — each exactly once."""

from __future__ import annotations

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts.catalogue import TicketPurchased
from hearth_shared.messaging import Names
from hearth_testing.broker import collect, drain, watch
from hearth_testing.builders import person
from hearth_testing.fixtures import StartService, via_proxy
from hearth_testing.infra import Infra, TestDatabase
from hearth_testing.processes import ServiceProcess, TcpProxy

from .helpers import buy_tickets, schedule_gathering


async def buy(registration: ServiceProcess, gathering_id: str, count: int) -> set[str]:
    async with registration.client() as client:
        bought = await buy_tickets(client, gathering_id, [person() for _ in range(count)])
    return {ticket["id"] for ticket in bought}


async def test_events_committed_without_a_broker_are_published_once_it_is_back(
    broker_proxy: TcpProxy,  # before start_service: services stop before the proxy goes away
    start_service: StartService,
    infra: Infra,
    database: TestDatabase,
    amqp: AbstractRobustConnection,
    name_prefix: str,
) -> None:
    watched = await watch(amqp, Names(name_prefix, "registration"), TicketPurchased)
    cut_off = via_proxy(infra.amqp_url, broker_proxy)  # the proxy is not listening yet

    first = await start_service("registration", wait_for="/health", amqp_url=cut_off)
    gathering_id = await schedule_gathering(first)
    tickets = await buy(first, gathering_id, 5)
    await first.kill()  # SIGKILL with five events committed and none published

    second = await start_service("registration", wait_for="/health", amqp_url=cut_off)
    tickets |= await buy(second, gathering_id, 5)
    await broker_proxy.restore()

    published = await collect(watched, 10)
    assert {e["data"]["ticket_id"] for e in published} == tickets
    assert all(e["_message_id"] == e["id"] for e in published)
    assert await drain(watched) == []  # and nothing twice

    conn = await database.connect("registration")
    try:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
    finally:
        await conn.close()
