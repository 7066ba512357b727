"""More of the staff pages on the real gateway and services: confirmations resent in bulk from the
registrants page, as far as its filters reach (and audited), which a viewer may not do; a gathering
made in a new series from its form, another joining it, one leaving it; a proposed formation edited
(a person moved back to the pool) before it is published; a breakout turned into a standing group
of those who asked for one in the gathering's feedback."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aio_pika.abc import AbstractRobustConnection

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import InterestExpressed
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import person
from hearth_testing.waiting import eventually

from ..helpers import buy_tickets, schedule_gathering
from .conftest import Stack, signed_in_as
from .staff import StaffBrowser


async def _confirmations(stack: Stack, email: str) -> list[Any]:
    async with stack.notifications.client(role="viewer") as client:
        found = await client.get("/deliveries", params={"to": email, "template": "ticket_confirmation"})
    return list(found.json())


async def test_confirmations_are_resent_to_the_registrants_the_filters_show(
    stack: Stack, admin: StaffBrowser
) -> None:
    gid = await schedule_gathering(stack.registration)
    people = [person(), person()]
    async with stack.registration.client() as client:
        await buy_tickets(client, gid, people)
    for someone in people:  # the first confirmations, written from registration's events
        await eventually(lambda e=someone["email"]: _confirmations(stack, e), lambda found: len(found) == 1)
    await admin.refresh_csrf()
    page = await admin.client.get(f"/gatherings/{gid}/registrants", params={"q": people[0]["name"]})
    resent = await admin.post(f"/gatherings/{gid}/registrants/confirmations", params={"q": people[0]["name"]})
    after = await admin.client.get(resent.headers["location"])
    chosen, other = [await _confirmations(stack, p["email"]) for p in people]
    audit = await admin.client.get("/audit", params={"action": "confirmations_resent"})

    assert 'id="resend-confirmations"' in page.text
    assert resent.status_code == 303, resent.text
    assert "resent=1" in resent.headers["location"]
    assert "1 confirmations sent again." in after.text
    assert len(chosen) == 2  # the search kept only her: she alone is written to again
    assert len(other) == 1
    assert "1 of 1 resent" in audit.text


async def test_a_viewer_may_not_resend_confirmations(stack: Stack, admin: StaffBrowser) -> None:
    gid = await schedule_gathering(stack.registration)
    async with stack.registration.client() as client:
        await buy_tickets(client, gid, [person()])
    async with signed_in_as(stack, admin, "viewer") as viewer:
        page = await viewer.client.get(f"/gatherings/{gid}/registrants")
        refused = await viewer.post(f"/gatherings/{gid}/registrants/confirmations")

    assert page.status_code == 200
    assert 'id="resend-confirmations"' not in page.text
    assert refused.status_code == 403


def _gathering_form(title: str, **more: str) -> dict[str, str]:
    return {
        "title_en": title,
        "title_fr": f"{title} (fr)",
        "kind": "community_of_practice",
        "modality": "virtual",
        "time_zone": "America/Halifax",
        "starts_at": "2027-06-10T12:00",
        "ends_at": "2027-06-10T13:30",
        "capacity": "40",
        "join_url": "https://video.example.org/j/series",
        "ticket_member": "on",
        "price_member": "0",
        **more,
    }


async def test_a_gathering_is_made_in_a_new_series_and_another_joins_it(
    stack: Stack, admin: StaffBrowser
) -> None:
    await admin.refresh_csrf()
    tag = uuid.uuid4().hex[:6]
    missing = await admin.post("/gatherings", _gathering_form(f"First {tag}", series_id="new"))
    series = {
        "series_title_en": f"Quarterly {tag}",
        "series_title_fr": f"Trimestrielle {tag}",
        "series_cadence": "quarterly",
    }
    made = await admin.post("/gatherings", _gathering_form(f"First {tag}", series_id="new", **series))
    first = made.headers["location"].split("?")[0].rsplit("/", 1)[1]
    async with stack.registration.client() as client:
        series_id = (await client.get(f"/gatherings/{first}")).json()["series_id"]
    form = await admin.client.get("/gatherings/new")
    second = await admin.post("/gatherings", _gathering_form(f"Second {tag}", series_id=series_id))
    page = await admin.client.get(second.headers["location"])
    unchained = await admin.post(f"/gatherings/{first}/edit", _gathering_form(f"First {tag}", series_id=""))
    async with stack.registration.client() as client:
        after = (await client.get(f"/gatherings/{first}")).json()
    audit = await admin.client.get("/audit", params={"action": "series_created"})

    assert missing.status_code == 422
    assert 'href="#series_title_en"' in missing.text  # the error summary names the missing title
    assert made.status_code == 303, made.text
    assert series_id
    assert f'<option value="{series_id}">Quarterly {tag} (quarterly)</option>' in form.text
    assert second.status_code == 303, second.text
    assert re.search(rf'<dd id="series">Quarterly {tag} \(quarterly\), 2 gatherings</dd>', page.text), (
        page.text
    )
    assert unchained.status_code == 303, unchained.text
    assert after["series_id"] is None
    assert "quarterly" in audit.text


async def test_a_proposed_formation_is_edited_before_it_is_published(
    stack: Stack, admin: StaffBrowser
) -> None:
    # Advocacy campaigns: no other test of this package draws on that pool (they share one database).
    async with stack.groups.client() as groups:
        for _ in range(7):
            body = {"person_id": str(uuid.uuid4()), "kind": "advocacy_campaign", "language": "en"}
            assert (await groups.post("/interests", json=body)).status_code == 201
    await admin.refresh_csrf()
    proposed = await admin.post("/groups/proposals", {"kind": "advocacy_campaign"})
    review = await admin.client.get(proposed.headers["location"])
    found = re.search(r'<option value="([0-9a-f-]{36})">', review.text)
    assert found, review.text
    moves = proposed.headers["location"] + "/moves"
    moved = await admin.post(moves, {"person_id": found.group(1), "to_group": ""})
    after = await admin.client.get(moved.headers["location"])
    wrong = await admin.post(moves, {"person_id": str(uuid.uuid4()), "to_group": "1"})
    published = await admin.post(proposed.headers["location"] + "/publish")
    audit = await admin.client.get("/audit", params={"action": "groups_edited"})

    assert 'id="move-form"' in review.text
    assert moved.status_code == 303, moved.text
    assert "The person was moved." in after.text
    assert "1 person stays in the pool." in after.text
    assert wrong.status_code == 404  # groups: that person is not in this proposal
    assert published.status_code == 303
    assert f"{found.group(1)} to the pool" in audit.text


async def test_a_breakout_becomes_a_standing_group_of_those_who_asked_for_one(
    stack: Stack, admin: StaffBrowser, amqp: AbstractRobustConnection
) -> None:
    gid = await schedule_gathering(stack.registration)
    async with stack.registration.client() as client:
        made = await client.post(
            f"/gatherings/{gid}/breakouts",
            json={"name": {"en": "French guide", "fr": "Guide en français"}, "language": "fr", "capacity": 9},
        )
    breakout = made.json()["id"]
    asked = [uuid.uuid4() for _ in range(3)]
    for person_id in asked:
        wish = InterestExpressed(
            person_id=person_id, gathering_id=uuid.UUID(gid), interest="best_practice_resource", language="fr"
        )
        await publish_event(
            amqp, Names(stack.name_prefix, "groups"), new_event(wish, source="/hearth/registration")
        )
    async with stack.groups.client() as groups:
        await eventually(
            lambda: groups.get("/interests", params={"kind": "resource_co_creation"}),
            lambda r: len([i for i in r.json() if i["gathering_id"] == gid]) == 3,
            timeout=20,
        )
    await admin.refresh_csrf()
    page = await admin.client.get(f"/gatherings/{gid}")
    formed = await admin.post(
        f"/gatherings/{gid}/standing-group", {"breakout_id": breakout, "kind": "resource_co_creation"}
    )
    listed = await admin.client.get(formed.headers["location"])
    audit = await admin.client.get("/audit", params={"action": "group_formed"})

    assert 'id="standing-group"' in page.text
    assert formed.status_code == 303, formed.text
    assert "formed=3" in formed.headers["location"]
    assert "A standing group was formed with 3 members." in listed.text
    assert "Guide en français" in listed.text or "French guide" in listed.text
    assert "resource_co_creation, 3 members" in audit.text


async def test_the_gathering_page_shows_who_is_waiting_in_line_order_a_page_at_a_time(
    stack: Stack, admin: StaffBrowser
) -> None:
    gid = await schedule_gathering(stack.registration, capacity=1)
    people = [person() for _ in range(53)]  # one seat, then 52 in line: a second page of two
    async with stack.registration.client() as client:
        for someone in people:
            bought = await client.post(f"/gatherings/{gid}/tickets", json=someone)
            assert bought.status_code in (201, 202), bought.text
    first = await admin.client.get(f"/gatherings/{gid}")
    second = await admin.client.get(f"/gatherings/{gid}", params={"waitlist_page": 2})
    async with signed_in_as(stack, admin, "check_in") as door:
        at_the_door = await door.client.get(f"/gatherings/{gid}")

    def line(html: str) -> list[tuple[str, str]]:
        table = html.split('id="waitlist"', 1)[1].split("</table>", 1)[0]
        return re.findall(r"<td>(\d+)</td>\s*<td><a href=\"/people/[0-9a-f-]{36}\">([^<]+)</a>", table)

    assert first.status_code == 200, first.text
    assert "52 people waiting or offered a seat." in first.text  # registration's figures
    assert line(first.text) == [(str(i), p["name"]) for i, p in enumerate(people[1:51], start=1)]
    assert 'href="/gatherings/' + gid + '?waitlist_page=2"' in first.text
    assert line(second.text) == [("51", people[51]["name"]), ("52", people[52]["name"])]
    assert "Page 2 of 2" in second.text
    assert at_the_door.status_code == 200
    assert "52 people waiting or offered a seat." in at_the_door.text
    assert 'id="waitlist"' not in at_the_door.text  # check-in staff see how many, not who
