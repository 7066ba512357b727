"""Small helpers shared by the cross-service tests (the data itself: hearth_testing.builders)."""

from __future__ import annotations

from typing import Any

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import MemberUpserted
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import gathering_body
from hearth_testing.processes import ServiceProcess


async def schedule_gathering(registration: ServiceProcess, **overrides: Any) -> str:
    async with registration.client() as client:
        response = await client.post("/gatherings", json=gathering_body(**overrides))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def buy_tickets(
    client: httpx.AsyncClient, gathering_id: str, people: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """A ticket for each person, one after the other (each must be a seat, not a place in line)."""
    tickets = []
    for someone in people:
        response = await client.post(f"/gatherings/{gathering_id}/tickets", json=someone)
        assert response.status_code == 201, response.text
        tickets.append(dict(response.json()["ticket"]))
    return tickets


async def publish_from_register(
    amqp: AbstractRobustConnection, name_prefix: str, *records: MemberUpserted
) -> None:
    """Publish member records as the association's membership register does."""
    names = Names(name_prefix, "registration")
    for record in records:
        await publish_event(amqp, names, new_event(record, source="/membership-register"))
