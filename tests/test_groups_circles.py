"""Practice-area circles from feedback, on the real broker and database: a `practice_area_circle`
InterestExpressed joins the pool as a circle interest about its area; one with no area, or an area
the association has not configured, is parked with its reason (the others of its batch still land)."""

from __future__ import annotations

import uuid

import httpx
from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import InterestExpressed
from hearth_shared.messaging import Names
from hearth_shared.messaging.parking import Parked, list_parked
from hearth_testing.broker import publish_event
from hearth_testing.fixtures import StartService
from hearth_testing.waiting import eventually

STAFF = {"X-Hearth-Role": "staff"}


def wish(person_id: uuid.UUID, area: str | None, gathering_id: uuid.UUID) -> InterestExpressed:
    return InterestExpressed(
        person_id=person_id,
        gathering_id=gathering_id,
        interest="practice_area_circle",
        practice_area=area,
        language="fr",
    )


async def test_a_circle_wish_joins_the_pool_about_its_area_and_one_without_an_area_is_parked(
    start_service: StartService, amqp: AbstractRobustConnection, name_prefix: str
) -> None:
    groups = await start_service("groups")
    names = Names(name_prefix, "groups")
    gathering = uuid.uuid4()
    justice, clinical, no_area, unknown_area = (uuid.uuid4() for _ in range(4))
    wishes = [
        wish(justice, "justice", gathering),
        wish(no_area, None, gathering),
        wish(clinical, "clinical", gathering),
        wish(unknown_area, "astrology", gathering),
    ]
    for data in wishes:
        await publish_event(amqp, names, new_event(data, source="/hearth/registration"))

    mine = {str(justice), str(clinical), str(no_area), str(unknown_area)}
    async with groups.client(role=None) as client:

        async def pooled() -> list[tuple[str, str, str, str]]:
            answer: httpx.Response = await client.get(
                "/interests", params={"kind": "practice_area_circle"}, headers=STAFF
            )
            assert answer.status_code == 200, answer.text
            return sorted(
                (i["person_id"], i["kind"], i["topic"], i["language"])
                for i in answer.json()
                if i["person_id"] in mine
            )

        landed = await eventually(pooled, lambda found: len(found) >= 2, what="the circle wishes in the pool")
        assert landed == sorted(
            [
                (str(justice), "practice_area_circle", "justice", "fr"),
                (str(clinical), "practice_area_circle", "clinical", "fr"),
            ]
        )

        async def refused() -> list[Parked]:
            return [
                p
                for p in await list_parked(amqp, names)
                if str(no_area) in p.body or str(unknown_area) in p.body
            ]

        parked = await eventually(
            refused, lambda found: len(found) == 2, what="the circle wishes without an area"
        )
        assert [(p.reason, p.handler) for p in parked] == [
            ("circle_without_practice_area", "on_interest_expressed")
        ] * 2
        assert sorted(str(no_area) in p.body for p in parked) == [False, True]
        assert all("configured practice areas" in p.detail for p in parked)
        # Nor did either land in the pool meanwhile.
        assert len(await pooled()) == 2
