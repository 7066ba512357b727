"""More of the staff pages on the real gateway and services: confirmations resent in bulk from the
registrants page, as far as its filters reach (and audited), which a viewer may not do; a gathering
made in a new series from its form, another joining it, one leaving it."""

from __future__ import annotations

import re
import uuid
from typing import Any

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
