"""More of the staff pages on the real gateway and services: confirmations resent in bulk from the
registrants page, as far as its filters reach (and audited); a viewer may not."""

from __future__ import annotations

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
