"""The registrants page on the real gateway and services (issues 13 and 17): a ticket held awaiting
payment shows as held, with its hold's expiry, under its own filter; a coordinator marks it paid (by
e-transfer, with a reference) and registration confirms it, with an audit entry; a viewer or the
door's check-in staff may not. After a person's erasure, the registrants list, the check-in list and
the delivery log say "Erased on <date>" in the reader's language, not the pseudonym or the address.
The same in a real browser in both languages, axe-core on each page, screenshots in
docs/screenshots/."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aio_pika.abc import AbstractRobustConnection
from babel.dates import format_date
from playwright.async_api import Browser, expect

from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import PersonErasureRequested
from hearth_shared.messaging import Names
from hearth_testing.broker import publish_event
from hearth_testing.builders import person
from hearth_testing.waiting import eventually

from ..helpers import buy_tickets, schedule_gathering
from .conftest import Stack, signed_in_as
from .public_site import buy, new_gathering, non_member
from .staff import StaffBrowser
from .test_staff_more_browser import _sign_in_as_coordinator
from .test_staff_walk import checked

HALIFAX = ZoneInfo("America/Halifax")


async def held_ticket(stack: Stack, tag: str) -> tuple[str, dict[str, Any]]:
    """A gathering and a non-member ticket (25 $) held awaiting payment in it."""
    gathering = await new_gathering(stack, f"Paid evening {tag}")
    bought = await buy(stack, gathering["id"], non_member(tag))
    assert bought["status"] == "awaiting_payment", bought
    return gathering["id"], bought


async def _ticket(stack: Stack, ticket_id: str) -> dict[str, Any]:
    async with stack.registration.client() as client:
        found = await client.get(f"/tickets/{ticket_id}")
    assert found.status_code == 200, found.text
    return dict(found.json())


async def test_a_held_ticket_is_shown_held_and_a_coordinator_marks_it_paid(
    stack: Stack, admin: StaffBrowser
) -> None:
    tag = uuid.uuid4().hex[:6]
    gid, bought = await held_ticket(stack, tag)
    tid = bought["ticket_id"]
    until = (
        datetime.fromisoformat(bought["hold_expires_at"]).astimezone(HALIFAX).strftime("%Y-%m-%d %H:%M %Z")
    )
    async with signed_in_as(stack, admin, "coordinator") as coordinator:
        held = await coordinator.client.get(
            f"/gatherings/{gid}/registrants", params={"status": "awaiting_payment"}
        )
        sheet = await coordinator.client.get(
            f"/gatherings/{gid}/registrants.csv", params={"status": "awaiting_payment"}
        )
        paid = await coordinator.post(
            f"/gatherings/{gid}/registrants/{tid}/payment",
            {"method": "e_transfer", "reference": "ET-4471"},
            params={"status": "awaiting_payment"},
        )
        after = await coordinator.client.get(paid.headers["location"])
        confirmed = await coordinator.client.get(f"/gatherings/{gid}/registrants")
        again = await coordinator.post(f"/gatherings/{gid}/registrants/{tid}/payment", {"method": "invoice"})
    ticket = await _ticket(stack, tid)
    audit = await admin.client.get("/audit", params={"action": "ticket_marked_paid"})

    assert held.status_code == 200, held.text
    assert "1 registrant matches." in held.text
    assert f"Awaiting payment until {until}" in held.text
    assert f'action="/gatherings/{gid}/registrants/{tid}/payment?status=awaiting_payment"' in held.text
    assert f'<label for="method-{tid}">Paid by</label>' in held.text
    [header, row] = sheet.text.lstrip("\ufeff").splitlines()
    assert header.endswith(",status,breakout,member_id,profession,regulatory_body,region,"
                           "preferred_language,checked_in,created_at,hold_expires_at,erased_at")  # fmt: skip
    assert row.endswith(f",{bought['hold_expires_at']},")
    assert paid.status_code == 303, paid.text
    assert paid.headers["location"] == f"/gatherings/{gid}/registrants?paid=1&status=awaiting_payment"
    assert "The ticket was marked paid: it is confirmed." in after.text
    assert "0 registrants match." in after.text  # none is held any more
    assert "Confirmed" in confirmed.text
    assert "/payment" not in confirmed.text  # no form for a confirmed ticket
    assert (ticket["status"], ticket["payment_method"], ticket["payment_reference"]) == (
        "active", "e_transfer", "ET-4471",
    )  # fmt: skip
    assert ticket["paid_recorded_by"] is not None
    assert again.status_code == 409  # paid already: registration refuses, the page says so
    assert f"<td>{tid}</td><td>e_transfer</td>" in audit.text
    assert "ET-4471" not in audit.text  # the reference may name the payer: the audit names the method


async def test_a_viewer_and_the_door_may_not_mark_a_ticket_paid(stack: Stack, admin: StaffBrowser) -> None:
    gid, bought = await held_ticket(stack, uuid.uuid4().hex[:6])
    tid = bought["ticket_id"]
    path = f"/gatherings/{gid}/registrants/{tid}/payment"
    async with signed_in_as(stack, admin, "viewer") as viewer:
        page = await viewer.client.get(
            f"/gatherings/{gid}/registrants", params={"status": "awaiting_payment"}
        )
        by_viewer = await viewer.post(path, {"method": "at_door"})
    async with signed_in_as(stack, admin, "check_in") as door:
        by_door = await door.post(path, {"method": "at_door"})

    assert "Awaiting payment until" in page.text
    assert path not in page.text
    assert (by_viewer.status_code, by_door.status_code) == (403, 403)
    assert (await _ticket(stack, tid))["status"] == "awaiting_payment"


async def erase(stack: Stack, amqp: AbstractRobustConnection, gid: str, email: str) -> list[Any]:
    """PersonErasureRequested, as the gateway publishes it; the gathering's registrants once
    registration has erased the person."""
    request = PersonErasureRequested(email=email, requested_at=datetime.now(UTC))
    await publish_event(amqp, Names(stack.name_prefix, "gateway"), new_event(request, source="/x"))
    async with stack.registration.client() as client:
        listed = await eventually(
            lambda: client.get(f"/gatherings/{gid}/registrants"),
            lambda r: any(h["erased_at"] for h in r.json()),
            timeout=20,
        )
    return list(listed.json())


def _on(at: str, language: str) -> str:
    day = datetime.fromisoformat(at).astimezone(HALIFAX)
    return format_date(day, "long", locale={"en": "en_CA", "fr": "fr_CA"}[language])


async def test_staff_lists_say_erased_on_the_date_after_an_erasure(
    stack: Stack, admin: StaffBrowser, amqp: AbstractRobustConnection
) -> None:
    gid = await schedule_gathering(stack.registration)
    someone = person()
    async with stack.registration.client() as client:
        [ticket] = await buy_tickets(client, gid, [someone])
    async with stack.notifications.client(role="viewer") as client:  # the confirmation is in the log
        await eventually(
            lambda: client.get("/deliveries", params={"to": someone["email"]}), lambda r: r.json()
        )
    [holder] = await erase(stack, amqp, gid, someone["email"])
    mine = {"person_id": ticket["person_id"]}
    async with stack.notifications.client(role="viewer") as client:
        [delivery] = (
            await eventually(
                lambda: client.get("/deliveries", params=mine), lambda r: r.json()[0]["erased_at"], timeout=20
            )
        ).json()
    pages = {}
    for language in ("en", "fr"):
        admin.client.cookies.set("hearth_lang", language)
        pages[language] = [
            (await admin.client.get(path, params=params)).text
            for path, params in (
                (f"/gatherings/{gid}/registrants", {}),
                (f"/gatherings/{gid}/check-in", {"q": holder["name"]}),
                ("/emails", {"to": "erased"}),
            )
        ]
    admin.client.cookies.delete("hearth_lang")

    assert holder["name"] == "erased"
    assert delivery["to_address"] == "erased"
    for language, words in (("en", "Erased on"), ("fr", "Effacé le")):
        registrants, check_in, emails = pages[language]
        on = f"{words} {_on(holder['erased_at'], language)}"
        assert f'<a href="/people/{holder["person_id"]}">{on}</a>' in registrants
        assert holder["email"] not in registrants  # the pseudonymous address is not shown
        assert f"<strong>{on}</strong>" in check_in
        assert holder["email"] not in check_in
        assert f"<td>{words} {_on(delivery['erased_at'], language)}</td>" in emails
    assert "<td>erased</td>" not in pages["en"][2]


SHOWN = {
    "en": {"paid_by": "Paid by", "invoice": "Invoice", "reference": "Reference (optional)",
           "paid": "The ticket was marked paid: it is confirmed.", "erased": "Erased on"},
    "fr": {"paid_by": "Payé par", "invoice": "Facture", "reference": "Référence (facultative)",
           "paid": "Le billet est marqué payé : il est confirmé.", "erased": "Effacé le"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_registrants_page_in_a_browser(
    language: str, stack: Stack, admin: StaffBrowser, browser: Browser, amqp: AbstractRobustConnection
) -> None:
    """A held ticket and an erased person on the registrants page, the held one marked paid, the
    erased one at the door: axe-core on each page, screenshots of them."""
    tag = uuid.uuid4().hex[:6]
    gid, bought = await held_ticket(stack, tag)
    gone = non_member(f"{tag}-gone", language)
    await buy(stack, gid, gone)
    await erase(stack, amqp, gid, gone["email"])
    words, base = SHOWN[language], stack.gateway.url
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await _sign_in_as_coordinator(page, stack, admin, language)
        await page.goto(f"{base}/gatherings/{gid}/registrants")
        await expect(page.locator("#registrants")).to_contain_text(words["erased"])
        await checked(page, language, "registrants-held")
        form = page.locator(f"form[action^='/gatherings/{gid}/registrants/{bought['ticket_id']}/payment']")
        await form.get_by_label(words["paid_by"]).select_option(label=words["invoice"])
        await form.get_by_label(words["reference"]).fill(f"INV-{tag}")
        await form.get_by_role("button").click()
        await expect(page.locator("#paid")).to_have_text(words["paid"])
        await checked(page, language)
        await page.goto(f"{base}/gatherings/{gid}/check-in?q=erased")
        await expect(page.locator("#matches")).to_contain_text(words["erased"])
        await checked(page, language, "check-in-erased")
    finally:
        await context.close()
    ticket = await _ticket(stack, bought["ticket_id"])
    assert (ticket["status"], ticket["payment_method"], ticket["payment_reference"]) == (
        "active", "invoice", f"INV-{tag}",
    )  # fmt: skip
