"""The pages issue 12's last gaps added, in a real browser (Debian's Chromium through Playwright)
and in both languages, axe-core on each (no serious or critical WCAG A/AA violation), screenshots
in docs/screenshots/: a gathering made in a new series from its form and the series on its page,
with the form to turn a breakout into a standing group; confirmations resent from the registrants
page; a proposed formation edited (a person moved back to the pool) before publishing; who waits
for a seat, on the gathering page."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from hearth_testing.builders import person
from hearth_testing.waiting import eventually

from ..helpers import buy_tickets, schedule_gathering
from .conftest import Stack, add_staff
from .staff import StaffBrowser
from .test_staff_walk import WORDS, _attendee, checked

MORE = {
    "en": {
        "series": "Part of a series",
        "resend": "Resend confirmations",
        "resent": "1 confirmations sent again.",
        "move": "Move",
        "moved": "The person was moved.",
    },
    "fr": {
        "series": "Fait partie d’une série",
        "resend": "Renvoyer les confirmations",
        "resent": "1 confirmations envoyées de nouveau.",
        "move": "Déplacer",
        "moved": "La personne a été déplacée.",
    },
}


async def _sign_in_as_coordinator(page: Page, stack: Stack, admin: StaffBrowser, language: str) -> None:
    email, password = f"coordinator.more.{uuid.uuid4().hex[:8]}@example.org", uuid.uuid4().hex
    await add_staff(admin, email, "coordinator", password)
    await page.goto(f"{stack.gateway.url}/login")
    if language == "fr":
        await page.get_by_role("link", name="Français").click()
    await page.get_by_label("Email address" if language == "en" else "Adresse courriel").fill(email)
    await page.get_by_label("Password" if language == "en" else "Mot de passe").fill(password)
    await page.get_by_role("button", name=WORDS[language]["sign_in"]).click()
    await expect(page.get_by_role("heading", level=1)).to_be_visible()


async def _gathering_in_a_series(page: Page, base: str, language: str, tag: str) -> str:
    await page.goto(f"{base}/gatherings/new")
    await page.get_by_label(MORE[language]["series"]).select_option("new")
    await checked(page, language, "gathering-form-series")
    typed = {
        "title_en": f"Monthly circle {tag}",
        "title_fr": f"Cercle mensuel {tag}",
        "series_title_en": f"Monthly circles {tag}",
        "series_title_fr": f"Cercles mensuels {tag}",
        "series_cadence": "monthly",
        "starts_at": "2027-04-08T12:00",
        "ends_at": "2027-04-08T13:00",
        "capacity": "30",
        "price_non_member": "0",
        "join_url": "https://video.example.org/j/monthly",
        "breakout_capacity": "10",
    }
    for field, value in typed.items():
        await page.locator(f"#{field}").fill(value)
    await page.locator("#french_breakout").check()
    await page.get_by_role("button", name=WORDS[language]["save"]).click()
    await expect(page.locator("#series")).to_contain_text(
        f"Monthly circles {tag}" if language == "en" else f"Cercles mensuels {tag}"
    )
    await expect(page.locator("#standing-group")).to_be_visible()
    await checked(page, language, "gathering-series")
    return page.url.rsplit("/", 1)[1].split("?")[0]


async def _resend(page: Page, stack: Stack, base: str, gid: str, language: str) -> None:
    someone = _attendee(uuid.uuid4().hex[:6], "robin")
    async with stack.registration.client() as client:
        await buy_tickets(client, gid, [someone])
    async with stack.notifications.client(role="viewer") as client:  # notifications knows the ticket
        await eventually(
            lambda: client.get("/deliveries", params={"to": someone["email"]}), lambda r: r.json()
        )
    await page.goto(f"{base}/gatherings/{gid}/registrants")
    await page.get_by_role("button", name=MORE[language]["resend"]).click()
    await expect(page.get_by_role("status")).to_have_text(MORE[language]["resent"])
    await checked(page, language, "registrants-resent")


async def _edit_proposal(page: Page, stack: Stack, base: str, language: str) -> None:
    async with stack.groups.client() as groups:
        for _ in range(7):  # a language circle of this run's language: no other test draws on it
            body = {"person_id": str(uuid.uuid4()), "kind": "language_circle", "language": language}
            assert (await groups.post("/interests", json=body)).status_code == 201
    await page.goto(f"{base}/groups?kind=language_circle")
    await page.locator("form[action='/groups/proposals'] button").click()
    await expect(page.locator("#move-form")).to_be_visible()
    await page.locator("#to_group").select_option("")
    await page.get_by_role("button", name=MORE[language]["move"], exact=True).click()
    await expect(page.get_by_role("status")).to_have_text(MORE[language]["moved"])
    await checked(page, language, "group-proposal-edit")
    await page.locator("form[action$='/publish'] button").click()  # leaves the pool as it found it
    await expect(page.locator("#published")).to_be_visible()


async def _waiting_list(page: Page, stack: Stack, base: str, language: str) -> None:
    """One seat, two people: the second is on the gathering page's waiting list, by name."""
    gid = await schedule_gathering(stack.registration, capacity=1)
    first, second = person(), person()
    async with stack.registration.client() as client:
        await buy_tickets(client, gid, [first])
        waiting = await client.post(f"/gatherings/{gid}/tickets", json=second)
    assert waiting.status_code == 202, waiting.text
    await page.goto(f"{base}/gatherings/{gid}")
    await expect(page.locator("#waitlist tbody tr")).to_have_count(1)
    await expect(page.locator("#waitlist tbody tr td").nth(1)).to_have_text(second["name"])
    await checked(page, language, "gathering-waitlist")


@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_last_staff_pages(
    language: str, stack: Stack, admin: StaffBrowser, browser: Browser
) -> None:
    base = stack.gateway.url
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        await _sign_in_as_coordinator(page, stack, admin, language)
        gid = await _gathering_in_a_series(page, base, language, uuid.uuid4().hex[:6])
        await _resend(page, stack, base, gid, language)
        await _edit_proposal(page, stack, base, language)
        await _waiting_list(page, stack, base, language)
    finally:
        await context.close()
